"""Posts, categories and tags: what the author writes and readers browse."""

from datetime import UTC

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from core import mathjax, site
from core.mathjax import stylesheet

from . import bodies, search
from .dates import english_month


class Taxonomy(models.Model):
    """What categories and tags share: a name, and a slug for their listing's URL."""

    name = models.CharField(_("名称"), max_length=50, unique=True)
    slug = models.SlugField(
        _("别名"),
        max_length=50,
        unique=True,
        allow_unicode=True,
        help_text=_("出现在网址中，如 /category/math/ 或 /tag/optimization/。"),
    )
    url_name = None  # the listing's URL name, set by each kind

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse(self.url_name, kwargs={"slug": self.slug})


class Category(Taxonomy):
    description = models.TextField(_("描述"), blank=True)
    url_name = "blog:category"

    class Meta(Taxonomy.Meta):
        verbose_name = _("分类")
        verbose_name_plural = _("分类")


class Tag(Taxonomy):
    url_name = "blog:tag"

    class Meta(Taxonomy.Meta):
        verbose_name = _("标签")
        verbose_name_plural = _("标签")


class PostQuerySet(models.QuerySet):
    def published(self, at=None):
        """Posts readers may see: published, and not dated in the future.

        `at` is the moment to judge by: now on this process's clock unless given (an
        expression such as `Now()` asks the database's clock, and keeps the SQL's parameters
        the same from one call to the next).
        """
        moment = timezone.now() if at is None else at
        return self.filter(status=Post.Status.PUBLISHED, published_at__lte=moment)

    def scheduled(self):
        """Posts that readers will see once their publication time comes."""
        return self.filter(status=Post.Status.PUBLISHED, published_at__gt=timezone.now())

    def pinned_first(self):
        """Order as the home page lists posts: pinned ones first, then newest first."""
        return self.order_by("-is_pinned", "-published_at", "-id")

    def for_listing(self):
        """Fetch what a listing entry shows, in a constant number of queries."""
        return (
            self.select_related("author", "category")
            .defer("body", "body_html", "search_title", "search_body", "search_vector")
            .order_by("-published_at", "-id")
        )

    def in_month(self, year, month):
        end_year, end_month = (year + 1, 1) if month == 12 else (year, month + 1)
        try:
            start = timezone.make_aware(timezone.datetime(year, month, 1)).astimezone(UTC)
            end = timezone.make_aware(timezone.datetime(end_year, end_month, 1)).astimezone(UTC)
        except (ValueError, OverflowError):
            # A month at the edge of the calendar (0001-01, 9999-12) whose bounds Python
            # cannot hold: no post was ever published there.
            return self.none()
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
        """Group posts for the whole-site index: years, then months (first days), newest first."""
        posts = self.only("id", "title", "published_at", "comment_count").order_by(
            "-published_at", "-id"
        )
        years = []
        for post in posts:
            local = timezone.localtime(post.published_at)
            if not years or years[-1]["year"] != local.year:
                years.append({"year": local.year, "count": 0, "months": []})
            year = years[-1]
            if not year["months"] or year["months"][-1][0].month != local.month:
                year["months"].append((local.date().replace(day=1), []))
            year["months"][-1][1].append(post)
            year["count"] += 1
        return years

    def search(self, query):
        """Rank posts matching every word of the query, title hits first (see blog/search.py)."""
        return search.search_posts(self, query)

    def refresh_search_vectors(self):
        """Rebuild the Postgres full-text vectors of these posts from their stored words."""
        search.refresh_search_vectors(self)


class Post(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("发布")

    class Format(models.TextChoices):
        MARKDOWN = bodies.MARKDOWN, "Markdown"
        HTML = bodies.HTML, "HTML"

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
    # The admin shows help text as HTML, so the marker is escaped or it would vanish as a comment.
    body = models.TextField(
        _("正文"),
        help_text=_(
            "Markdown；数学公式用 $...$、$$...$$ 或 \\begin{equation}...\\end{equation}；"
            "单独一行 <code>&lt;!--more--&gt;</code> 之前的内容作为摘要。"
        ),
    )
    body_format = models.CharField(
        _("正文格式"),
        max_length=10,
        choices=Format.choices,
        default=Format.MARKDOWN,
        help_text=_(
            "HTML 正文（多为从 WordPress 或 Typecho 导入的文章）同样保存时渲染，"
            "数学公式写法与 Markdown 相同；WordPress 的短代码如 [caption]、[code] 照常显示。"
        ),
    )
    is_pinned = models.BooleanField(
        _("置顶"), default=False, help_text=_("置顶的文章排在首页最前面。")
    )
    comments_open = models.BooleanField(
        _("允许评论"), default=True, help_text=_("关闭后已有评论照常显示，但不能再发表新评论。")
    )
    body_html = models.TextField(editable=False, default="")
    excerpt_html = models.TextField(editable=False, default="")
    # The body's equation labels (for a comment's \eqref), and why its math could not be
    # typeset on the server (core/mathjax/), if so: then readers' browsers typeset it.
    math_labels = models.JSONField(editable=False, default=dict)
    math_error = models.TextField(_("公式渲染问题"), editable=False, default="")
    views = models.PositiveBigIntegerField(_("阅读次数"), default=0, editable=False)
    comment_count = models.PositiveIntegerField(_("评论数"), default=0, editable=False)
    # Words of the title and body as jieba splits them; Postgres indexes them in search_vector.
    search_title = models.TextField(editable=False, default="")
    search_body = models.TextField(editable=False, default="")
    search_vector = SearchVectorField(null=True, editable=False)

    objects = PostQuerySet.as_manager()
    math_css = ""  # of the last typeset_math(), until save() stores it in the site's stylesheet

    class Meta:
        verbose_name = _("文章")
        verbose_name_plural = _("文章")
        ordering = ["-published_at", "-id"]
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="post_listing_idx"),
            models.Index(fields=["category", "status", "-published_at"], name="post_category_idx"),
            models.Index(
                fields=["status", "-is_pinned", "-published_at", "-id"], name="post_home_idx"
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        new = self.pk is None
        self.render()
        super().save(*args, **kwargs)
        if new:
            # Equation ids carry the post's id, known only now.
            self.typeset_math()
            Post.objects.filter(pk=self.pk).update(**self.math_fields())
        stylesheet.add(self.math_css)
        Post.objects.filter(pk=self.pk).refresh_search_vectors()

    def get_absolute_url(self):
        return reverse("blog:post_detail", kwargs={"pk": self.pk})

    def render(self):
        """Store the HTML, typeset math and search words derived from the body."""
        self.body_html, self.excerpt_html = self.render_body()
        self.search_title = search.index_text(self.title)
        self.search_body = search.index_text(self.searchable_body())
        if self.pk is not None:
            self.typeset_math()

    def typeset_math(self):
        """Typeset the formulas of the rendered HTML on the server, or record why not."""
        body, excerpt = bodies.typeset(self.body_html, self.excerpt_html, scope=f"p{self.pk}-")
        self.body_html, self.excerpt_html = body.html, excerpt.html
        # Not stored with the post: save() adds it to the site's stylesheet (bulk writers too).
        self.math_css = mathjax.merge_css(body.css, excerpt.css)
        self.math_labels = body.labels
        self.math_error = body.error or excerpt.error

    def math_fields(self):
        """The fields typeset_math() sets, for a queryset update."""
        fields = ("body_html", "excerpt_html", "math_labels", "math_error")
        return {name: getattr(self, name) for name in fields}

    @property
    def needs_browser_math(self):
        """Whether the stored HTML still holds TeX for MathJax in the reader's browser."""
        return mathjax.has_raw_math(self.body_html) or mathjax.has_raw_math(self.excerpt_html)

    def render_body(self):
        """Return the HTML of the body and of its excerpt, from the body in its format."""
        return bodies.render_body(self.body, self.body_format)

    def searchable_body(self):
        """The words of the body as written: Markdown as is, HTML without its tags."""
        return bodies.searchable_text(self.body, self.body_format)

    @property
    def author_name(self):
        return self.author.get_full_name() or self.author.get_username()

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

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
        # APA style; the title's quotation marks and the wording follow the reader's language.
        wording = gettext(
            "%(author)s. (%(date)s). 《%(title)s》[Blog post]. Retrieved from %(url)s"
        )
        return wording % {
            "author": self.author_name,
            "date": f"{english_month(published)}. {published.day}, {published.year}",
            "title": self.title,
            "url": self.absolute_url,
        }

    def citation_bibtex(self):
        """Return a BibTeX @online entry for the post."""
        published = timezone.localtime(self.published_at)
        title = _bibtex_escape(self.title)
        return (
            f"@online{{{site.identity().citation_key}-{self.pk},\n"
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


def next_scheduled_publication():
    """When the next scheduled post goes public (the page cache watches it), or None."""
    return Post.objects.scheduled().aggregate(at=models.Min("published_at"))["at"]


class PostAutosave(models.Model):
    """The text an author was typing, saved every few seconds: one rolling slot per author and post.

    Never the published post: it only becomes the post when the author saves (or restores it
    and saves). A post not yet saved has its slot under post=None.
    """

    post = models.ForeignKey(
        Post,
        verbose_name=_("文章"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="autosaves",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        on_delete=models.CASCADE,
        related_name="post_autosaves",
    )
    title = models.CharField(_("标题"), max_length=200, blank=True)
    body = models.TextField(_("正文"), blank=True)
    saved_at = models.DateTimeField(_("自动保存时间"), default=timezone.now)

    class Meta:
        verbose_name = _("自动保存")
        verbose_name_plural = _("自动保存")
        constraints = [
            models.UniqueConstraint(fields=["post", "author"], name="one_autosave_per_author"),
            models.UniqueConstraint(
                fields=["author"],
                condition=Q(post__isnull=True),
                name="one_new_post_autosave_per_author",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.saved_at:%Y-%m-%d %H:%M})"


class DailyViewsQuerySet(models.QuerySet):
    def per_day(self, *, since):
        """Views of all posts per day from `since` on, as {date: views}."""
        rows = self.filter(day__gte=since).values("day").annotate(total=models.Sum("views"))
        return {row["day"]: row["total"] for row in rows.order_by("day")}


class PostDailyViews(models.Model):
    """How many counted views a post had on one day (the site's local date).

    Written in the same statement as the post's own count (blog/readers.py), so the daily
    rows and Post.views move together; views counted before daily rows existed (or brought
    by an import) are the post's baseline: Post.views minus the sum of its rows.
    """

    post = models.ForeignKey(
        Post, verbose_name=_("文章"), on_delete=models.CASCADE, related_name="daily_views"
    )
    day = models.DateField(_("日期"))
    views = models.PositiveBigIntegerField(_("阅读次数"), default=0)

    objects = DailyViewsQuerySet.as_manager()

    class Meta:
        verbose_name = _("每日阅读")
        verbose_name_plural = _("读者统计")
        constraints = [
            models.UniqueConstraint(fields=["post", "day"], name="one_daily_views_row_per_day")
        ]
        indexes = [models.Index(fields=["day"], name="daily_views_day_idx")]

    def __str__(self):
        return f"{self.post_id} {self.day}: {self.views}"


class WrittenViewLog(models.Model):
    """A log file of tallied views whose views are in the counts (blog/view_log.py).

    Written in the same transaction as the views, and deleted once the file is removed: a
    worker that dies between the two leaves the name, and whoever adopts the file removes it
    without counting its views again.
    """

    name = models.CharField(max_length=64, primary_key=True)
    written_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return self.name
