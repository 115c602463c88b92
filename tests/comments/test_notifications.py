"""Reply notifications by email, with a signed unsubscribe link."""

import re

import pytest
from django.core import mail

from comments.models import Comment
from tests.factories import make_comment


@pytest.fixture
def reply_through_the_form(client, post, form_data, django_capture_on_commit_callbacks):
    def reply(parent, **fields):
        data = form_data(parent=parent.pk, author_email="replier@example.com", **fields)
        # Mail goes out once the comment's transaction commits.
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/archives/{post.pk}/comment", data)

    return reply


def test_reply_notifies_a_parent_author_who_opted_in(
    client, post, reply_through_the_form, settings
):
    settings.COMMENTS_MODERATION = "approve_all"
    parent = make_comment(post, author_email="asker@example.com", notify_on_reply=True)
    reply_through_the_form(parent, body="这是回复")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["asker@example.com"]
    assert "这是回复" in message.body
    assert "/comments/unsubscribe/" in message.body


def test_no_mail_without_opt_in_or_while_the_reply_is_pending(
    client, post, reply_through_the_form, settings
):
    settings.COMMENTS_MODERATION = "approve_all"
    quiet = make_comment(post, notify_on_reply=False)
    reply_through_the_form(quiet)
    settings.COMMENTS_MODERATION = "hold_all"
    loud = make_comment(post, notify_on_reply=True)
    reply_through_the_form(loud, body="待审核回复")
    assert mail.outbox == []


def test_unsubscribe_link_stops_notifications_after_confirmation(
    client, post, reply_through_the_form, settings
):
    settings.COMMENTS_MODERATION = "approve_all"
    parent = make_comment(post, author_email="asker@example.com", notify_on_reply=True)
    reply_through_the_form(parent)
    link = re.search(r"(/comments/unsubscribe/[^/\s]+/)", mail.outbox[0].body).group(1)
    confirm = client.get(link)
    assert confirm.status_code == 200
    assert Comment.objects.get(pk=parent.pk).notify_on_reply  # a GET changes nothing
    done = client.post(link)
    assert "将不再收到回复通知" in done.content.decode()
    assert not Comment.objects.get(pk=parent.pk).notify_on_reply


def test_tampered_unsubscribe_token_is_refused(client, post):
    response = client.get("/comments/unsubscribe/someone@example.com:forged/")
    assert response.status_code == 400
    assert "链接无效" in response.content.decode()
