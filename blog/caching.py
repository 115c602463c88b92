"""Whole-page caching keyed by the content version, with per-request parts filled in.

Pages depend only on the database content (never on time, except scheduled posts),
so each rendered page is cached under the current ContentVersion number. Any write
readers could see changes the number inside its own transaction: no stale page can be
served once the write has committed, in any process, and nothing needs deleting.

The rendered pages live in a per-process memory cache ("pages"): they never change
under a given version, so processes need not share them; only the version is shared.
"""

import hashlib
import secrets
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.db.models import Min
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone

CSRF_PLACEHOLDER = "\x00csrf\x00"
VIEWS_PLACEHOLDER = "\x00views\x00"
TIMESTAMP_PLACEHOLDER = "\x00form-timestamp\x00"


def _version_row():
    from .models import ContentVersion

    return ContentVersion.objects


def bump_content_version():
    """Retire every cached page; call inside the transaction that changes content."""
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


def content_version():
    """Return the current version number (one query), publishing due scheduled posts."""
    row = _version_row().filter(pk=1).values_list("number", "next_publication_at").first()
    if row is None:
        bump_content_version()
        return content_version()
    number, next_publication_at = row
    if next_publication_at is not None and next_publication_at <= timezone.now():
        bump_content_version()
        return content_version()
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
    """Put the reader count, CSRF token and form timestamp into a cached page."""
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    if views is not None:
        html = html.replace(VIEWS_PLACEHOLDER, str(views))
    if form_timestamp is not None:
        html = html.replace(TIMESTAMP_PLACEHOLDER, form_timestamp)
    return html
