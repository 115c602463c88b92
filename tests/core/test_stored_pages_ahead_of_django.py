"""config/wsgi.py serves stored pages before Django's request handling (core/wsgi.py): the same
page and headers, counted, with errors answered as in the stack and connections given back;
anything not stored goes to Django as before.

These call the WSGI application as gunicorn does. The tests roll nothing back (transactional_db):
the application closes connections after a page as request_finished would, which a test's
transaction would not survive.
"""

import logging

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection
from django.test import RequestFactory

from blog import labels
from blog.models import Post
from config.wsgi import application
from core.wsgi import SharedPageApplication, head_of_stack

pytestmark = pytest.mark.usefixtures("transactional_db")

BROWSER = {
    "HTTP_USER_AGENT": "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36",
    "HTTP_ACCEPT_ENCODING": "gzip, deflate, br, zstd",
}
PER_RESPONSE = {"Date", "Content-Length", "Set-Cookie"}


class Environs(RequestFactory):
    """RequestFactory's environ as a WSGI server passes it (the path still as bytes in a str),
    not a request made from it (which decodes the path in place)."""

    def request(self, **request):
        return self._base_environ(**request)


class Served:
    """What a WSGI server got: the status, the headers as sent, and the body."""

    def __init__(self, app, method, path, **headers):
        environ = getattr(Environs(), method)(path, **{**BROWSER, **headers})
        self.status, self.headers = None, None
        result = app(environ, self.start_response)
        try:
            self.body = b"".join(result)
        finally:
            if hasattr(result, "close"):  # Django's response: sends request_finished
                result.close()

    def start_response(self, status, headers, exc_info=None):
        self.status, self.headers = status, headers

    def header(self, name):
        return [value for key, value in self.headers if key == name]

    def fixed_headers(self):
        return sorted((name, value) for name, value in self.headers if name not in PER_RESPONSE)


def get(path, **headers):
    return Served(application, "get", path, **headers)


@pytest.fixture
def django_requests():
    """The requests Django's own handler saw (request_started), by path."""
    seen = []

    def started(sender, environ, **kwargs):
        seen.append(environ["PATH_INFO"])

    request_started.connect(started)
    yield seen
    request_started.disconnect(started)


def stored(path):
    """Serve a page through Django, which stores it and learns its headers."""
    assert get(path).status.startswith("200")


def test_a_stored_page_is_served_without_django_handling_the_request(post, django_requests):
    stored("/")
    finished = []
    request_finished.connect(finished.append)
    try:
        served = get("/")
    finally:
        request_finished.disconnect(finished.append)
    assert served.status == "200 OK"
    assert django_requests == ["/"]  # the one that stored it
    assert finished == []


def test_the_page_and_headers_are_those_django_gave(post):
    url = post.get_absolute_url()
    through_django = get(url)
    stored(url)
    ahead = get(url)
    assert ahead.fixed_headers() == through_django.fixed_headers()
    assert ahead.header("Content-Length") == [str(len(ahead.body))]
    assert {cookie.split("=")[0].strip() for cookie in ahead.header("Set-Cookie")} == {
        "viewed",
        "csrftoken",
    }


def test_each_new_reader_is_counted_and_sees_the_new_count(post, settings):
    settings.BLOG_VIEWS_FLUSH_SECONDS = 0  # each view written as it happens
    url = post.get_absolute_url()
    stored(url)
    for expected in (2, 3):
        served = Served(application, "get", url, HTTP_ACCEPT_ENCODING="")
        assert labels.readers(expected) in served.body.decode()
    assert Post.objects.get(pk=post.pk).views == 3


def test_the_connection_a_count_used_is_given_back_as_after_any_request(post, settings):
    settings.BLOG_VIEWS_FLUSH_SECONDS = 0
    url = post.get_absolute_url()
    stored(url)
    connection.ensure_connection()
    connection.close_at = 0  # what CONN_MAX_AGE = 0 sets: close after the request
    get(url)
    assert connection.connection is None


def test_pages_not_stored_and_forms_go_to_django(post, django_requests):
    url = post.get_absolute_url()
    assert get(url).status.startswith("200")
    comment = Served(application, "post", f"{url}/comment", data={})
    assert not comment.status.startswith("5")
    assert django_requests == [url, f"{url}/comment"]


@pytest.mark.parametrize("path", ["/search/积分/", "/no-such-页/"])
def test_addresses_beyond_ascii_reach_django_as_the_server_sent_them(post, path):
    expected = "404" if "no-such" in path else "200"
    assert get(path).status.startswith(expected)
    assert get(path).status.startswith(expected)  # once stored, from the head of the stack


def test_a_database_outage_is_a_503_with_retry_after(post, monkeypatch):
    stored("/")

    def database_down():
        raise OperationalError("connection refused")

    monkeypatch.setattr("core.content_version.current", database_down)
    served = get("/")
    assert served.status.startswith("503")
    assert served.header("Retry-After")


def test_an_error_gets_the_site_500_page_and_is_logged(post, monkeypatch, caplog):
    url = post.get_absolute_url()
    stored(url)

    def broken(self, request):
        raise RuntimeError("a bug in a visitor")

    monkeypatch.setattr("blog.readers.PostReaders.visit", broken)
    with caplog.at_level(logging.ERROR, logger="django.request"):
        served = get(url)
    assert served.status.startswith("500")
    assert "a bug in a visitor" in caplog.text


def test_middleware_with_view_hooks_cannot_sit_above_the_stored_pages(settings):
    settings.MIDDLEWARE = [
        "django.middleware.csrf.CsrfViewMiddleware",  # has process_view
        "core.pagecache.SharedPageMiddleware",
    ]
    with pytest.raises(ImproperlyConfigured, match="process_view"):
        head_of_stack()


def test_stored_pages_need_their_middleware(settings):
    settings.MIDDLEWARE = [m for m in settings.MIDDLEWARE if "SharedPage" not in m]
    with pytest.raises(ImproperlyConfigured, match="SharedPageMiddleware"):
        SharedPageApplication(lambda environ, start_response: [])(
            Environs().get("/"), lambda status, headers: None
        )
