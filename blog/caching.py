"""Whole-page caching keyed by the content version, with per-request parts filled in.

Pages depend only on the database content (never on time, except scheduled posts),
so each rendered page is cached under the current ContentVersion number. Any write
readers could see changes the number inside its own transaction: no stale page can be
served once the write has committed, in any process, and nothing needs deleting.

The rendered pages live in a per-process memory cache ("pages"): they never change
under a given version, so processes need not share them; only the version is shared.
"""

import contextlib
import hashlib
import os
import re
import secrets
import time
from datetime import datetime
from functools import wraps

import psycopg
from django.conf import settings
from django.core.cache import caches
from django.db import connections
from django.db.models import Min
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

CSRF_PLACEHOLDER = "\x00csrf\x00"
VIEWS_PLACEHOLDER = "\x00views\x00"
TIMESTAMP_PLACEHOLDER = "\x00form-timestamp\x00"
PLACEHOLDER = re.compile("\x00(csrf|views|form-timestamp)\x00")


NOTIFY_CHANNEL = "blog_content_version"


def _version_row():
    from .models import ContentVersion

    return ContentVersion.objects


class VersionListener:
    """Follow the content version through Postgres LISTEN/NOTIFY instead of a query a request.

    Each process keeps one extra connection listening on NOTIFY_CHANNEL; a bump notifies
    it when its transaction commits. Reading the version is then a non-blocking look at
    that socket. If the connection is lost, readers fall back to querying until it is
    re-established. Not used with read replicas: there the version must be read from the
    same replica as the page's data, which a standby cannot LISTEN on.
    """

    RETRY_SECONDS = 5

    def __init__(self):
        self.connection = None
        self.number = None
        self.next_publication_at = None
        self.retry_at = 0.0
        self.pid = None

    def current(self):
        """Return (number, next_publication_at), or None when the listener is unavailable."""
        if os.getpid() != self.pid:  # a forked worker must not share its parent's socket
            self.connection, self.pid = None, os.getpid()
        if self.connection is None and not self._connect():
            return None
        try:
            for notification in self.connection.notifies(timeout=0):
                number, _, next_at = notification.payload.partition(" ")
                self.number = int(number)
                self.next_publication_at = _parse_datetime(next_at)
        except psycopg.Error:
            self._close()
            return None
        return self.number, self.next_publication_at

    def _connect(self):
        if time.monotonic() < self.retry_at:
            return False
        settings_dict = connections["default"].settings_dict
        try:
            self.connection = psycopg.connect(
                **_psycopg_params(settings_dict), autocommit=True, connect_timeout=2
            )
            self.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            # Read after LISTEN so no bump can fall between the two.
            row = self.connection.execute(
                "SELECT number, next_publication_at FROM blog_contentversion WHERE id = 1"
            ).fetchone()
        except psycopg.Error:
            self._close()
            self.retry_at = time.monotonic() + self.RETRY_SECONDS
            return False
        if row is None:
            self._close()
            return False
        self.number, self.next_publication_at = row
        return True

    def _close(self):
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None


def _psycopg_params(settings_dict):
    params = {"dbname": settings_dict["NAME"]}
    for key, name in [
        ("USER", "user"),
        ("PASSWORD", "password"),
        ("HOST", "host"),
        ("PORT", "port"),
    ]:
        if settings_dict.get(key):
            params[name] = settings_dict[key]
    return params


def _parse_datetime(text):
    return datetime.fromisoformat(text) if text else None


_listener = VersionListener()


def _use_listener():
    return (
        settings.PAGE_CACHE_VERSION_LISTENER
        and connections["default"].vendor == "postgresql"
        and not settings.DATABASE_REPLICAS
    )


def bump_content_version():
    """Retire every cached page and return the new number; call inside the writing transaction."""
    from .models import Post

    next_publication = Post.objects.filter(
        status=Post.Status.PUBLISHED, published_at__gt=timezone.now()
    ).aggregate(at=Min("published_at"))["at"]
    # A random number rather than +1: a database restored from a backup must not bring
    # back a number that cached pages of other content are still filed under.
    updated = (
        _version_row()
        .filter(pk=1)
        .update(number=secrets.randbits(62), next_publication_at=next_publication)
    )
    if not updated:
        _version_row().get_or_create(pk=1, defaults={"next_publication_at": next_publication})
    if connections["default"].vendor == "postgresql":
        number = _version_row().values_list("number", flat=True).get(pk=1)
        payload = f"{number} {next_publication.isoformat() if next_publication else ''}"
        with connections["default"].cursor() as cursor:
            # Delivered to the listeners when (and only if) this transaction commits.
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, payload.strip()])
        return number
    return _version_row().values_list("number", flat=True).get(pk=1)


def content_version():
    """Return the current version number, publishing due scheduled posts."""
    row = _listener.current() if _use_listener() else None
    if row is None:
        row = _version_row().filter(pk=1).values_list("number", "next_publication_at").first()
    if row is None:
        return bump_content_version()
    number, next_publication_at = row
    if next_publication_at is not None and next_publication_at <= timezone.now():
        # Written to the primary; a lagging replica may show the old row for a moment
        # more, so use the number just written rather than reading it back.
        return bump_content_version()
    return number


def request_is_cacheable(request):
    """Anonymous GETs with no per-visitor state are the same for everyone."""
    if request.method not in ("GET", "HEAD"):
        return False
    if settings.SESSION_COOKIE_NAME in request.COOKIES:
        return False
    from comments.views import OWN_COMMENTS_COOKIE

    return OWN_COMMENTS_COOKIE not in request.COOKIES


def _versioned_key(key):
    # URLs can be long (search queries); hash them into a bounded key.
    digest = hashlib.blake2b(key.encode(), digest_size=16).hexdigest()
    return f"v{content_version()}:{digest}"


def cached_html(key, build):
    """Return the HTML for `key` under the current version, building it on a miss."""
    pages = caches["pages"]
    full_key = _versioned_key(key)
    html = pages.get(full_key)
    if html is None:
        html = build()
        pages.set(full_key, html, settings.PAGE_CACHE_SECONDS)
    return html


def cached_response(key, build):
    """Serve a cached page for `key`; `build` returns the response to cache when it is a 200.

    Anything else (a redirect, a 404 raised by the view) passes through uncached.
    """
    pages = caches["pages"]
    full_key = _versioned_key(key)
    cached = pages.get(full_key)
    if cached is None:
        response = build()
        if hasattr(response, "render"):
            response = response.render()
        if response.status_code != 200 or response.streaming:
            return response
        cached = (response["Content-Type"], response.content)
        pages.set(full_key, cached, settings.PAGE_CACHE_SECONDS)
    content_type, content = cached
    return HttpResponse(content, content_type=content_type)


def version_cached(view):
    """Cache a view's 200 responses per content version for visitors with no state."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not request_is_cacheable(request):
            return view(request, *args, **kwargs)
        return cached_response(
            f"{view_name(view)}:{request.get_full_path()}",
            lambda: view(request, *args, **kwargs),
        )

    return wrapper


def view_name(view):
    return getattr(view, "__qualname__", type(view).__qualname__)


def fill_per_request_parts(html, request, *, views=None, form_timestamp=None):
    """Put the reader count, CSRF token and form timestamp into a cached page, in one pass."""
    values = {}

    def value(match):
        name = match.group(1)
        if name not in values:
            if name == "csrf":
                values[name] = get_token(request)
            elif name == "views":
                values[name] = str(views)
            else:
                values[name] = form_timestamp
        return values[name]

    return PLACEHOLDER.sub(value, html)
