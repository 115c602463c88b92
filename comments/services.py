"""Writes with side effects on comments: posting, moderating, editing, deleting.

Concurrency: django-mptt leaves locking to its caller. A reply rewrites lft/rght across its
tree and a new thread takes MAX(tree_id) + 1, so every insert runs in one transaction that
first takes a lock: per tree for replies, site-wide for new threads (Postgres advisory
locks; SQLite's database write lock does the same job there). Before that, a commenter's
address is locked, so the rate limit counts every earlier comment from it even when a
burst spreads over many threads. Locks are always taken in that order: address, then tree.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from blog.models import Post
from core import content_version
from pages.models import Page

from . import author_mail, notifications, subscriptions, targets
from .models import Comment

# First key of our advisory locks, so they cannot collide with another application's.
LOCK_NAMESPACE = 0x436D  # "Cm"
ADDRESS_LOCK_NAMESPACE = 0x4361  # "Ca"
NEW_THREAD_LOCK = 0
DUPLICATE_WINDOW = timedelta(minutes=10)


class CommentRejected(Exception):
    """The comment cannot be accepted; `message` says why, `status` is the HTTP answer."""

    status = 400

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class RateLimited(CommentRejected):
    status = 429

    def __init__(self, message, retry_after):
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class PostedComment:
    comment: Comment
    created: bool  # False when an identical comment (a double click) was already stored


def _lock(key, namespace=LOCK_NAMESPACE):
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [namespace, key])


def lock_address(ip_address):
    """Serialize comments from one address, so its rate limit sees all of them."""
    # Advisory lock keys are 32-bit: two addresses sharing one merely wait for each other.
    digest = hashlib.blake2b(ip_address.encode(), digest_size=4).digest()
    _lock(int.from_bytes(digest, "big", signed=True), namespace=ADDRESS_LOCK_NAMESPACE)


def lock_new_threads():
    """Serialize new top-level comments site-wide (they all compete for MAX(tree_id) + 1)."""
    _lock(NEW_THREAD_LOCK)


def lock_thread(tree_id):
    """Serialize writes to one comment tree."""
    # tree_ids start at 1, so no thread shares the new-thread key.
    _lock(tree_id)


def post_comment(
    *,
    target: Post | Page,
    parent: Comment | None,
    author_name: str,
    author_email: str,
    author_url: str = "",
    body: str,
    ip_address: str | None,
    user_agent: str = "",
    notify_on_reply: bool = False,
    user=None,
) -> PostedComment:
    """Store a comment or reply on a post or page, deciding whether it is shown at once."""
    if not target.is_public:
        raise CommentRejected(_("这篇文章不存在或尚未发布，不能评论。"))
    if not target.comments_open:
        raise CommentRejected(_("这篇文章已关闭评论。"))
    comment = Comment(
        **{targets.field_of(target): target},
        author_name=author_name,
        author_email=author_email,
        author_url=author_url,
        body=body,
        ip_address=ip_address,
        user_agent=(user_agent or "")[:300],
        notify_on_reply=notify_on_reply,
        user=user if user is not None and user.is_authenticated else None,
        is_post_author=bool(user is not None and user.is_authenticated and user == target.author),
    )
    comment.render()  # May raise UnrenderableComment before any lock is taken.

    rate_limited = comment.user is None or not comment.user.is_staff
    with transaction.atomic():
        if rate_limited and ip_address:
            lock_address(ip_address)
        if parent is None:
            lock_new_threads()
        else:
            lock_thread(parent.tree_id)
            parent = _current_parent(parent, target)
            comment.parent = parent
        duplicate = _find_duplicate(comment)
        if duplicate is not None:
            return PostedComment(duplicate, created=False)
        if rate_limited:
            _check_rate_limits(ip_address)
        comment.status, comment.held_reason = _moderation_decision(comment)
        comment.save()
        if notify_on_reply:
            _ask_for_notifications(comment)
        if comment.is_visible:
            _visible_comments_changed([comment])
            transaction.on_commit(lambda: notifications.notify_parent_author(comment))
        if not comment.is_post_author:
            transaction.on_commit(lambda: author_mail.comment_arrived(comment))
    return PostedComment(comment, created=True)


def _ask_for_notifications(comment):
    # The address gets replies only once its owner confirms (comments/subscriptions.py).
    due = subscriptions.request_notifications(email=comment.author_email)
    if due is not None:
        transaction.on_commit(partial(notifications.ask_for_confirmation, due, comment))


def reply_as_staff(
    *, comment: Comment, user, body: str, ip_address: str | None, user_agent: str = ""
) -> PostedComment:
    """Answer a comment from the admin as the logged-in author, approving it if it waits."""
    if not body.strip():
        raise CommentRejected(_("回复内容不能为空。"))
    if len(body) > settings.COMMENTS_MAX_LENGTH:
        raise CommentRejected(
            _("回复太长了：最多 %(limit)d 个字符。") % {"limit": settings.COMMENTS_MAX_LENGTH}
        )
    with transaction.atomic():
        if comment.status == Comment.Status.PENDING:
            # Answering a held comment publishes it, as the reply would otherwise dangle.
            moderate(comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.APPROVED)
        return post_comment(
            target=comment.target,
            parent=comment,
            author_name=(user.get_full_name() or user.get_username())[:50],
            author_email=user.email or settings.DEFAULT_FROM_EMAIL,
            body=body,
            ip_address=ip_address,
            user_agent=user_agent,
            user=user,
        )


def _current_parent(parent, target):
    # Re-read under the lock: lft/rght may have moved, and it may have been hidden meanwhile.
    current = Comment.objects.on(target).filter(pk=parent.pk).first()
    if current is None or not current.is_visible:
        raise CommentRejected(_("要回复的评论不存在或尚未通过审核。"))
    return current


def _find_duplicate(comment):
    return (
        Comment.objects.on(comment.target)
        .filter(
            parent=comment.parent,
            author_email__iexact=comment.author_email,
            body=comment.body,
            created_at__gte=timezone.now() - DUPLICATE_WINDOW,
        )
        .exclude(status__in=[Comment.Status.SPAM, Comment.Status.REMOVED])
        .first()
    )


def _check_rate_limits(ip_address):
    if not ip_address:
        return
    now = timezone.now()
    for limit, seconds in settings.COMMENTS_RATE_LIMITS:
        recent = Comment.objects.filter(
            ip_address=ip_address, created_at__gte=now - timedelta(seconds=seconds)
        ).order_by("created_at")
        count = recent.count()
        if count >= limit:
            oldest = recent.values_list("created_at", flat=True)[count - limit]
            retry_after = max(1, int((oldest + timedelta(seconds=seconds) - now).total_seconds()))
            raise RateLimited(
                _("评论太频繁了：%(limit)d 条 / %(seconds)d 秒。请 %(retry)d 秒后再试。")
                % {"limit": limit, "seconds": seconds, "retry": retry_after},
                retry_after=retry_after,
            )


def _moderation_decision(comment):
    """Return the new comment's status and, when it is held, why (shown in the admin)."""
    approved = (Comment.Status.APPROVED, Comment.HeldReason.NONE)
    if comment.user is not None and (comment.user.is_staff or comment.is_post_author):
        return approved
    policy = settings.COMMENTS_MODERATION
    if policy == "hold_all":
        return Comment.Status.PENDING, Comment.HeldReason.RULE
    if comment.link_count() > settings.COMMENTS_MAX_LINKS:
        return Comment.Status.PENDING, Comment.HeldReason.LINKS
    if policy == "approve_all":
        return approved
    known_commenter = (
        Comment.objects.visible().filter(author_email__iexact=comment.author_email).exists()
    )
    return approved if known_commenter else (Comment.Status.PENDING, Comment.HeldReason.FIRST_TIME)


def refresh_comment_counts(post_ids: Iterable[int], page_ids: Iterable[int] = ()) -> None:
    """Recount visible comments of these posts and pages, in SQL, under their row locks."""
    for model, field, ids in ((Post, "post", post_ids), (Page, "page", page_ids)):
        ids = sorted(ids)
        if not ids:
            continue
        # The row lock makes the count below see every comment committed before it.
        list(model.objects.select_for_update().filter(pk__in=ids).values_list("pk", flat=True))
        approved = (
            Comment.objects.visible()
            .filter(**{field: OuterRef("pk")})
            .order_by()
            .values(field)
            .annotate(n=Count("pk"))
            .values("n")
        )
        model.objects.filter(pk__in=ids).update(comment_count=Coalesce(Subquery(approved), 0))


@transaction.atomic
def moderate(*, comments: QuerySet[Comment], status: str) -> int:
    """Set the status of these comments, keeping counts, caches and reply mail in step."""
    comments = list(comments.select_related("parent", "post", "page"))
    approving = status == Comment.Status.APPROVED
    newly_approved = [c for c in comments if approving and c.status != Comment.Status.APPROVED]
    ids = [c.pk for c in comments]
    Comment.objects.filter(pk__in=ids).update(status=status)
    _visible_comments_changed(comments)
    for comment in newly_approved:
        comment.status = status
        transaction.on_commit(partial(notifications.notify_parent_author, comment))
    return len(ids)


def delete_comments(*, comments: QuerySet[Comment]) -> int:
    """Delete these comments and their replies, each tree under its lock; return how many went."""
    changed = [
        Comment(post_id=post_id, page_id=page_id)
        for post_id, page_id in comments.order_by().values_list("post_id", "page_id").distinct()
    ]
    deleted = 0
    with transaction.atomic():
        # Trees in one order, so two deletes never wait on each other's locks; deepest first
        # within a tree, so a chosen reply goes before the parent that would take it along.
        for comment in comments.order_by("tree_id", "-level"):
            lock_thread(comment.tree_id)
            # Re-read under the lock: earlier deletes in the same tree moved lft/rght, or took
            # this comment with its parent.
            current = Comment.objects.filter(pk=comment.pk).first()
            if current is not None:
                deleted += current.get_descendant_count() + 1
                current.delete()
        _visible_comments_changed(changed)
    return deleted


def comment_edited(*, comment: Comment) -> None:
    """Bring counts and caches in step after a comment was saved in the admin."""
    with transaction.atomic():
        _visible_comments_changed([comment])


def _visible_comments_changed(comments):
    refresh_comment_counts(
        {c.post_id for c in comments if c.post_id is not None},
        {c.page_id for c in comments if c.page_id is not None},
    )
    # Comment counts changed through a queryset update, which sends no signal.
    content_version.bump()
