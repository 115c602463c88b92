"""Reply notifications: double opt-in, a daily cap, and unsubscribe links that expire."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from comments.models import Comment, ReplySubscription
from tests.factories import make_comment, make_confirmed_subscription

CONFIRM_LINK = re.compile(r"(/comments/confirm/[^/\s]+/)")
UNSUBSCRIBE_LINK = re.compile(r"(/comments/unsubscribe/[^/\s]+/)")


@pytest.fixture(autouse=True)
def approve_everything(settings):
    settings.COMMENTS_MODERATION = "approve_all"


@pytest.fixture
def comment_through_the_form(client, post, form_data, django_capture_on_commit_callbacks):
    """Post through the real form; mail goes out once the comment's transaction commits."""

    def comment(parent=None, **fields):
        if parent is not None:
            fields["parent"] = parent.pk
        fields.setdefault("author_email", "replier@example.com")
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/archives/{post.pk}/comment", form_data(**fields))

    return comment


def link_in(message, pattern):
    return pattern.search(message.body).group(1)


def test_the_first_request_from_an_address_sends_one_confirmation_and_nothing_else(
    comment_through_the_form,
):
    comment_through_the_form(
        author_email="Victim@example.com", notify_on_reply="on", body="我想收到回复"
    )
    asker = Comment.objects.get(author_email="Victim@example.com")
    assert [m.to for m in mail.outbox] == [["victim@example.com"]]
    assert CONFIRM_LINK.search(mail.outbox[0].body)
    for number in range(5):
        comment_through_the_form(asker, author_email=f"other{number}@example.com")
    comment_through_the_form(author_email="victim@example.com", notify_on_reply="on", body="又一条")
    assert len(mail.outbox) == 1  # no reply mail, no second confirmation


def test_once_confirmed_replies_are_mailed(client, comment_through_the_form):
    comment_through_the_form(author_email="asker@example.com", notify_on_reply="on")
    asker = Comment.objects.get(author_email="asker@example.com")
    link = link_in(mail.outbox[0], CONFIRM_LINK)
    assert client.get(link).status_code == 200
    assert not ReplySubscription.objects.get().is_confirmed  # a GET (a mail scanner) is not consent
    assert "已确认" in client.post(link).content.decode()
    comment_through_the_form(asker, body="这是回复")
    assert [m.to for m in mail.outbox[1:]] == [["asker@example.com"]]
    assert "这是回复" in mail.outbox[1].body
    assert UNSUBSCRIBE_LINK.search(mail.outbox[1].body)


def test_a_confirmed_address_gets_no_confirmation_mail(comment_through_the_form):
    make_confirmed_subscription("asker@example.com")
    comment_through_the_form(author_email="asker@example.com", notify_on_reply="on")
    assert mail.outbox == []


def test_no_mail_without_opt_in_or_while_the_reply_is_pending(
    post, comment_through_the_form, settings
):
    make_confirmed_subscription("quiet@example.com")
    make_confirmed_subscription("loud@example.com")
    quiet = make_comment(post, author_email="quiet@example.com", notify_on_reply=False)
    comment_through_the_form(quiet)
    settings.COMMENTS_MODERATION = "hold_all"
    loud = make_comment(post, author_email="loud@example.com", notify_on_reply=True)
    comment_through_the_form(loud, body="待审核回复")
    assert mail.outbox == []


def test_reply_mail_to_one_address_stops_at_the_daily_limit(
    post, comment_through_the_form, settings, time_machine
):
    settings.COMMENTS_NOTIFY_DAILY_LIMIT = 2
    time_machine.move_to("2030-03-01 10:00:00+08:00", tick=False)
    make_confirmed_subscription("popular@example.com")
    parent = make_comment(post, author_email="popular@example.com", notify_on_reply=True)
    for number in range(4):
        comment_through_the_form(parent, author_email=f"fan{number}@example.com")
    assert len(mail.outbox) == 2
    time_machine.move_to("2030-03-02 10:00:00+08:00", tick=False)
    comment_through_the_form(parent, author_email="late@example.com", body="第二天的回复")
    assert len(mail.outbox) == 3


def test_links_name_the_subscription_without_showing_the_address(post, comment_through_the_form):
    comment_through_the_form(author_email="secret.person@example.com", notify_on_reply="on")
    make_confirmed_subscription("asker@example.com")
    parent = make_comment(post, author_email="asker@example.com", notify_on_reply=True)
    comment_through_the_form(parent)
    links = [link_in(mail.outbox[0], CONFIRM_LINK), link_in(mail.outbox[1], UNSUBSCRIBE_LINK)]
    for link, address in zip(links, ["secret.person", "asker"], strict=True):
        token = link.split("/")[3]
        assert address not in token
        # signing.dumps would carry the address in base64 (readable by anyone).
        assert "@" not in _base64_text(token.split(":")[0])


def _base64_text(text):
    import base64

    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode(errors="replace")


def test_unsubscribe_link_stops_notifications_after_confirmation(
    client, post, comment_through_the_form
):
    make_confirmed_subscription("asker@example.com")
    parent = make_comment(post, author_email="asker@example.com", notify_on_reply=True)
    comment_through_the_form(parent)
    link = link_in(mail.outbox[0], UNSUBSCRIBE_LINK)
    confirm = client.get(link)
    assert confirm.status_code == 200
    assert "asker@example.com" not in confirm.content.decode()
    assert Comment.objects.get(pk=parent.pk).notify_on_reply  # a GET changes nothing
    done = client.post(link)
    assert "将不再收到回复通知" in done.content.decode()
    assert not Comment.objects.get(pk=parent.pk).notify_on_reply
    comment_through_the_form(parent, author_email="second@example.com")
    assert len(mail.outbox) == 1


def test_unsubscribe_link_expires(client, post, comment_through_the_form, time_machine, settings):
    make_confirmed_subscription("asker@example.com")
    parent = make_comment(post, author_email="asker@example.com", notify_on_reply=True)
    comment_through_the_form(parent)
    link = link_in(mail.outbox[0], UNSUBSCRIBE_LINK)
    time_machine.move_to(
        timezone.now() + timedelta(days=settings.COMMENTS_UNSUBSCRIBE_LINK_DAYS + 1), tick=False
    )
    response = client.post(link)
    assert response.status_code == 400
    assert "已过期" in response.content.decode()
    assert Comment.objects.get(pk=parent.pk).notify_on_reply


def test_an_old_unsubscribe_link_does_nothing_after_subscribing_anew(
    client, post, comment_through_the_form
):
    make_confirmed_subscription("asker@example.com")
    parent = make_comment(post, author_email="asker@example.com", notify_on_reply=True)
    comment_through_the_form(parent)
    old_link = link_in(mail.outbox[0], UNSUBSCRIBE_LINK)
    client.post(old_link)
    # Subscribing again takes a new confirmation.
    comment_through_the_form(author_email="asker@example.com", notify_on_reply="on", body="回来了")
    client.post(link_in(mail.outbox[-1], CONFIRM_LINK))
    assert ReplySubscription.objects.get().is_confirmed
    response = client.post(old_link)
    assert response.status_code == 400
    assert ReplySubscription.objects.get().is_confirmed


def test_a_confirmation_link_expires_and_a_later_request_sends_a_new_one(
    client, comment_through_the_form, time_machine, settings
):
    comment_through_the_form(author_email="slow@example.com", notify_on_reply="on")
    link = link_in(mail.outbox[0], CONFIRM_LINK)
    later = timezone.now() + timedelta(days=settings.COMMENTS_CONFIRM_LINK_DAYS + 1)
    time_machine.move_to(later, tick=False)
    response = client.post(link)
    assert response.status_code == 400
    assert "已过期" in response.content.decode()
    assert not ReplySubscription.objects.get().is_confirmed
    comment_through_the_form(author_email="slow@example.com", notify_on_reply="on", body="再试")
    assert len(mail.outbox) == 2


@pytest.mark.parametrize("kind", ["unsubscribe", "confirm"])
def test_tampered_links_are_refused(client, db, kind):
    response = client.get(f"/comments/{kind}/someone@example.com:forged/")
    assert response.status_code == 400
    assert "链接无效" in response.content.decode()
