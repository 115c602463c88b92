"""What a cached page is: a whole rendered page, shared by every visitor with no state of their own.

Pages are filed under the content version (core/content_version.py): any write readers can see
changes it, so a stale page is never served and nothing needs deleting. What clears the cache is
declared in settings: PAGE_CACHE_INVALIDATED_BY and PAGE_CACHE_SCHEDULES.

`cached_page()` is the way in for every page. A page is built once for everyone; the parts that
differ per request (the CSRF token, a reader count, a form's signed timestamp) are rendered as
placeholders and filled in each time the page is served. Visitors whose page is their own (logged
in, or holding a cookie of PAGE_CACHE_PERSONAL_COOKIES) get the same build, never stored.

The pages live in a per-process memory cache ("pages"): under a given version they never change,
so processes need not share them (only the version is shared), and the cache keeps them as
objects rather than pickles (core/memorycache.py).

A page is stored per interface language (LocaleMiddleware picks it from the language cookie or
Accept-Language), and says so to other caches with `Vary: Accept-Language, Cookie`.

A shared page is stored split at its placeholders, plain and compressed with zstd and gzip
(core/pagebody.py): clients get it in the coding they rank highest at no cost per request, with
the per-request values kept out of the compression (BREACH; docs/performance.md). Personal
pages, which may hold the visitor's own name and address, are never compressed. Every page
says `Vary: Accept-Encoding`.

Once a stored page has gone out through the whole middleware stack, SharedPageMiddleware serves
it from then on ahead of every other middleware (the security headers, the policy, sessions, CSRF,
authentication, messages, URL resolution): it replays the headers the stack gave it, does the
page's own per-request work (a Visitor: counting a reader) and sets the CSRF cookie when the page
holds a token. That is most of what a cached page costs (docs/performance.md).
"""

import hashlib
from collections.abc import Callable, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import wraps
from typing import Protocol
from urllib.parse import urlsplit

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers

from . import content_version
from .csrf import csrf_token
from .guards import request_has_nul
from .outage import database_recently_unavailable, database_unavailable_response, is_database_error
from .pagebody import GzipBody, PlainBody, ZstdBody, preferred_coding

Filler = Callable[[HttpRequest, str], str]


@dataclass(frozen=True)
class Visit:
    """What one request adds to a cached page: values for its placeholders, by name, and a last
    touch on the response (a cookie)."""

    values: Mapping[str, object] = field(default_factory=dict)
    finish: Callable[[HttpResponse], None] | None = None


class Visitor(Protocol):
    """A page's own per-request work, stored with the page so the fast path can do it without
    the view. Must pickle (the page cache may pickle what it stores)."""

    def visit(self, request: HttpRequest) -> Visit | None:
        """Do this request's work; None when the page must not be served (the view decides)."""


@dataclass
class SharedPage:
    """A stored page, and once it has gone out through the whole stack, the headers it got."""

    content_type: str
    plain: PlainBody
    compressed: Mapping[str, GzipBody | ZstdBody]  # by coding: "zstd", "gzip"
    visitor: Visitor | None = None
    # Learned per scheme: HSTS goes on secure responses only.
    headers: dict[bool, tuple[tuple[str, str], ...]] = field(default_factory=dict)

    def respond(self, request: HttpRequest, visit: Visit) -> HttpResponse:
        fill = _filler(request, visit.values)
        coding = preferred_coding(request.META.get("HTTP_ACCEPT_ENCODING", ""))
        if coding is None:
            response = HttpResponse(self.plain.render(fill), content_type=self.content_type)
        else:
            body = self.compressed[coding].render(fill)
            response = HttpResponse(body, content_type=self.content_type)
            response["Content-Encoding"] = coding
        if visit.finish is not None:
            visit.finish(response)
        return response


NO_VISIT = Visit()
# Headers that differ per request; the rest of a shared page's headers are replayed as stored.
_PER_REQUEST_HEADERS = frozenset(("content-length", "content-encoding", "set-cookie", "date"))


# Per-request parts any page may hold, by name; apps add theirs with register_filler().
_fillers: dict[str, Filler] = {"csrf": csrf_token}
# Set while a page is being built: "shared" (to be stored) or "personal".
_building: ContextVar[str | None] = ContextVar("pagecache_building", default=None)


def cached_page(
    request: HttpRequest,
    build: Callable[[], HttpResponse],
    *,
    visit: Visit = NO_VISIT,
    visitor: Visitor | None = None,
) -> HttpResponse:
    """Serve the page `build` renders, from the cache when this visitor shares it.

    Placeholders in the page are filled from the visit's values (by name) or by the registered
    fillers. `visitor` is what made `visit`: SharedPageMiddleware calls it for later requests.
    Only 200 responses are stored; anything else (a redirect, an error) passes through.
    """
    if is_personal(request):
        response = _vary(_fill(_build(build, "personal"), request, visit.values))
        if visit.finish is not None:
            visit.finish(response)
        return response
    pages = caches["pages"]
    key = _key(request.get_full_path(), version=getattr(request, "page_cache_version", None))
    page = pages.get(key)
    if page is None:
        response = _build(build, "shared")
        if response.status_code != 200 or response.streaming:
            return _vary(_fill(response, request, visit.values))
        plain = PlainBody.parse(response.content)
        compressed = {"zstd": ZstdBody.compress(plain), "gzip": GzipBody.compress(plain)}
        page = SharedPage(response["Content-Type"], plain, compressed, visitor)
        pages.set(key, page, settings.PAGE_CACHE_SECONDS)
    response = _vary(page.respond(request, visit))
    if request.is_secure() not in page.headers:
        response.shared_page_key = key  # SharedPageMiddleware learns its headers on the way out
    return response


class SharedPageMiddleware:
    """Serve stored shared pages ahead of the rest of the middleware and of URL resolution.

    Goes first in MIDDLEWARE (after the read-your-writes pinning, which picks the database the
    content version is read from). The first request for a page under a content version goes
    through the stack and the view (cached_page stores it), and on its way back out this records
    the headers the whole stack gave it (security headers, policy, language, Vary); later
    requests get the stored page with those headers. The interface language is chosen as
    LocaleMiddleware does (cookie, then Accept-Language); this site does not put the language in
    its URLs.

    Requests the middleware below would answer differently are left to it: static files
    (WhiteNoise), a NUL anywhere in the request (core.guards' 400), plain HTTP where HTTPS is
    required (SecurityMiddleware's redirect), and any request while the database has just been
    found unavailable (core.outage's 503).
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        if not may_be_shared(request):
            return self.get_response(request)
        language = translation.get_language_from_request(request)
        try:
            # Read once per request: the view's cache lookup on a miss uses the same number.
            request.page_cache_version = content_version.current()
            key = _key(request.get_full_path(), request.page_cache_version, language)
            page = caches["pages"].get(key)
            headers = page.headers.get(request.is_secure()) if page else None
            response = self._serve(request, page, language, headers) if headers else None
        except Exception as error:
            if is_database_error(error):  # the view's own errors get this from core.outage
                return database_unavailable_response(request, error)
            raise
        if response is None:
            response = self.get_response(request)
            self._learn_headers(request, response)
        return response

    def _serve(self, request, page, language, headers):
        with translation.override(language):
            visit = page.visitor.visit(request) if page.visitor else NO_VISIT
            if visit is None:
                return None
            request.LANGUAGE_CODE = language
            self.csrf.process_request(request)  # reads the visitor's CSRF cookie, if any
            response = page.respond(request, visit)
        for name, value in headers:
            response.headers[name] = value
        response.headers["Content-Length"] = str(len(response.content))
        return self.csrf.process_response(request, response)  # a new token sets the cookie

    def _learn_headers(self, request, response):
        key = getattr(response, "shared_page_key", None)
        if key is None:
            return
        pages = caches["pages"]
        page = pages.get(key)
        secure = request.is_secure()
        if page is None or secure in page.headers:
            return
        page.headers[secure] = tuple(
            (name, value)
            for name, value in response.headers.items()
            if name.lower() not in _PER_REQUEST_HEADERS
        )
        pages.set(key, page, settings.PAGE_CACHE_SECONDS)


@receiver(setting_changed)
def _forget_stored_pages(**kwargs):
    # Stored pages replay the headers the middleware gave them under the old settings (the
    # policy, HSTS...). A running site's settings never change; a test's may.
    if "pages" in settings.CACHES:
        caches["pages"].clear()


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


def may_be_shared(request: HttpRequest) -> bool:
    """Whether a stored page may answer this request ahead of the middleware stack."""
    return not (
        is_personal(request)
        or request.path_info.startswith(_static_prefix())
        or (settings.SECURE_SSL_REDIRECT and not request.is_secure())
        or database_recently_unavailable()
        or request_has_nul(request)
    )


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


def _static_prefix():
    # STATIC_URL may be a full address (a CDN): then no path of this site is a static file.
    return urlsplit(settings.STATIC_URL).path if settings.STATIC_URL.startswith("/") else "\x00"


def _key(path, version=None, language=None):
    # URLs can be long (search queries); hash them into a bounded key.
    digest = hashlib.blake2b(path.encode(), digest_size=16).hexdigest()
    if version is None:
        version = content_version.current()
    return f"v{version}:{language or translation.get_language()}:{digest}"
