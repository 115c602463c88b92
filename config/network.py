"""Who is asking: the client address, trusting only as many proxies as we were told about."""

import os

# Number of reverse proxies (nginx, a load balancer) in front of gunicorn that append to
# X-Forwarded-For. With 0, the header is ignored: anyone could forge it.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))


def client_ip(request):
    """Return the client's IP address as seen by the outermost trusted proxy."""
    if TRUSTED_PROXY_COUNT:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= TRUSTED_PROXY_COUNT:
            return forwarded[-TRUSTED_PROXY_COUNT]
    return request.META.get("REMOTE_ADDR") or None
