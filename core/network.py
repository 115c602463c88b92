"""Who is asking: the client address, trusting only as many proxies as settings say."""

import ipaddress

from django.conf import settings

# Longer than any address written out (IPv6 with an embedded IPv4 and a zone is under 64);
# checked before parsing so a 2,000-digit header costs nothing.
LONGEST_ADDRESS = 64


def valid_address(text):
    """The address in its canonical form, or None when the text is not an IP address."""
    text = (text or "").strip()
    if not text or len(text) > LONGEST_ADDRESS:
        return None
    try:
        # A zone (fe80::1%eth0) names the proxy's own interface, not a different client.
        address = ipaddress.ip_address(text.partition("%")[0])
    except ValueError:
        return None
    # One client, one address: ::ffff:192.0.2.1 is 192.0.2.1 for the rate limits.
    return str(getattr(address, "ipv4_mapped", None) or address)


def client_ip(request):
    """Return the client's IP address as seen by the outermost trusted proxy.

    A forwarded entry that is not an IP address (a broken or hostile proxy chain) is not
    trusted: the socket's own address is used instead, so the rate limits and the stored
    address always hold a real address.
    """
    socket_address = valid_address(request.META.get("REMOTE_ADDR"))
    # Each trusted proxy appends the address it received from; anything further left
    # was written by the client and proves nothing.
    if settings.TRUSTED_PROXY_COUNT:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= settings.TRUSTED_PROXY_COUNT:
            return valid_address(forwarded[-settings.TRUSTED_PROXY_COUNT]) or socket_address
    return socket_address
