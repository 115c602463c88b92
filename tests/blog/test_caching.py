"""Cached pages stay exact: every write readers could see shows up on the next request."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from blog.models import Post
from comments import services
from comments.models import Comment
from tests.factories import make_comment, make_post, make_tag

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"


def fresh_html(url):
    """Fetch a page as a new visitor with no cookies, who gets cached pages."""
    return Client(HTTP_USER_AGENT=BROWSER).get(url).content.decode()


def queries_for(url):
    with CaptureQueriesContext(connection) as queries:
        Client(HTTP_USER_AGENT=BROWSER).get(url)
    return queries


def test_a_repeated_listing_is_served_from_cache_with_one_query(post):
    fresh_html("/")
    assert len(queries_for("/")) == 1  # the content version


def test_publishing_editing_and_deleting_a_post_show_at_once(post, author, category):
    fresh_html("/")
    draft = make_post(author=author, category=category, title="草稿", status="draft")
    assert "草稿" not in fresh_html("/")
    draft.status = Post.Status.PUBLISHED
    draft.title = "刚刚发布"
    draft.save()
    assert "刚刚发布" in fresh_html("/")
    draft.title = "改过的标题"
    draft.save()
    home = fresh_html("/")
    assert "改过的标题" in home and "刚刚发布" not in home
    draft.delete()
    assert "改过的标题" not in fresh_html("/")


def test_tag_changes_show_on_the_post_page(post):
    fresh_html(post.get_absolute_url())
    post.tags.add(make_tag(name="新标签", slug="new-tag"))
    assert "新标签" in fresh_html(post.get_absolute_url())


def test_a_scheduled_post_appears_when_its_time_comes_without_any_write(
    post, author, category, time_machine
):
    time_machine.move_to(timezone.now(), tick=False)
    make_post(
        author=author,
        category=category,
        title="定时发布的文章",
        published_at=timezone.now() + timedelta(hours=1),
    )
    assert "定时发布的文章" not in fresh_html("/")
    time_machine.shift(timedelta(hours=1, seconds=1))
    assert "定时发布的文章" in fresh_html("/")


@pytest.mark.parametrize(
    "status, shown",
    [("approved", True), ("spam", False), ("removed", False), ("pending", False)],
)
def test_moderation_shows_in_thread_and_sidebar_at_once(post, status, shown):
    comment = make_comment(post, status="pending", body="审核中的评论")
    assert "审核中的评论" not in fresh_html(post.get_absolute_url())
    services.moderate(
        comments=Comment.objects.filter(pk=comment.pk), status=Comment.Status.APPROVED
    )
    assert "审核中的评论" in fresh_html(post.get_absolute_url())
    services.moderate(comments=Comment.objects.filter(pk=comment.pk), status=status)
    for url in [post.get_absolute_url(), "/"]:
        assert ("审核中的评论" in fresh_html(url)) == shown, url


def test_an_edited_comment_shows_at_once(post, client, author):
    comment = make_comment(post, body="原来的评论")
    fresh_html(post.get_absolute_url())
    client.force_login(author)
    client.post(
        f"/admin/comments/comment/{comment.pk}/change/",
        {
            "author_name": comment.author_name,
            "author_email": comment.author_email,
            "author_url": "",
            "body": "修改后的评论",
            "status": "approved",
        },
    )
    assert "修改后的评论" in fresh_html(post.get_absolute_url())


def test_reader_count_is_live_although_the_page_is_cached(post):
    assert "1位读者" in fresh_html(post.get_absolute_url())
    assert "2位读者" in fresh_html(post.get_absolute_url())
    Post.objects.filter(pk=post.pk).update(views=41)
    assert "42位读者" in fresh_html(post.get_absolute_url())


def test_each_visitor_gets_their_own_csrf_token_and_a_fresh_form_timestamp(post):
    first, second = Client(), Client()
    html_1 = first.get(post.get_absolute_url()).content.decode()
    html_2 = second.get(post.get_absolute_url()).content.decode()
    token_1 = html_1.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    token_2 = html_2.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    assert token_1 != token_2
    assert "\x00" not in html_1
    stamp = html_1.split('name="timestamp" value="')[1].split('"')[0]
    from django.core import signing

    from comments.forms import TIMESTAMP_SALT

    assert signing.loads(stamp, salt=TIMESTAMP_SALT)["post"] == post.pk


def test_a_commenter_sees_their_pending_comment_although_pages_are_cached(post, client):
    from tests.comments.conftest import aged_timestamp

    fresh_html(post.get_absolute_url())
    client.post(
        f"/archives/{post.pk}/comment",
        {
            "author_name": "新读者",
            "author_email": "new@example.com",
            "body": "第一次留言",
            "timestamp": aged_timestamp(post),
        },
    )
    assert "第一次留言" in client.get(post.get_absolute_url()).content.decode()
    assert "第一次留言" not in fresh_html(post.get_absolute_url())


def test_staff_preview_of_a_draft_is_never_cached_for_readers(author, category, client):
    draft = make_post(author=author, category=category, status="draft", title="秘密草稿")
    client.force_login(author)
    assert client.get(draft.get_absolute_url()).status_code == 200
    assert Client().get(draft.get_absolute_url()).status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY is Postgres's")
def test_gunicorn_workers_following_the_version_by_notify_serve_every_change_at_once(
    transactional_db, author, category
):
    """Several worker processes, each with its own page cache, see every change at once.

    "At once" is as soon as PostgreSQL has delivered the NOTIFY of the commit to each worker's
    listening connection: well under a millisecond on a quiet machine, longer when the machine
    is saturated. Writers never wait for it (their own pages are personal, never cached), so
    the test allows that delivery a bounded moment and fails on any page older than that.
    """
    import time
    import urllib.request

    from tests.conftest import GunicornServer

    post = make_post(author=author, category=category, title="第一版标题")
    server = GunicornServer(PAGE_CACHE_VERSION_LISTENER="true")
    try:

        def home():
            request = urllib.request.Request(server.url + "/", headers={"User-Agent": BROWSER})
            return urllib.request.urlopen(request, timeout=10).read().decode()

        for _ in range(10):  # fill the cache of every worker
            assert "第一版标题" in home()
        for version in range(2, 5):
            post.title = f"第{version}版标题"
            post.save()
            saved_at = time.monotonic()
            while True:
                pages = [home() for _ in range(10)]
                if all(f"第{version}版标题" in page for page in pages):
                    break
                late = time.monotonic() - saved_at
                assert late < NOTIFY_DELIVERY_SECONDS, f"a stale page {late:.2f} s after the commit"
    finally:
        server.stop()


# How long PostgreSQL may take to hand a NOTIFY to every listening worker on a loaded machine.
NOTIFY_DELIVERY_SECONDS = 1.0
