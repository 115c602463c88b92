"""Standalone pages at /<slug>.html: About, a guestbook, a FAQ; outside listings and feeds."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from blog import bodies

# Names under /<name>.html that other apps serve (blog's whole-site index).
RESERVED_SLUGS = frozenset({"content"})


class PageQuerySet(models.QuerySet):
    def published(self):
        """Pages readers may see."""
        return self.filter(status=Page.Status.PUBLISHED)

    def in_navigation(self):
        """Published pages shown in the header, in the author's order."""
        return self.published().filter(in_navigation=True).order_by("order", "pk")


class Page(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("草稿")
        PUBLISHED = "published", _("发布")

    class Format(models.TextChoices):
        MARKDOWN = bodies.MARKDOWN, "Markdown"
        HTML = bodies.HTML, "HTML"

    title = models.CharField(_("标题"), max_length=200)
    slug = models.SlugField(
        _("别名"),
        max_length=100,
        unique=True,
        allow_unicode=True,
        help_text=_("页面的网址是 /别名.html，如 about 得到 /about.html。"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("作者"),
        on_delete=models.PROTECT,
        related_name="pages",
    )
    body = models.TextField(
        _("正文"),
        blank=True,
        help_text=_("Markdown；数学公式用 $...$、$$...$$ 或 \\begin{equation}...\\end{equation}。"),
    )
    body_format = models.CharField(
        _("正文格式"),
        max_length=10,
        choices=Format.choices,
        default=Format.MARKDOWN,
        help_text=_("HTML 正文（多为导入的页面）同样保存时渲染，数学公式写法与 Markdown 相同。"),
    )
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    order = models.IntegerField(_("顺序"), default=0, help_text=_("导航栏中按这个数从小到大排列。"))
    in_navigation = models.BooleanField(
        _("显示在导航栏"), default=False, help_text=_("在每页顶部的导航栏中链接这个页面。")
    )
    comments_open = models.BooleanField(
        _("允许评论"),
        default=False,
        help_text=_("留言板就是允许评论的页面。关闭后已有评论照常显示，但不能再发表新评论。"),
    )
    published_at = models.DateTimeField(_("发布时间"), default=timezone.now)
    updated_at = models.DateTimeField(_("最后更新"), auto_now=True)
    body_html = models.TextField(editable=False, default="")
    excerpt_html = models.TextField(editable=False, default="")
    comment_count = models.PositiveIntegerField(_("评论数"), default=0, editable=False)

    objects = PageQuerySet.as_manager()

    class Meta:
        verbose_name = _("独立页面")
        verbose_name_plural = _("独立页面")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        self.render()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("pages:page", kwargs={"slug": self.slug})

    def clean(self):
        super().clean()
        if self.slug in RESERVED_SLUGS:
            raise ValidationError({"slug": _("这个别名已被本站占用，请换一个。")})

    def render(self):
        """Store the HTML of the body, rendered as a post's is (blog/bodies.py)."""
        self.body_html, self.excerpt_html = bodies.render_body(self.body, self.body_format)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED

    @property
    def is_draft(self):
        return self.status == self.Status.DRAFT

    @property
    def absolute_url(self):
        return settings.SITE_URL + self.get_absolute_url()

    @property
    def author_name(self):
        return self.author.get_full_name() or self.author.get_username()
