"""Consent to reply notifications: asked for, confirmed by mail, capped per day, withdrawn.

Anyone can type someone else's address into the comment form, so an address is mailed
replies only after its owner has followed the link of one confirmation mail. Until then it
gets that one mail and nothing else (another only once the link has expired, and only when
a comment asks again). Links carry a signed, timestamped random key of the subscription:
they expire, show no address, and die when the subscription is withdrawn.
"""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone

from .models import Comment, ReplySubscription, new_subscription_key

CONFIRM_SALT = "comments.subscription.confirm"
UNSUBSCRIBE_SALT = "comments.subscription.unsubscribe"


def normalized(email):
    return email.strip().lower()


def request_notifications(*, email: str) -> ReplySubscription | None:
    """Record that a comment asked for replies to go to this address.

    Returns the subscription when a confirmation mail is due (the caller sends it once the
    comment is stored), None when the address is confirmed already or was just asked.
    """
    subscription, _ = ReplySubscription.objects.get_or_create(email=normalized(email))
    if subscription.is_confirmed:
        return None
    now = timezone.now()
    expired = now - timedelta(days=settings.COMMENTS_CONFIRM_LINK_DAYS)
    # A conditional UPDATE, so two comments at once never both send the mail.
    claimed = (
        ReplySubscription.objects.filter(pk=subscription.pk, confirmed_at=None)
        .filter(Q(confirmation_sent_at=None) | Q(confirmation_sent_at__lt=expired))
        .update(confirmation_sent_at=now)
    )
    return subscription if claimed else None


def confirmed_subscription(email):
    """The address's subscription if its owner confirmed it, else None."""
    return ReplySubscription.objects.filter(
        email=normalized(email), confirmed_at__isnull=False
    ).first()


def claim_daily_mail(subscription) -> bool:
    """Count one reply mail against today's cap for this address; False when it is reached."""
    today = timezone.localdate()
    counted = (
        ReplySubscription.objects.filter(pk=subscription.pk, confirmed_at__isnull=False)
        .filter(
            ~Q(mails_day=today)
            | Q(mails_day=None)
            | Q(mails_sent__lt=settings.COMMENTS_NOTIFY_DAILY_LIMIT)
        )
        # Both sides of SET read the row as it was, so the day and count move together.
        .update(
            mails_sent=Case(When(mails_day=today, then=F("mails_sent") + 1), default=Value(1)),
            mails_day=today,
        )
    )
    return bool(counted)


def confirm_link_token(subscription):
    return signing.dumps(subscription.key, salt=CONFIRM_SALT)


def unsubscribe_link_token(subscription):
    return signing.dumps(subscription.key, salt=UNSUBSCRIBE_SALT)


class LinkExpired(Exception):
    pass


def _subscription_from(token, *, salt, days):
    """The subscription a link names; None if forged or withdrawn, LinkExpired if too old."""
    try:
        key = signing.loads(token, salt=salt, max_age=timedelta(days=days))
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except signing.BadSignature:
        return None
    if not isinstance(key, str):
        return None
    return ReplySubscription.objects.filter(key=key).first()


def subscription_to_confirm(token):
    return _subscription_from(token, salt=CONFIRM_SALT, days=settings.COMMENTS_CONFIRM_LINK_DAYS)


def subscription_to_end(token):
    subscription = _subscription_from(
        token, salt=UNSUBSCRIBE_SALT, days=settings.COMMENTS_UNSUBSCRIBE_LINK_DAYS
    )
    return subscription if subscription is not None and subscription.is_confirmed else None


def confirm(*, subscription: ReplySubscription) -> None:
    """The owner followed the link: mail this address its replies from now on."""
    ReplySubscription.objects.filter(pk=subscription.pk, confirmed_at=None).update(
        confirmed_at=timezone.now()
    )


@transaction.atomic
def unsubscribe(*, subscription: ReplySubscription) -> int:
    """Withdraw consent: no more reply mail, and every link given out so far stops working."""
    ReplySubscription.objects.filter(pk=subscription.pk).update(
        confirmed_at=None, confirmation_sent_at=None, key=new_subscription_key()
    )
    return Comment.objects.filter(
        author_email__iexact=subscription.email, notify_on_reply=True
    ).update(notify_on_reply=False)
