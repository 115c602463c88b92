"""Comments on standalone pages (a guestbook): the same form, service, threads and admin."""

import re
import time

import pytest
from django.core import mail, signing
from django.db import IntegrityError, transaction
from django.test import Client

from comments import services
from comments.forms import TIMESTAMP_SALT
from comments.models import Comment
from tests.factories import make_comment, make_confirmed_subscription, make_page

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"


@pytest.fixture
def guestbook(db, author):
    return make_page(
        title="留言板", slug="guestbook", author=author, comments_open=True, in_navigation=True
    )


def page_form(page, **overrides):
    data = {
        "author_name": "访客",
        "author_email": "visitor@example.com",
        "author_url": "",
        "body": "路过留言，$\\alpha + \\beta$。",
        "timestamp": signing.dumps({"page": page.pk, "at": time.time() - 10}, salt=TIMESTAMP_SALT),
        "homepage": "",
    }
    data.update(overrides)
    return data


def test_a_guestbook_shows_the_comment_form_posting_to_the_page(guestbook):
    html = Client().get("/guestbook.html").content.decode()
    assert f'action="/comments/page/{guestbook.pk}/"' in html
    assert 'name="timestamp"' in html


def test_a_comment_on_a_page_is_stored_on_the_page_and_shown_there(client, guestbook, settings):
    settings.COMMENTS_MODERATION = "approve_all"
    response = client.post(f"/comments/page/{guestbook.pk}/", page_form(guestbook))
    comment = Comment.objects.get()
    assert (comment.page, comment.post) == (guestbook, None)
    assert response.status_code == 302
    assert response["Location"] == f"/guestbook.html#comment-{comment.pk}"
    guestbook.refresh_from_db()
    assert guestbook.comment_count == 1
    html = Client().get("/guestbook.html").content.decode()
    assert "路过留言" in html and f'id="comment-{comment.pk}"' in html


def test_a_form_served_for_a_post_is_refused_on_a_page(client, guestbook, post):
    stolen = signing.dumps({"post": guestbook.pk, "at": time.time() - 10}, salt=TIMESTAMP_SALT)
    response = client.post(
        f"/comments/page/{guestbook.pk}/", page_form(guestbook, timestamp=stolen)
    )
    assert response.status_code == 400
    assert not Comment.objects.exists()


def test_a_reply_to_a_comment_of_a_post_is_refused_on_a_page(client, guestbook, post):
    elsewhere = make_comment(post)
    response = client.post(
        f"/comments/page/{guestbook.pk}/", page_form(guestbook, parent=elsewhere.pk)
    )
    assert response.status_code == 400
    assert "路过留言" in response.content.decode()  # the text is kept
    assert Comment.objects.count() == 1


def test_a_page_with_comments_closed_refuses_them_and_drafts_are_not_found(
    client, author, guestbook
):
    closed = make_page(author=author, slug="closed", comments_open=False)
    with pytest.raises(services.CommentRejected):
        services.post_comment(
            target=closed,
            parent=None,
            author_name="a",
            author_email="a@example.com",
            body="x",
            ip_address=None,
        )
    draft = make_page(author=author, slug="wip", status="draft", comments_open=True)
    assert client.post(f"/comments/page/{draft.pk}/", page_form(draft)).status_code == 404


def test_a_comment_belongs_to_exactly_one_post_or_page(guestbook, post):
    both = Comment(post=post, page=guestbook, author_name="a", author_email="a@e.org", body="x")
    neither = Comment(author_name="a", author_email="a@e.org", body="x")
    for comment in (both, neither):
        with pytest.raises(IntegrityError), transaction.atomic():
            comment.save()


def test_threads_replies_and_later_comment_pages_work_on_a_page(guestbook, settings):
    settings.COMMENTS_THREADS_PER_PAGE = 2
    roots = [make_comment(guestbook) for _ in range(3)]
    reply = make_comment(guestbook, parent=roots[2])
    assert reply.get_absolute_url() == f"/guestbook.html/comment-page-2#comment-{reply.pk}"
    html = Client().get("/guestbook.html/comment-page-2").content.decode()
    assert f'id="comment-{reply.pk}"' in html and 'href="/guestbook.html#comments"' in html
    assert Client().get("/guestbook.html/comment-page-1").status_code == 301
    assert Client().get("/guestbook.html/comment-page-9").status_code == 404


def test_the_recent_comments_sidebar_links_comments_on_pages(guestbook, post):
    comment = make_comment(guestbook, body="留言板上的话")
    make_comment(post)
    html = Client(HTTP_USER_AGENT=BROWSER).get("/").content.decode()
    sidebar = re.search(r'<ul class="recent-comments">.*?</ul>', html, re.S).group(0)
    assert f'href="/guestbook.html#comment-{comment.pk}"' in sidebar
    assert "《留言板》" in sidebar


def test_moderating_a_page_comment_updates_the_pages_count(guestbook):
    held = make_comment(guestbook, status="pending")
    services.moderate(comments=Comment.objects.filter(pk=held.pk), status="approved")
    guestbook.refresh_from_db()
    assert guestbook.comment_count == 1
    services.delete_comments(comments=Comment.objects.filter(pk=held.pk))
    guestbook.refresh_from_db()
    assert guestbook.comment_count == 0


def test_a_reply_on_a_page_mails_the_parent_author_naming_the_page(
    client, guestbook, settings, django_capture_on_commit_callbacks
):
    settings.COMMENTS_MODERATION = "approve_all"
    parent = make_comment(guestbook, author_email="asker@example.com", notify_on_reply=True)
    make_confirmed_subscription("asker@example.com")  # reply mail goes to confirmed addresses
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/comments/page/{guestbook.pk}/",
            page_form(guestbook, parent=parent.pk, body="回复你"),
        )
    to_asker = [m for m in mail.outbox if m.to == ["asker@example.com"]]
    assert len(to_asker) == 1 and "留言板" in to_asker[0].body


def test_the_admin_lists_page_comments_with_a_link_to_the_page(client, author, guestbook):
    make_comment(guestbook, body="后台可见")
    client.force_login(author)
    html = client.get("/admin/comments/comment/").content.decode()
    assert 'href="/guestbook.html"' in html and "后台可见" in html


def test_the_admin_answers_a_page_comment(client, author, guestbook):
    comment = make_comment(guestbook)
    client.force_login(author)
    client.post(f"/admin/comments/comment/{comment.pk}/reply/", {"body": "谢谢留言"})
    answer = Comment.objects.get(parent=comment)
    assert answer.page == guestbook and answer.is_post_author


def test_a_comment_permalink_leads_to_the_page(client, guestbook):
    comment = make_comment(guestbook)
    response = client.get(f"/comments/{comment.pk}/")
    assert response["Location"] == f"/guestbook.html#comment-{comment.pk}"
