"""Stored pages served ahead of Django's request handling, as WhiteNoise serves files.

config/wsgi.py wraps Django's WSGI application in SharedPageApplication. For a GET or HEAD it
runs the head of MIDDLEWARE, from the top down to SharedPageMiddleware (core/pagecache.py), with
nothing below it: a stored page comes back from there and goes straight to the server. Anything
else (not stored yet, personal, a static file, a form posted) goes to Django's application as
if this were not here.

What a stored page then skips is Django's per-request bookkeeping: the request_started and
request_finished signals, URL configuration and the handler's own layers, about a hundred µs
of the few hundred such a page costs (docs/performance.md). Of that bookkeeping the page needs
one thing, done here: a database connection its visitor used (counting a reader) is closed, or
given back to the pool, as request_finished would. The signals' other receivers reset the debug
query log, close cache connections (a stored page reads only the per-process page store) and
reset the URL configuration (which this never sets). Errors are answered as in the stack: each
middleware of the head is wrapped as Django wraps it, so an exception is logged and gets the
site's 500 page, and an unavailable database gets core.outage's 503.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.handlers.exception import convert_exception_to_response
from django.core.handlers.wsgi import WSGIRequest, get_script_name
from django.db import close_old_connections
from django.http import HttpResponse
from django.urls import set_script_prefix
from django.utils.log import log_response
from django.utils.module_loading import import_string

SHARED_PAGE_MIDDLEWARE = "core.pagecache.SharedPageMiddleware"
# Hooks the head of the stack cannot run: they belong to Django's handler, which it skips.
_HANDLER_HOOKS = ("process_view", "process_template_response", "process_exception")


class _NotStored(HttpResponse):
    """What the head of the stack answers when no stored page served the request."""


class SharedPageApplication:
    """WSGI application: stored shared pages first, everything else to Django's application."""

    def __init__(self, application):
        self.application = application
        self._head = None  # built on first use: settings may not be ready at import

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return self.application(environ, start_response)
        if self._head is None:
            self._head = head_of_stack()
        set_script_prefix(get_script_name(environ))
        # A copy: WSGIRequest writes the decoded path into the environ it is given, and Django's
        # application, if it gets the request after all, must decode the path the server sent.
        request = WSGIRequest(environ.copy())
        response = self._head(request)
        if isinstance(response, _NotStored):
            return self.application(environ, start_response)
        close_old_connections()
        if response.status_code >= 400:
            log_response(
                "%s: %s", response.reason_phrase, request.path, response=response, request=request
            )
        start_response(
            f"{response.status_code} {response.reason_phrase}",
            [
                *response.items(),
                *(("Set-Cookie", cookie.output(header="")) for cookie in response.cookies.values()),
            ],
        )
        # The body, not the response: closing a response sends request_finished.
        return [response.content]


def head_of_stack():
    """The middleware of settings.MIDDLEWARE down to SharedPageMiddleware, built as Django
    builds its stack, ending in _NotStored instead of the middleware below and the view."""
    try:
        end = settings.MIDDLEWARE.index(SHARED_PAGE_MIDDLEWARE) + 1
    except ValueError:
        raise ImproperlyConfigured(
            f"SharedPageApplication serves what {SHARED_PAGE_MIDDLEWARE} stores: add it to "
            "MIDDLEWARE."
        ) from None
    handler = convert_exception_to_response(lambda request: _NotStored())
    for path in reversed(settings.MIDDLEWARE[:end]):
        middleware = import_string(path)(handler)
        hooks = [hook for hook in _HANDLER_HOOKS if hasattr(middleware, hook)]
        if hooks:
            raise ImproperlyConfigured(
                f"{path} is above {SHARED_PAGE_MIDDLEWARE} in MIDDLEWARE but has "
                f"{', '.join(hooks)}, which stored pages served ahead of Django would skip: "
                "move it below."
            )
        handler = convert_exception_to_response(middleware)
    return handler
