"""Posts, categories and tags: what the author writes and readers browse."""

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.db import connection, models
from django.db.models import (
    BooleanField,
    Case,
    ExpressionWrapper,
    F,
    Q,
    Value,
    When,
)
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rendering, search
from .dates import english_month


class Category(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(
        _("别名"),
        max_length=50,
        unique=True,
        allow_unicode=True,
        help_text=_("出现在网址中，如 /category/math/。"),
    )
    description = models.TextField(_("描述"), blank=True)

    class Meta:
        verbose_name = _("分类")
        verbose_name_plural = _("分类")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:category", kwargs={"slug": self.slug})


class Tag(models.Model):
    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(
        _("别名"),
        max_length=50,
        unique=True,
        allow_unicode=True,
        help_text=_("出现在网址中，如 /tag/optimization/。"),
    )

    class Meta:
        verbose_name = _("标签")
        verbose_name_plural = _("标签")
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("blog:tag", kwargs={"slug": self.slug})


def _tsquery_term(word, weight=""):
    """Quote one word for a raw tsquery, optionally restricted to a weight (A = title)."""
    quoted = "'" + word.replace("\\", "\\\\").replace("'", "''") + "'"
    return f"{quoted}:{weight}" if weight else quoted


class PostQuerySet(models.QuerySet):
    def published(self):
        """Posts readers may see: published, and not dated in the future."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=timezone.now())

    def for_listing(self):
        """Fetch what a listing entry shows, in a constant number of queries."""
        return (
            self.select_related("author", "category")
            .defer("body", "body_html", "search_title", "search_body", "search_vector")
            .order_by("-published_at", "-id")
        )

    def in_month(self, year, month):
        start = timezone.make_aware(timezone.datetime(year, month, 1))
        end_year, end_month = (year + 1, 1) if month == 12 else (year, month + 1)
        end = timezone.make_aware(timezone.datetime(end_year, end_month, 1))
        return self.filter(published_at__gte=start, published_at__lt=end)

    def month_counts(self):
        """Return (first day of month, post count) pairs, newest month first, counted in SQL."""
        months = (
            self.order_by()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(posts=models.Count("id"))
            .order_by("-month")
        )
        return [(timezone.localtime(row["month"]).date(), row["posts"]) for row in months]

    def by_year(self):
        """Group posts for the whole-site index: years, then months, newest first."""
        posts = self.only("id", "title", "published_at", "comment_count").order_by(
            "-published_at", "-id"
        )
        years = []
        for post in posts:
            local = timezone.localtime(post.published_at)
            if not years or years[-1]["year"] != local.year:
                years.append({"year": local.year, "count": 0, "months": []})
            year = years[-1]
            if not year["months"] or year["months"][-1][0] != local.month:
                year["months"].append((local.month, []))
            year["months"][-1][1].append(post)
            year["count"] += 1
        return years

    def search(self, query):
        """Rank posts matching every word of the query, title hits first; else a substring match."""
        query = search.normalize_query(query)
        if not query:
            return self.none()
        words = search.query_words(query)
        if words:
            matches = self._search_words(words)
            if matches.exists():
                return matches
        return self.filter(Q(title__icontains=query) | Q(body__icontains=query)).order_by(
            "-published_at", "-id"
        )

    def _search_words(self, words):
        if connection.vendor == "postgresql":
            every_word = SearchQuery(
                " & ".join(_tsquery_term(w) for w in words), config="simple", search_type="raw"
            )
            in_title = SearchQuery(
                " & ".join(_tsquery_term(w, "A") for w in words),
                config="simple",
                search_type="raw",
            )
            return (
                self.filter(search_vector=every_word)
                .annotate(
                    title_hit=ExpressionWrapper(
                        Q(search_vector=in_title), output_field=BooleanField()
                    ),
                    rank=SearchRank(F("search_vector"), every_word),
                )
                .order_by("-title_hit", "-rank", "-published_at", "-id")
            )
        # SQLite (development): whole-word substring tests on the stored word lists.
        in_title = Q()
        in_either = Q()
        for word in words:
            token = search.document([word])
            in_title &= Q(search_title__contains=token)
            in_either &= Q(search_title__contains=token) | Q(search_body__contains=token)
        return (
            self.filter(in_either)
            .annotate(title_hit=Case(When(in_title, then=Value(1)), default=Value(0)))
            .order_by("-title_hit", "-published_at", "-id")
        )

    def refresh_search_vectors(self):
        """Rebuild the Postgres full-text vectors of these posts from their stored words."""
        if connection.vendor != "postgresql":
            return
        table = connection.ops.quote_name(Post._meta.db_table)
        ids = list(self.values_list("pk", flat=True))
        if not ids:
            return
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET search_vector = "
                "setweight(to_tsvector('simple', search_title), 'A') || "
                "setweight(to_tsvector('simple', search_body), 'B') "
                "WHERE id = ANY(%s)",
                [ids],
            )


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("发布")

    title = models.CharField(_("标题"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        on_delete=models.PROTECT,
        related_name="posts",
    )
    published_at = models.DateTimeField(
        _("发布时间"),
        default=timezone.now,
        help_text=_("设为将来的时间即定时发布：到时间前读者看不到。"),
    )
    updated_at = models.DateTimeField(_("最后更新"), auto_now=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    category = models.ForeignKey(
        Category, verbose_name=_("分类"), on_delete=models.PROTECT, related_name="posts"
    )
    tags = models.ManyToManyField(Tag, verbose_name=_("标签"), blank=True, related_name="posts")
    body = models.TextField(
        _("正文"),
        help_text=_(
            "Markdown；数学公式用 $...$、$$...$$ 或 \\begin{equation}...\\end{equation}；"
            "单独一行 <!--more--> 之前的内容作为摘要。"
        ),
    )
    body_html = models.TextField(editable=False, default="")
    excerpt_html = models.TextField(editable=False, default="")
    views = models.PositiveBigIntegerField(_("阅读次数"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("评论数"), default=0, editable=False)
    # Words of the title and body as jieba splits them; Postgres indexes them in search_vector.
    search_title = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="post_listing_idx"),
            models.Index(fields=["category", "status", "-published_at"], name="post_category_idx"),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render()
        super().save(*args, **kwargs)
        Post.objects.filter(pk=self.pk).refresh_search_vectors()

    def get_absolute_url(self):
        return reverse("blog:post_detail", kwargs={"pk": self.pk})

    def render(self):
        """Store the HTML and search words derived from the Markdown body."""
        self.body_html = rendering.render_markdown(rendering.strip_more_marker(self.body))
        self.excerpt_html = rendering.render_markdown(rendering.split_excerpt(self.body))
        self.search_title = search.document(search.index_words(self.title))
        self.search_body = search.document(search.index_words(self.body))

    @property
    def author_name(self):
        return self.author.get_full_name() or self.author.get_username()

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def absolute_url(self):
        return settings.SITE_URL + self.get_absolute_url()

    def get_previous_public(self):
        return (
            Post.objects.published()
            .filter(
                Q(published_at__lt=self.published_at)
                | Q(published_at=self.published_at, pk__lt=self.pk)
            )
            .only("id", "title")
            .order_by("-published_at", "-id")
            .first()
        )

    def get_next_public(self):
        return (
            Post.objects.published()
            .filter(
                Q(published_at__gt=self.published_at)
                | Q(published_at=self.published_at, pk__gt=self.pk)
            )
            .only("id", "title")
            .order_by("published_at", "id")
            .first()
        )

    def related_posts(self, limit):
        """Published posts sharing a tag or the category, those sharing more tags first."""
        tag_ids = [tag.pk for tag in self.tags.all()]
        shared = Q(category_id=self.category_id)
        if tag_ids:
            shared |= Q(tags__in=tag_ids)
        return (
            Post.objects.published()
            .filter(shared)
            .exclude(pk=self.pk)
            .annotate(shared_tags=models.Count("tags", filter=Q(tags__in=tag_ids)))
            .only("id", "title", "published_at")
            .order_by("-shared_tags", "-published_at")[:limit]
        )

    def citation_text(self):
        """Return the plain-text citation shown in the `引用` box."""
        published = timezone.localtime(self.published_at)
        return (
            f"{self.author_name}. ({english_month(published)}. {published.day}, "
            f"{published.year}). 《{self.title}》[Blog post]. Retrieved from "
            f"{self.absolute_url}"
        )

    def citation_bibtex(self):
        """Return a BibTeX @online entry for the post."""
        published = timezone.localtime(self.published_at)
        title = _bibtex_escape(self.title)
        return (
            f"@online{{{settings.SITE_CITATION_KEY}-{self.pk},\n"
            f"        title={{{title}}},\n"
            f"        author={{{_bibtex_escape(self.author_name)}}},\n"
            f"        year={{{published.year}}},\n"
            f"        month={{{english_month(published)}}},\n"
            f"        url={{\\url{{{self.absolute_url}}}}},\n"
            f"}}"
        )


def _bibtex_escape(text):
    for char in "&%#_":
        text = text.replace(char, "\\" + char)
    return text


class ContentVersion(models.Model):
    """One row whose number changes whenever anything readers see changes.

    Cached pages are keyed by this number, so a write that bumps it (in its own
    transaction) retires every cached page at once, in every process.
    """

    number = models.BigIntegerField(default=1)
    # The earliest future publication time of a scheduled post: when it passes, the
    # number is bumped by the first request that notices, since no write will.
    next_publication_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("内容版本")
        verbose_name_plural = _("内容版本")

    def __str__(self):
        return str(self.number)
