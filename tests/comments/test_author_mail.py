"""Mail to the blog's author about new comments, the daily digest, and the one-click links."""

import re
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.core.management import call_command
from django.utils import timezone

from comments import author_mail
from comments.models import Comment
from tests.factories import make_comment, make_user


@pytest.fixture
def author_mail_on(settings):
    def turn_on(mode="each", to="owner@example.org"):
        settings.COMMENTS_AUTHOR_MAIL = {"to": to, "enabled": True, "mode": mode}

    return turn_on


@pytest.fixture
def post_through_the_form(client, post, form_data, django_capture_on_commit_callbacks):
    def post_comment(**fields):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(f"/archives/{post.pk}/comment", form_data(**fields))

    return post_comment


def links_in(message):
    return re.findall(r"http://\S+/comments/moderate/\S+/", message.body)


def test_a_held_comment_mails_the_author_with_approve_spam_and_reply_links(
    author_mail_on, post_through_the_form
):
    author_mail_on()
    post_through_the_form(body="第一次来，$\\alpha$ 的定义是什么？")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["owner@example.org"]
    assert "等待审核" in message.subject
    assert "第一次来，$\\alpha$ 的定义是什么？" in message.body
    assert len(links_in(message)) == 3
    assert Comment.objects.get().author_mailed_at is not None


def test_an_approved_comment_mails_the_author_as_new(author_mail_on, post, post_through_the_form):
    author_mail_on()
    make_comment(post, author_email="zhangsan@example.com")  # a known commenter
    post_through_the_form()
    assert "有新评论" in mail.outbox[0].subject
    assert len(links_in(mail.outbox[0])) == 2  # no approve link for an approved comment


def test_no_mail_when_turned_off_or_without_an_address(settings, post_through_the_form):
    settings.COMMENTS_AUTHOR_MAIL = {"to": "", "enabled": False, "mode": "each"}
    post_through_the_form()
    assert mail.outbox == []


def test_the_address_defaults_to_the_first_superusers(settings, author, post_through_the_form):
    settings.COMMENTS_AUTHOR_MAIL = {"to": "", "enabled": True, "mode": "each"}
    post_through_the_form()
    assert mail.outbox[0].to == [author.email]


def test_digest_mode_sends_nothing_at_once_then_one_mail_for_all(
    author_mail_on, post, post_through_the_form
):
    author_mail_on(mode="digest")
    post_through_the_form(body="第一条")
    post_through_the_form(body="第二条", author_email="lisi@example.com", author_name="李四")
    assert mail.outbox == []
    call_command("send_comment_digest")
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "第一条" in body and "第二条" in body
    assert "2 条新评论（2 条待审核）" in mail.outbox[0].subject
    call_command("send_comment_digest")
    assert len(mail.outbox) == 1  # nothing new, no second mail


def test_digest_leaves_out_old_comments_and_the_authors_own(author_mail_on, post, author):
    author_mail_on(mode="digest")
    old = make_comment(post, status="pending")
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=30))
    make_comment(post, is_post_author=True, user=author)
    assert author_mail.send_digest() == 0
    assert mail.outbox == []


@pytest.fixture
def pending(post):
    return make_comment(post, status="pending")


def link(comment, action):
    return f"/comments/moderate/{author_mail.link_token(comment, action)}/"


def test_approve_link_works_for_a_logged_in_staff_user(client, author, pending):
    client.force_login(author)
    response = client.get(link(pending, "approve"))
    assert response.status_code == 302
    assert response["Location"] == f"/admin/comments/comment/{pending.pk}/change/"
    pending.refresh_from_db()
    assert pending.status == Comment.Status.APPROVED


def test_spam_link_marks_the_comment_as_spam(client, author, pending):
    client.force_login(author)
    client.get(link(pending, "spam"))
    pending.refresh_from_db()
    assert pending.status == Comment.Status.SPAM


def test_reply_link_opens_the_reply_box(client, author, pending):
    client.force_login(author)
    response = client.get(link(pending, "reply"))
    assert response["Location"] == f"/admin/comments/comment/{pending.pk}/change/#reply"


def test_a_logged_out_visitor_is_sent_to_log_in_and_nothing_changes(client, pending):
    response = client.get(link(pending, "approve"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_a_tampered_link_is_refused(client, author, pending, post):
    client.force_login(author)
    other = make_comment(post, status="pending")
    token = author_mail.link_token(pending, "approve")
    payload, rest = token.split(":", 1)
    forged = signing.b64_encode(
        signing.b64_decode(payload.encode()).replace(
            str(pending.pk).encode(), str(other.pk).encode()
        )
    ).decode()
    for bad in (forged + ":" + rest, token[:-2] + "xx", "garbage"):
        response = client.get(f"/comments/moderate/{bad}/")
        assert response.status_code == 400
    assert set(Comment.objects.values_list("status", flat=True)) == {"pending"}


def test_an_expired_link_is_refused(client, author, pending, time_machine, settings):
    settings.COMMENTS_MODERATION_LINK_DAYS = 7
    time_machine.move_to(timezone.now())
    url = link(pending, "approve")
    time_machine.shift(timedelta(days=8))
    client.force_login(author)
    response = client.get(url)
    assert response.status_code == 400
    assert "过期" in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING


def test_a_staff_user_without_comment_rights_is_refused(client, pending):
    client.force_login(make_user(is_staff=True))
    assert client.get(link(pending, "approve")).status_code == 403
    pending.refresh_from_db()
    assert pending.status == Comment.Status.PENDING
