"""Operational endpoints that belong to no app."""

import logging
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connections
from django.http import Http404, HttpResponseRedirect, JsonResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views import defaults
from django.views.decorators.cache import never_cache

from core.outage import database_unavailable_response, is_database_error

logger = logging.getLogger(__name__)


@never_cache
def healthz(request):
    """200 when the primary database and the cache both answer, 503 otherwise."""
    checks = {"database": _database_answers(), "cache": _cache_answers()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks}, status=200 if healthy else 503
    )


def _database_answers():
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:
        logger.warning("Health check: database does not answer", exc_info=True)
        return False


def _cache_answers():
    key = f"healthz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", 5)
        answered = cache.get(key) == "1"
        cache.delete(key)
        return answered
    except Exception:
        logger.warning("Health check: cache does not answer", exc_info=True)
        return False


def page_not_found(request, exception):
    """Django's 404 page, or the 503 page if the database is down while rendering it."""
    try:
        return defaults.page_not_found(request, exception)
    except Exception as error:
        if is_database_error(error):
            return database_unavailable_response(request, error)
        raise


@never_cache
def switch_language(request, code):
    """Remember the reader's choice of interface language in a cookie and go back to `next`.

    A plain link (GET) rather than Django's set_language form (POST): a form would put a CSRF
    token, and so a CSRF cookie, into every cached page. A cross-site link can at worst change
    a visitor's interface language, which they can change back in one click.
    """
    if code not in dict(settings.LANGUAGES):
        raise Http404("unknown language")
    next_url = request.GET.get("next", "")
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("blog:home")
    response = HttpResponseRedirect(next_url)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
    )
    return response
