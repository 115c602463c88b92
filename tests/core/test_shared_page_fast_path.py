"""Once a shared page is stored, SharedPageMiddleware serves it before sessions, CSRF, auth and
URL resolution: the same page and headers the view gave, counted, in the reader's language."""

from contextlib import contextmanager

import pytest
from django.db import OperationalError
from django.test import Client
from django.urls.resolvers import URLResolver

from blog import labels
from blog.models import Post
from blog.views import HomeView
from comments.models import Comment
from tests.comments.conftest import aged_timestamp

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"
# What Chrome sends (zstd chosen), what Safari sends (gzip), and nothing (the plain page).
ACCEPT_ENCODINGS = ["gzip, deflate, br, zstd", "gzip, deflate, br", ""]
# Set per response: the date, and the length of a body whose per-request values vary.
PER_RESPONSE = {"Date", "Content-Length"}


def reader(**headers):
    """A new visitor with no cookies, as a first visit from a browser."""
    return Client(HTTP_USER_AGENT=BROWSER, **headers)


def no_url_resolution(*args, **kwargs):
    raise AssertionError("the URL was resolved: the page did not come from the fast path")


@contextmanager
def fast_path_only():
    """Inside, a request that reaches URL resolution (and so any view) fails the test."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(URLResolver, "resolve", no_url_resolution)
        yield


def headers_of(response):
    return {name: value for name, value in response.headers.items() if name not in PER_RESPONSE}


@pytest.fixture
def warm(db):
    """Serve a URL twice through the whole stack: stored, then its headers learned."""

    def warm_up(url, **headers):
        for _ in range(2):
            assert reader(**headers).get(url).status_code == 200

    return warm_up


@pytest.mark.parametrize("accept_encoding", ACCEPT_ENCODINGS)
def test_a_stored_page_is_served_before_url_resolution_with_the_same_body_and_headers(
    post, accept_encoding
):
    through_the_view = reader().get("/", HTTP_ACCEPT_ENCODING=accept_encoding)
    with fast_path_only():
        from_the_fast_path = reader().get("/", HTTP_ACCEPT_ENCODING=accept_encoding)
    assert from_the_fast_path.status_code == 200
    assert from_the_fast_path.content == through_the_view.content
    assert headers_of(from_the_fast_path) == headers_of(through_the_view)
    assert int(from_the_fast_path["Content-Length"]) == len(from_the_fast_path.content)


def test_the_fast_path_counts_each_new_reader_and_shows_the_new_count(post, warm):
    url = post.get_absolute_url()
    warm(url)
    with fast_path_only():
        for expected in (3, 4, 5):
            assert labels.readers(expected) in reader().get(url).content.decode()
    assert Post.objects.get(pk=post.pk).views == 5


def test_a_returning_reader_of_the_fast_path_is_not_counted_again(post, warm):
    url = post.get_absolute_url()
    warm(url)
    returning = reader()
    with fast_path_only():
        first = returning.get(url)
        again = returning.get(url)
    assert "viewed" in first.cookies
    assert labels.readers(3) in again.content.decode()
    assert Post.objects.get(pk=post.pk).views == 3


def test_the_comment_form_from_the_fast_path_can_be_posted(post, warm, settings):
    settings.COMMENTS_RATE_LIMITS = []
    url = post.get_absolute_url()
    warm(url)
    visitor = Client(HTTP_USER_AGENT=BROWSER, enforce_csrf_checks=True)
    with fast_path_only():
        page = visitor.get(url)
    assert "csrftoken" in page.cookies
    assert "Cookie" in page["Vary"]
    token = page.content.decode().split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    response = visitor.post(
        f"{url}/comment",
        {
            "csrfmiddlewaretoken": token,
            "author_name": "李四",
            "author_email": "lisi@example.com",
            "author_url": "",
            "body": "缓存里的表单也能提交。",
            "timestamp": aged_timestamp(post),
            "homepage": "",
        },
    )
    assert response.status_code != 403
    assert Comment.objects.filter(body="缓存里的表单也能提交。").exists()


def test_the_fast_path_answers_in_the_language_the_reader_asked_for(post, warm):
    warm("/", HTTP_ACCEPT_LANGUAGE="en")
    warm("/")
    by_cookie = reader(HTTP_ACCEPT_LANGUAGE="zh-CN")
    by_cookie.cookies["django_language"] = "en"
    with fast_path_only():
        english = reader(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").get("/")
        chinese = reader(HTTP_ACCEPT_LANGUAGE="zh-CN").get("/")
        chosen = by_cookie.get("/")
    assert english["Content-Language"] == "en"
    assert chinese["Content-Language"] == "zh-hans"
    assert chosen["Content-Language"] == "en"
    assert english.content != chinese.content


def test_the_reader_count_is_worded_in_the_reader_language_on_the_fast_path(post, warm):
    url = post.get_absolute_url()
    warm(url, HTTP_ACCEPT_LANGUAGE="en")
    with fast_path_only():
        english = reader(HTTP_ACCEPT_LANGUAGE="en").get(url).content.decode()
    assert "3 readers" in english


def test_a_database_outage_on_the_fast_path_is_a_503_not_a_500(post, warm, monkeypatch):
    url = post.get_absolute_url()
    warm(url)

    def database_down(*args, **kwargs):
        raise OperationalError("connection refused")

    monkeypatch.setattr("blog.readers.increment_views", database_down)
    with fast_path_only():
        response = reader().get(url)
    assert response.status_code == 503
    assert response["Retry-After"]


def test_a_post_no_longer_public_is_left_to_its_view_even_before_the_cache_hears(post, warm):
    url = post.get_absolute_url()
    warm(url)
    # A write that has not (yet) reached this process's content version: the stored page is
    # still there, but the count finds no public post, so the view answers.
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)
    assert reader().get(url).status_code == 404
    assert Post.objects.get(pk=post.pk).views == 2


def test_visitors_with_pages_of_their_own_never_get_the_stored_page(
    post, author, warm, monkeypatch
):
    warm("/")
    rendered = []
    original_get = HomeView.get

    def counted_get(view, request, *args, **kwargs):
        rendered.append(request.user)
        return original_get(view, request, *args, **kwargs)

    monkeypatch.setattr(HomeView, "get", counted_get)
    logged_in = Client(HTTP_USER_AGENT=BROWSER)
    logged_in.force_login(author)
    assert logged_in.get("/").status_code == 200
    assert reader().get("/").status_code == 200
    assert rendered == [author]


def test_the_fast_path_replays_the_headers_of_the_whole_stack(post, warm, settings):
    warm("/")
    with fast_path_only():
        response = reader().get("/")
    assert response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_a_secure_request_gets_the_headers_learned_over_https_not_over_http(post, warm, settings):
    settings.SECURE_HSTS_SECONDS = 3600
    warm("/")
    assert reader().get("/", secure=True).status_code == 200  # learns the secure headers
    with fast_path_only():
        plain = reader().get("/")
        secure = reader().get("/", secure=True)
    assert "Strict-Transport-Security" not in plain
    assert secure["Strict-Transport-Security"] == "max-age=3600"


def test_plain_http_is_still_redirected_to_https_when_a_page_is_stored(post, warm, settings):
    warm("/")
    settings.SECURE_SSL_REDIRECT = True
    response = reader().get("/")
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_a_nul_byte_still_gets_the_guards_400_when_the_page_is_stored(post, warm):
    warm("/")
    response = reader(HTTP_X_FORWARDED_HOST="evil\x00").get("/")
    assert response.status_code == 400


def test_static_files_are_served_while_the_database_is_down(warm, post, monkeypatch):
    warm("/")
    attempts = []

    def database_down():
        attempts.append(1)
        raise OperationalError("connection refused")

    monkeypatch.setattr("core.content_version.current", database_down)
    assert reader().get("/").status_code == 503
    assert reader().get("/").status_code == 503
    assert len(attempts) == 1  # the second page was refused without trying the database
    stylesheet = reader().get("/static/css/site.css")
    assert stylesheet.status_code == 200
    assert stylesheet["X-Content-Type-Options"] == "nosniff"
