"""Project-wide middleware: read-your-writes pinning and a clean 503 when the database is down."""

import logging

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse
from django.template.loader import render_to_string

from .routers import pinned_to_primary

logger = logging.getLogger(__name__)

PIN_COOKIE = "pin_primary"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS", "TRACE"}


class PrimaryPinningMiddleware:
    """After a browser writes, read its requests from the primary for a few seconds.

    Replicas lag a little behind the primary; without this a commenter could be sent to
    a page rendered from a replica that has not seen their new comment yet.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        writes = request.method not in SAFE_METHODS
        token = pinned_to_primary.set(writes or PIN_COOKIE in request.COOKIES)
        try:
            response = self.get_response(request)
        finally:
            pinned_to_primary.reset(token)
        if writes and settings.DATABASE_REPLICAS:
            response.set_cookie(
                PIN_COOKIE,
                "1",
                max_age=settings.DATABASE_REPLICA_PIN_SECONDS,
                httponly=True,
                samesite="Lax",
                secure=settings.SESSION_COOKIE_SECURE,
            )
        return response


class DatabaseUnavailableMiddleware:
    """Answer 503 with Retry-After, in the site's style, when the database cannot be reached."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (OperationalError, InterfaceError)) and not _is_pool_timeout(
            exception
        ):
            return None
        logger.warning("Database unavailable for %s: %s", request.path, exception)
        response = HttpResponse(
            render_to_string("503.html", {"SITE_NAME": settings.SITE_NAME}),
            status=503,
        )
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        response["Cache-Control"] = "no-store"
        return response


def _is_pool_timeout(exception):
    try:
        from psycopg_pool import PoolTimeout
    except ImportError:  # pragma: no cover - psycopg is a requirement
        return False
    return isinstance(exception, PoolTimeout)
