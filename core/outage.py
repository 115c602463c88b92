"""A clean 503 while the database cannot be reached: the site's own page, Retry-After, no 500.

Used by the middleware below for errors raised in views, by the page cache's fast path
(core/pagecache.py), which runs before the view, and by the 404 handler.
"""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

logger = logging.getLogger(__name__)

RETRY_AFTER_SECONDS = 5
# After a failure, answer 503 at once for this long instead of letting every request wait
# out the pool timeout: a sync worker blocked 2 s per request would queue everything else.
FAST_FAIL_SECONDS = 1.0
_database_down_until = 0.0


def is_database_error(exception):
    from psycopg_pool import PoolTimeout

    return isinstance(exception, (OperationalError, InterfaceError, PoolTimeout))


def database_unavailable_response(request, exception=None):
    """The styled 503 page, rendered without touching the database."""
    global _database_down_until
    if exception is not None:
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        _database_down_until = time.monotonic() + FAST_FAIL_SECONDS
    response = HttpResponse(
        render_to_string(
            "503.html",
            {"SITE_NAME": settings.SITE_NAME, "CONTENT_LANGUAGE": settings.SITE_CONTENT_LANGUAGE},
        ),
        status=503,
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def database_recently_unavailable() -> bool:
    """Whether a request found the database unavailable less than FAST_FAIL_SECONDS ago."""
    return time.monotonic() < _database_down_until


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, in the site's style, when the database cannot be reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if database_recently_unavailable():
            return database_unavailable_response(request)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not is_database_error(exception):
            return None
        return database_unavailable_response(request, exception)
