"""What a cached page is: a whole rendered page, shared by every visitor with no state of their own.

Pages are filed under the content version (core/content_version.py): any write readers can see
changes it, so a stale page is never served and nothing needs deleting. What clears the cache is
declared in settings: PAGE_CACHE_INVALIDATED_BY and PAGE_CACHE_SCHEDULES.

`cached_page()` is the way in for every page. A page is built once for everyone; the parts that
differ per request (the CSRF token, a reader count, a form's signed timestamp) are rendered as
placeholders and filled in each time the page is served. Visitors whose page is their own (logged
in, or holding a cookie of PAGE_CACHE_PERSONAL_COOKIES) get the same build, never stored.

The pages live in a per-process memory cache ("pages"): under a given version they never change,
so processes need not share them; only the version is shared.

A page is stored per interface language (LocaleMiddleware picks it from the language cookie or
Accept-Language), and says so to other caches with `Vary: Accept-Language, Cookie`.

A shared page is stored split at its placeholders, plain and gzip-compressed (core/pagebody.py):
clients that accept gzip get it compressed at no cost per request, with the per-request values
kept out of the compression (BREACH; docs/performance.md). Personal pages, which may hold the
visitor's own name and address, are never compressed. Every page says `Vary: Accept-Encoding`.
"""

import hashlib
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language

from . import content_version
from .pagebody import GzipBody, PlainBody, accepts_gzip

Filler = Callable[[HttpRequest, str], str]

# Per-request parts any page may hold, by name; apps add theirs with register_filler().
_fillers: dict[str, Filler] = {"csrf": lambda request, argument: get_token(request)}
# Set while a page is being built: "shared" (to be stored) or "personal".
_building: ContextVar[str | None] = ContextVar("pagecache_building", default=None)


def cached_page(
    request: HttpRequest,
    build: Callable[[], HttpResponse],
    *,
    values: dict[str, object] | None = None,
) -> HttpResponse:
    """Serve the page `build` renders, from the cache when this visitor shares it.

    Placeholders in the page are filled from `values` (by name) or by the registered fillers.
    Only 200 responses are stored; anything else (a redirect, an error) passes through.
    """
    if is_personal(request):
        return _vary(_fill(_build(build, "personal"), request, values))
    pages = caches["pages"]
    key = _key(request.get_full_path())
    stored = pages.get(key)
    if stored is None:
        response = _build(build, "shared")
        if response.status_code != 200 or response.streaming:
            return _vary(_fill(response, request, values))
        plain = PlainBody.parse(response.content)
        stored = (response["Content-Type"], plain, GzipBody.compress(plain))
        pages.set(key, stored, settings.PAGE_CACHE_SECONDS)
    content_type, plain, compressed = stored
    fill = _filler(request, values)
    if accepts_gzip(request.headers.get("Accept-Encoding", "")):
        response = HttpResponse(compressed.render(fill), content_type=content_type)
        response["Content-Encoding"] = "gzip"
    else:
        response = HttpResponse(plain.render(fill), content_type=content_type)
    return _vary(response)


def cached_view(view):
    """Serve a view's pages through cached_page (for views with no per-request values)."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        return cached_page(request, lambda: view(request, *args, **kwargs))

    return wrapper


def cached_fragment(name: str, build: Callable[[], str]) -> str:
    """Return a piece of HTML that many pages share (the sidebar), built once per version."""
    pages = caches["pages"]
    key = _key(f"fragment:{name}")
    html = pages.get(key)
    if html is None:
        html = build()
        pages.set(key, html, settings.PAGE_CACHE_SECONDS)
    return html


def is_personal(request: HttpRequest) -> bool:
    """Whether this visitor's page is their own: not a read, or a personal cookie is present."""
    if request.method not in ("GET", "HEAD"):
        return True
    return any(name in request.COOKIES for name in settings.PAGE_CACHE_PERSONAL_COOKIES)


def is_shared_build() -> bool:
    """True while a page is being built for everyone: nothing of this visitor's may go in."""
    return _building.get() == "shared"


def deferred(request: HttpRequest, name: str, argument: object = "") -> str:
    """A per-request part: a placeholder while a page is being built, else its value now."""
    if _building.get() is None:
        return _fillers[name](request, str(argument))
    return placeholder(name, argument)


def placeholder(name: str, argument: object = "") -> str:
    """Mark where a per-request part goes; filled by cached_page as the page is served."""
    return f"\x00{name}:{argument}\x00"


def register_filler(name: str, fill: Filler) -> None:
    """Let pages hold placeholder(name, argument), filled per request by fill(request, argument)."""
    _fillers[name] = fill


def check_settings() -> None:
    if settings.SESSION_COOKIE_NAME not in settings.PAGE_CACHE_PERSONAL_COOKIES:
        raise ImproperlyConfigured(
            "PAGE_CACHE_PERSONAL_COOKIES must hold SESSION_COOKIE_NAME: logged-in pages differ."
        )


def page_cache_context(request):
    """Context processor: while a page is being built, its CSRF token is a placeholder."""
    if _building.get() is None:
        return {}
    return {"csrf_token": placeholder("csrf")}


@contextmanager
def _building_as(kind):
    token = _building.set(kind)
    try:
        yield
    finally:
        _building.reset(token)


def _build(build, kind):
    with _building_as(kind):
        response = build()
        if hasattr(response, "render"):  # a TemplateResponse renders lazily: do it in here
            response = response.render()
    return response


def _fill(response, request, values):
    if response.streaming or b"\x00" not in response.content:
        return response
    response.content = PlainBody.parse(response.content).render(_filler(request, values))
    return response


def _filler(request, values):
    """Return fill(name, argument): a value given by the view, else the registered filler's."""
    values = values or {}

    def fill(name, argument):
        return str(values[name]) if name in values else _fillers[name](request, argument)

    return fill


def _vary(response):
    # The language comes from the language cookie, else from Accept-Language.
    patch_vary_headers(response, ("Accept-Encoding", "Accept-Language", "Cookie"))
    return response


def _key(path):
    # URLs can be long (search queries); hash them into a bounded key.
    digest = hashlib.blake2b(path.encode(), digest_size=16).hexdigest()
    return f"v{content_version.current()}:{get_language()}:{digest}"
