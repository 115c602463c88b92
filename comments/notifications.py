"""Reply notification mail, with a signed link to stop it."""

import logging

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

logger = logging.getLogger(__name__)
UNSUBSCRIBE_SALT = "comments.unsubscribe"


def unsubscribe_token(email):
    return signing.dumps(email.strip().lower(), salt=UNSUBSCRIBE_SALT, compress=True)


def email_from_unsubscribe_token(token):
    """Return the email a token was made for, or None if it was tampered with."""
    try:
        return signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None


def notify_parent_author(reply):
    """Mail the author of the comment being answered, if they asked for it."""
    parent = reply.parent
    if parent is None or not parent.notify_on_reply or not parent.is_visible:
        return
    if parent.author_email.strip().lower() == reply.author_email.strip().lower():
        return
    context = {
        "reply": reply,
        "parent": parent,
        "post": reply.target,
        "reply_url": settings.SITE_URL + reply.get_absolute_url(),
        "unsubscribe_url": settings.SITE_URL
        + reverse("comments:unsubscribe", kwargs={"token": unsubscribe_token(parent.author_email)}),
        "SITE_NAME": settings.SITE_NAME,
    }
    subject = _("%(name)s 回复了你在《%(title)s》下的评论") % {
        "name": reply.author_name,
        "title": reply.target.title,
    }
    try:
        send_mail(
            subject,
            render_to_string("comments/reply_notification.txt", context),
            settings.DEFAULT_FROM_EMAIL,
            [parent.author_email],
        )
    except Exception:
        # A mail server hiccup must not undo a comment that is already stored.
        logger.exception("Could not send reply notification for comment %s", reply.pk)
