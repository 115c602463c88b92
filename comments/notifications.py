"""Mail to commenters: the one confirmation of an address, then replies to their comments."""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from . import subscriptions

logger = logging.getLogger(__name__)


def _send(subject, template, context, to, *, what):
    try:
        send_mail(
            subject,
            render_to_string(template, {**context, "SITE_NAME": settings.SITE_NAME}),
            settings.DEFAULT_FROM_EMAIL,
            [to],
        )
    except Exception:
        # A mail server hiccup must not undo a comment that is already stored.
        logger.exception("Could not send %s", what)


def ask_for_confirmation(subscription, comment):
    """Mail the address once, asking whether it wants the replies to this comment."""
    token = subscriptions.confirm_link_token(subscription)
    context = {
        "comment": comment,
        "post": comment.target,
        "confirm_url": settings.SITE_URL
        + reverse("comments:confirm_subscription", kwargs={"token": token}),
        "days": settings.COMMENTS_CONFIRM_LINK_DAYS,
    }
    subject = _("请确认是否接收《%(title)s》下的评论回复通知") % {"title": comment.target.title}
    _send(
        subject,
        "comments/confirm_subscription.txt",
        context,
        subscription.email,
        what=f"the confirmation mail for comment {comment.pk}",
    )


def notify_parent_author(reply):
    """Mail the author of the comment being answered, if they asked for it and confirmed."""
    parent = reply.parent
    if parent is None or not parent.notify_on_reply or not parent.is_visible:
        return
    if subscriptions.normalized(parent.author_email) == subscriptions.normalized(
        reply.author_email
    ):
        return
    subscription = subscriptions.confirmed_subscription(parent.author_email)
    if subscription is None or not subscriptions.claim_daily_mail(subscription):
        return
    token = subscriptions.unsubscribe_link_token(subscription)
    context = {
        "reply": reply,
        "parent": parent,
        "post": reply.target,
        "reply_url": settings.SITE_URL + reply.get_absolute_url(),
        "unsubscribe_url": settings.SITE_URL
        + reverse("comments:unsubscribe", kwargs={"token": token}),
    }
    subject = _("%(name)s 回复了你在《%(title)s》下的评论") % {
        "name": reply.author_name,
        "title": reply.target.title,
    }
    _send(
        subject,
        "comments/reply_notification.txt",
        context,
        parent.author_email,
        what=f"the reply notification for comment {reply.pk}",
    )
