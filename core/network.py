"""Who is asking: the client address, trusting only as many proxies as settings say."""

from django.conf import settings


def client_ip(request):
    """Return the client's IP address as seen by the outermost trusted proxy."""
    # Each trusted proxy appends the address it received from; anything further left
    # was written by the client and proves nothing.
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return forwarded[-settings.TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None
