"""Reader-facing pages: listings, a post, the whole-site index, search."""

from django.conf import settings
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, ListView, TemplateView

from core.pagecache import Visit, cached_page, placeholder

from . import search
from .models import Category, Post, Tag
from .readers import PostReaders


class PostListingMixin:
    """A paginated listing of published posts; subclasses narrow the queryset."""

    model = Post
    paginate_by = settings.BLOG_POSTS_PER_PAGE
    context_object_name = "posts"
    template_name = "blog/post_archive.html"
    page_url_name = None

    def get_queryset(self):
        return self.filter_posts(Post.objects.published()).for_listing()

    def filter_posts(self, posts):
        return posts

    def get_page_url_kwargs(self):
        return {}

    def get_page_url(self, number):
        kwargs = self.get_page_url_kwargs()
        if number == 1:
            return reverse(f"blog:{self.page_url_name}", kwargs=kwargs)
        return reverse(f"blog:{self.page_url_name}_page", kwargs={**kwargs, "page": number})

    def paginate_queryset(self, queryset, page_size):
        # ListView reads page 0 as "no page given" and would serve page 1 under /page/0/.
        if self.kwargs.get("page") is not None and self.kwargs["page"] < 1:
            raise Http404(_("没有这一页。"))
        return super().paginate_queryset(queryset, page_size)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        context["pager"] = [
            {"number": number, "url": self.get_page_url(number) if number != "…" else None}
            for number in page.paginator.get_elided_page_range(
                page.number, on_each_side=2, on_ends=1
            )
        ]
        context["next_page_url"] = (
            self.get_page_url(page.next_page_number()) if page.has_next() else None
        )
        context["previous_page_url"] = (
            self.get_page_url(page.previous_page_number()) if page.has_previous() else None
        )
        return context


class HomeView(PostListingMixin, ListView):
    template_name = "blog/post_list.html"
    page_url_name = "home"

    def get_queryset(self):
        return super().get_queryset().pinned_first()

    def get_context_data(self, **kwargs):
        return super().get_context_data(pinned_first=True, **kwargs)


class TaxonomyView(PostListingMixin, ListView):
    """The posts of one category or tag."""

    taxonomy = None  # Category or Tag
    post_field = ""  # the Post field that holds it
    title_format = ""

    def filter_posts(self, posts):
        self.term = get_object_or_404(self.taxonomy, slug=self.kwargs["slug"])
        return posts.filter(**{self.post_field: self.term})

    def get_page_url_kwargs(self):
        return {"slug": self.term.slug}

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            listing_title=self.title_format % {"name": self.term.name}, **kwargs
        )


class CategoryView(TaxonomyView):
    taxonomy = Category
    post_field = "category"
    page_url_name = "category"
    title_format = gettext_lazy("分类：%(name)s")


class TagView(TaxonomyView):
    taxonomy = Tag
    post_field = "tags"
    page_url_name = "tag"
    title_format = gettext_lazy("标签：%(name)s")


class MonthView(PostListingMixin, ListView):
    page_url_name = "month"

    def filter_posts(self, posts):
        year, month = self.kwargs["year"], self.kwargs["month"]
        if not (1 <= month <= 12 and 1 <= year <= 9999):
            raise Http404(_("没有这个月份。"))
        posts = posts.in_month(year, month)
        if not posts.exists():
            raise Http404(_("这个月没有文章。"))
        return posts

    def get_page_url_kwargs(self):
        return {"year": self.kwargs["year"], "month": self.kwargs["month"]}

    def get_context_data(self, **kwargs):
        title = _("%(year)d年%(month)02d月的文章") % {
            "year": self.kwargs["year"],
            "month": self.kwargs["month"],
        }
        return super().get_context_data(listing_title=title, **kwargs)


class SearchView(PostListingMixin, ListView):
    page_url_name = "search"
    allow_empty = True

    def get(self, request, *args, **kwargs):
        typed = kwargs.get("keywords", request.GET.get("q", ""))
        query = search.normalize_query(typed)
        if query != kwargs.get("keywords", ""):
            # One URL per query; an empty or blank one is the search page itself.
            if query:
                return redirect("blog:search", keywords=query)
            if "keywords" in kwargs:
                return redirect("blog:search_form")
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        keywords = self.kwargs.get("keywords", "")
        return (
            Post.objects.published()
            .search(keywords)
            .select_related("author", "category")
            .defer("body", "body_html", "search_title", "search_body", "search_vector")
        )

    def get_page_url(self, number):
        if "keywords" not in self.kwargs:
            return reverse("blog:search_form")
        return super().get_page_url(number)

    def get_page_url_kwargs(self):
        return {"keywords": self.kwargs["keywords"]}

    def get_context_data(self, **kwargs):
        keywords = self.kwargs.get("keywords", "")
        if keywords:
            title = _("“%(keywords)s”的搜索结果") % {"keywords": keywords}
        else:
            title = _("智能搜索")
        context = super().get_context_data(
            listing_title=title, search_query=keywords, is_search=True, **kwargs
        )
        if len(keywords) == 1 and keywords.isascii() and keywords.isalnum():
            # A lone letter is searched as a word; say how to search for the variable.
            context["variable_query"] = f"${keywords}$"
        # Marked here, on the page being built: search pages are cached per URL.
        highlighter = search.Highlighter(keywords)
        for post in context["posts"]:
            post.marked_title = highlighter.title(post.title)
            post.marked_excerpt = highlighter.excerpt(post.excerpt_html)
        return context


class PostDetailView(DetailView):
    """A post with its reader count, citation, neighbours and comments (comments/ fills those in).

    Counting the reader comes first: it is the one query a cached page costs, and it tells
    whether the post is public. Staff may also preview drafts and scheduled posts.
    """

    context_object_name = "post"

    def get_queryset(self):
        posts = Post.objects.select_related("author", "category")
        return posts if self.request.user.is_staff else posts.published()

    def get(self, request, *args, **kwargs):
        if kwargs.get("page") == 1:
            return redirect("blog:post_detail", pk=kwargs["pk"], permanent=True)
        readers = PostReaders(post_id=kwargs["pk"])
        visit = readers.visit(request)
        if visit is None:
            if not request.user.is_staff:
                raise Http404(_("文章不存在。"))
            visit = Visit(values={"views": ""})  # staff previewing a draft: no reader to count
        return cached_page(request, self.render_post, visit=visit, visitor=readers)

    def render_post(self):
        self.object = self.get_object()
        if self.object.is_public:
            # The live count, filled in per request (already worded: "58632位读者").
            self.object.views = placeholder("views")
        return self.render_to_response(self.get_context_data(object=self.object))

    def get_context_data(self, **kwargs):
        post = self.object
        return super().get_context_data(
            comment_page_number=self.kwargs.get("page", 1),
            tags=list(post.tags.all()),
            previous_post=post.get_previous_public(),
            next_post=post.get_next_public(),
            related_posts=list(post.related_posts(settings.BLOG_RELATED_POSTS)),
            **kwargs,
        )


def post_detail_slash_redirect(request, pk):
    return redirect("blog:post_detail", pk=pk, permanent=True)


class ContentView(TemplateView):
    """The whole site on one page, grouped by year and month."""

    template_name = "blog/content.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(years=Post.objects.published().by_year(), **kwargs)


class RobotsView(TemplateView):
    """robots.txt. It never names the admin: a file anyone can read would give away the secret
    ADMIN_URL, and the admin's pages carry their own noindex."""

    template_name = "robots.txt"
    content_type = "text/plain; charset=utf-8"
