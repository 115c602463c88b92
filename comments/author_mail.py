"""Mail to the blog's author about new comments, with signed one-click moderation links.

The settings come through `mail_settings()` only, so they can move from the environment to a
site-settings row edited in the admin without touching the rest.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import Comment

logger = logging.getLogger(__name__)
LINK_SALT = "comments.moderation-link"
ACTIONS = ("approve", "spam", "reply")
# A digest covers comments no older than this, so switching from "each" to "digest" does not
# mail the whole history.
DIGEST_WINDOW = timedelta(days=7)


def mail_settings():
    """Return {"to": address or "", "enabled": bool, "mode": "each" | "digest"}."""
    configured = settings.COMMENTS_AUTHOR_MAIL
    to = configured.get("to") or (
        get_user_model()
        .objects.filter(is_superuser=True, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
        .first()
    )
    return {
        "to": to or "",
        "enabled": bool(configured.get("enabled")) and bool(to),
        "mode": "digest" if configured.get("mode") == "digest" else "each",
    }


def link_token(comment, action):
    """Sign (comment, action) for a link in the author's mail."""
    return signing.dumps({"comment": comment.pk, "action": action}, salt=LINK_SALT)


def read_link_token(token):
    """Return (comment id, action) of a valid, unexpired token.

    Raises signing.SignatureExpired for an old link, signing.BadSignature for a changed one.
    """
    max_age = timedelta(days=settings.COMMENTS_MODERATION_LINK_DAYS)
    data = signing.loads(token, salt=LINK_SALT, max_age=max_age)
    if not isinstance(data, dict) or data.get("action") not in ACTIONS:
        raise signing.BadSignature("unknown action")
    return int(data["comment"]), data["action"]


def moderation_links(comment):
    """Absolute one-click links for a comment, by action."""
    return {
        action: settings.SITE_URL
        + reverse("comments:moderate_by_link", kwargs={"token": link_token(comment, action)})
        for action in ACTIONS
    }


def _entry(comment):
    return {"comment": comment, "post": comment.target, "links": moderation_links(comment)}


def _mail_context():
    return {"SITE_NAME": settings.SITE_NAME, "LINK_DAYS": settings.COMMENTS_MODERATION_LINK_DAYS}


def comment_arrived(comment):
    """Mail the author about a new comment at once, when mail is on and set to each comment."""
    config = mail_settings()
    if not config["enabled"] or config["mode"] != "each":
        return
    if comment.status == Comment.Status.PENDING:
        subject = _("《%(title)s》有一条评论等待审核") % {"title": comment.target.title}
    else:
        subject = _("《%(title)s》有新评论") % {"title": comment.target.title}
    body = render_to_string(
        "comments/author_mail.txt", {"entries": [_entry(comment)], **_mail_context()}
    )
    if _send(subject, body, config["to"]):
        Comment.objects.filter(pk=comment.pk).update(author_mailed_at=timezone.now())


def send_digest(*, now=None):
    """Mail one digest of the comments the author has not heard of; return how many it lists."""
    config = mail_settings()
    if not config["enabled"] or config["mode"] != "digest":
        return 0
    now = now or timezone.now()
    comments = list(
        Comment.objects.filter(
            author_mailed_at__isnull=True,
            is_post_author=False,
            created_at__gte=now - DIGEST_WINDOW,
            status__in=[Comment.Status.PENDING, Comment.Status.APPROVED],
        )
        .select_related("post", "page", "parent")
        .order_by("created_at", "pk")
    )
    if not comments:
        return 0
    pending = sum(comment.status == Comment.Status.PENDING for comment in comments)
    subject = ngettext(
        "%(count)d 条新评论（%(pending)d 条待审核）",
        "%(count)d 条新评论（%(pending)d 条待审核）",
        len(comments),
    ) % {"count": len(comments), "pending": pending}
    body = render_to_string(
        "comments/author_mail.txt",
        {"entries": [_entry(c) for c in comments], **_mail_context()},
    )
    if not _send(subject, body, config["to"]):
        return 0
    Comment.objects.filter(pk__in=[c.pk for c in comments]).update(author_mailed_at=now)
    return len(comments)


def _send(subject, body, to):
    try:
        send_mail(f"[{settings.SITE_NAME}] {subject}", body, settings.DEFAULT_FROM_EMAIL, [to])
    except Exception:
        # A mail server hiccup must not undo a comment that is already stored.
        logger.exception("Could not mail the author about new comments")
        return False
    return True
