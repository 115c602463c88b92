"""Project-wide middleware: read-your-writes pinning and django-csp's header built once.

The 503 answered while the database is down lives in core/outage.py: the page cache's fast
path (core/pagecache.py) answers it too."""

import logging
import random
from functools import cache

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from .routers import chosen_replica, pinned_to_primary

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
        # One replica for the whole request, so the content version and the page's data
        # come from the same point in the replication stream.
        replica = random.choice(settings.DATABASE_REPLICAS) if settings.DATABASE_REPLICAS else None
        replica_token = chosen_replica.set(replica)
        try:
            response = self.get_response(request)
        finally:
            pinned_to_primary.reset(token)
            chosen_replica.reset(replica_token)
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


class CSPMiddleware(BaseCSPMiddleware):
    """django-csp's middleware, with the site-wide policy built once instead of per response.

    django-csp rebuilds the header from the settings for every response (dataclasses, deep
    copies, sorting): a fifth of the time of a cached page. A response that changes the policy
    (django-csp's decorators) or a request that used a nonce still goes through django-csp.
    """

    def process_response(self, request, response):
        if getattr(request, "_csp_nonce", None) is not None or any(
            name.startswith("_csp") for name in vars(response)
        ):
            return super().process_response(request, response)
        if settings.DEBUG and response.status_code in (404, 500):
            return response  # django-csp leaves Django's debug pages alone
        for header, policy, excluded_prefixes in _site_policies():
            if (
                policy
                and header not in response
                and not request.path_info.startswith(excluded_prefixes)
            ):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


@cache
def _site_policies():
    """(header, policy, excluded URL prefixes) for the enforced and the report-only policy."""
    policies = []
    for header, setting_name, report_only in (
        (HEADER, "CONTENT_SECURITY_POLICY", False),
        (HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY", True),
    ):
        setting = getattr(settings, setting_name, None) or {}
        prefixes = tuple(setting.get("EXCLUDE_URL_PREFIXES") or ())
        policies.append((header, build_policy(report_only=report_only), prefixes))
    return tuple(policies)


@receiver(setting_changed)
def _forget_site_policies(setting, **kwargs):
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        _site_policies.cache_clear()
