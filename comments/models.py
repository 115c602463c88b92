"""Comments: threaded replies on posts and pages, as django-mptt trees (one per thread)."""

import hashlib
import re
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.db import models
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey
from mptt.querysets import TreeQuerySet

from blog.models import Post
from core import mathjax
from core.mathjax import stylesheet
from pages.models import Page

from . import targets
from .rendering import render_comment
from .snippets import snippet_of

# Formulas a comment may hold, so a shortened comment never ends inside one.
MATH_IN_TEXT = re.compile(
    r"\$\$.+?\$\$|(?<!\\)\$.+?(?<!\\)\$|\\\(.+?\\\)|\\\[.+?\\\]"
    r"|\\begin\{(\w+\*?)\}.+?\\end\{\1\}",
    re.DOTALL,
)


def is_visible_q():
    """The condition for comments readers may see (approved ones), for use inside other filters."""
    return Q(status=Comment.Status.APPROVED)


class CommentQuerySet(TreeQuerySet):
    def visible(self):
        """Comments readers may see: approved ones."""
        return self.filter(is_visible_q())

    def on_public_targets(self):
        """Comments on posts and pages that readers may see."""
        return self.filter(targets.public())

    def recent(self, limit=10):
        """The newest visible comments on public posts and pages, for the 最近评论 sidebar.

        Each carries `thread_position` (how many visible threads of its target come before
        its own) so its link can point at the right comment page without further queries.
        """
        # One of the two holds for each comment: the other side compares with NULL.
        same_target = Q(post=OuterRef("post")) | Q(page=OuterRef("page"))
        earlier_threads = (
            Comment.objects.visible()
            .filter(same_target, level=0, tree_id__lt=OuterRef("tree_id"))
            .order_by()
            .values("level")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return (
            self.visible()
            .on_public_targets()
            .annotate(thread_position=Coalesce(Subquery(earlier_threads), 0))
            .select_related("post", "page")
            .only(
                "id",
                "post__title",
                "page__title",
                "page__slug",
                "author_name",
                "snippet",
                "created_at",
                "tree_id",
            )
            .order_by("-created_at", "-id")[:limit]
        )

    def on(self, target):
        """Comments on this post or page."""
        return self.filter(targets.of(target))

    def threads_of(self, target):
        """Top-level comments of a post or page, oldest thread first."""
        return self.on(target).filter(level=0).order_by("tree_id")


class CommentManager(TreeManager.from_queryset(CommentQuerySet)):
    pass


class Comment(MPTTModel):
    class Status(models.TextChoices):
        APPROVED = "approved", _("已通过")
        PENDING = "pending", _("待审核")
        SPAM = "spam", _("垃圾评论")
        REMOVED = "removed", _("已删除")

    class HeldReason(models.TextChoices):
        NONE = "", _("—")
        FIRST_TIME = "first_time", _("首次评论")
        LINKS = "links", _("链接过多")
        RULE = "rule", _("全部人工审核")

    # Exactly one of post and page is set (see Meta.constraints and comments/targets.py).
    post = models.ForeignKey(
        Post,
        verbose_name=_("文章"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    page = models.ForeignKey(
        Page,
        verbose_name=_("页面"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="comments",
    )
    parent = TreeForeignKey(
        "self",
        verbose_name=_("回复的评论"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    author_name = models.CharField(_("昵称"), max_length=50)
    author_email = models.EmailField(_("邮箱"), help_text=_("不公开显示。"))
    author_url = models.URLField(_("个人主页"), max_length=200, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录用户"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    is_post_author = models.BooleanField(_("博主"), default=False)
    body = models.TextField(_("评论内容"), help_text=_("Markdown 与 $...$ 数学公式。"))
    body_html = models.TextField(editable=False, default="")
    # Why its formulas could not be typeset on the server (core/mathjax/), if so: then readers'
    # browsers typeset them.
    math_error = models.TextField(_("公式渲染问题"), editable=False, default="")
    # Plain text for the sidebar and the admin's list, made with body_html (comments/snippets.py).
    snippet = models.CharField(_("摘要"), max_length=200, editable=False, default="")
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    held_reason = models.CharField(
        _("待审原因"), max_length=20, choices=HeldReason.choices, blank=True, default=""
    )
    notify_on_reply = models.BooleanField(_("有人回复时邮件通知"), default=False)
    # When the blog's author was mailed about this comment (at once or in a digest).
    author_mailed_at = models.DateTimeField(_("已通知博主"), null=True, blank=True, editable=False)
    ip_address = models.GenericIPAddressField(_("IP 地址"), null=True, blank=True)
    user_agent = models.CharField(_("浏览器标识"), max_length=300, blank=True)

    objects = CommentManager()
    math_css = ""  # of the last render(), until save() stores it in the site's stylesheet

    class MPTTMeta:
        # No order_insertion_by: new replies go last, and a new thread never renumbers others.
        order_insertion_by = []

    class Meta:
        verbose_name = _("评论")
        verbose_name_plural = _("评论")
        indexes = [
            models.Index(fields=["post", "level", "status", "tree_id"], name="comment_threads_idx"),
            models.Index(
                fields=["page", "level", "status", "tree_id"], name="comment_page_threads_idx"
            ),
            models.Index(fields=["ip_address", "created_at"], name="comment_ip_recent_idx"),
            models.Index(fields=["author_email", "status"], name="comment_email_status_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(post__isnull=False, page__isnull=True)
                | Q(post__isnull=True, page__isnull=False),
                name="comment_on_a_post_or_a_page",
            )
        ]

    def __str__(self):
        return f"{self.author_name}: {self.snippet}"

    def save(self, *args, **kwargs):
        if getattr(self, "_rendered_body", None) != self.body:
            self.render()
        super().save(*args, **kwargs)
        stylesheet.add(self.math_css)

    def get_absolute_url(self):
        """Link to the comment on the page of the post or page that holds its thread."""
        root_position = (
            Comment.objects.threads_of(self.target)
            .filter(is_visible_q() | Q(pk=self.get_root_id()))
            .filter(tree_id__lt=self.tree_id)
            .count()
        )
        return comment_page_url(self.target, root_position) + f"#comment-{self.pk}"

    @property
    def page_url(self):
        """Link built from an annotated `thread_position` (see CommentQuerySet.recent)."""
        return comment_page_url(self.target, self.thread_position) + f"#comment-{self.pk}"

    @property
    def target(self):
        """The post or the page the comment is on."""
        return self.post if self.post_id is not None else self.page

    @target.setter
    def target(self, target):
        setattr(self, targets.field_of(target), target)

    def render(self, *, post_labels=None):
        """Store the sanitized HTML of the body, math typeset, and its snippet.

        Raises UnrenderableComment. The commenter's HTML is sanitized first; MathJax's output
        (under its `safe` extension) is added after, as markup of our own renderer.
        `post_labels` spares fetching the post when the caller has its equation labels.
        """
        html = render_comment(self.body)
        self.snippet = snippet_of(html)
        typeset = mathjax.typeset_html(
            html,
            scope=self.math_scope(),
            safe=True,
            labels=self.post_labels() if post_labels is None else post_labels,
        )
        self.body_html, self.math_error = typeset.html, typeset.error
        # Not stored with the comment: save() adds it to the site's stylesheet (bulk writers too).
        self.math_css = typeset.css
        self._rendered_body = self.body

    def math_scope(self):
        """The prefix of this comment's equation ids, apart from the post's and other comments'."""
        return f"c{self.pk}-" if self.pk else f"c{secrets.token_hex(4)}-"

    def post_labels(self):
        r"""The post's equation labels, which an \eqref in the comment may point to."""
        if "ref{" not in self.body or self.post_id is None:
            return {}  # saves fetching the post for the many comments that cite nothing
        return self.post.math_labels

    def link_count(self):
        r"""Links the commenter wrote (those MathJax draws for \eqref are not counted)."""
        return mathjax.strip_math(self.body_html).count("<a ")

    def get_root_id(self):
        return self.pk if self.parent_id is None else self.get_root().pk

    @property
    def is_visible(self):
        return self.status == self.Status.APPROVED

    def readable_text(self, limit=200):
        """The comment as plain text, math as its TeX, shortened without cutting a formula."""
        text = " ".join(self.body.split())
        if len(text) <= limit:
            return text
        cut = limit
        for formula in MATH_IN_TEXT.finditer(text):
            if formula.start() < cut < formula.end():
                cut = formula.start()
                break
            if formula.start() >= cut:
                break
        return text[:cut].rstrip() + "…"

    @property
    def email_hash(self):
        # Gravatar accepts SHA-256 of the trimmed, lowercased address.
        return hashlib.sha256(self.author_email.strip().lower().encode()).hexdigest()

    def avatar_url(self, size=48):
        """Gravatar's picture for the email, or our own identicon when Gravatar is off."""
        if not settings.COMMENTS_GRAVATAR:
            return self.identicon_url
        query = urlencode({"s": size * 2, "d": "identicon"})
        return f"https://www.gravatar.com/avatar/{self.email_hash}?{query}"

    @property
    def identicon_url(self):
        return identicon_url(self.email_hash)


def identicon_url(digest):
    """Where this site draws the identicon for an email's digest (Gravatar's, SHA-256)."""
    return reverse("comments:identicon", kwargs={"digest": digest})


def comment_page_url(target, thread_position):
    """URL of the target's comment page showing the thread at this 0-based position."""
    return targets.comment_page_url(target, thread_position, settings.COMMENTS_THREADS_PER_PAGE)


def new_subscription_key():
    return secrets.token_urlsafe(24)


class ReplySubscription(models.Model):
    """One email address's consent to reply notifications (double opt-in).

    Ticking 有人回复时邮件通知我 asks for it; only a confirmed address is mailed. Links in
    mail name the subscription by `key`, never by the address, and a new key is drawn
    whenever consent ends, so a link from before stops working.
    """

    email = models.EmailField(_("邮箱"), max_length=254, unique=True)
    key = models.CharField(max_length=32, unique=True, default=new_subscription_key)
    created_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    confirmation_sent_at = models.DateTimeField(_("确认邮件发送时间"), null=True, blank=True)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    # Reply mails sent on `mails_day` (the site's local date), for the daily cap.
    mails_day = models.DateField(null=True, blank=True)
    mails_sent = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("回复通知订阅")
        verbose_name_plural = _("回复通知订阅")

    def __str__(self):
        return self.email

    @property
    def is_confirmed(self):
        return self.confirmed_at is not None
