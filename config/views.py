"""Operational endpoints that belong to no app."""

import logging
import uuid

from django.core.cache import cache
from django.db import connections
from django.http import JsonResponse
from django.views import defaults
from django.views.decorators.cache import never_cache

from .middleware import database_unavailable_response, is_database_error

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
