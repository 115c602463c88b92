"""CSRF tokens for cached pages, as Django's get_token() makes them, drawn faster."""

import secrets

from django.http import HttpRequest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH


def csrf_token(request: HttpRequest, argument: str = "") -> str:
    """The CSRF token for a form, as get_token() makes it, with its random characters drawn
    in one read of the system's random source each time.

    get_token() reads that source once per character: 32 reads for a new visitor's secret
    and 32 for the mask of every token. A cached post page is mostly served to visitors with
    no CSRF cookie yet, and those 64 reads were about a sixth of its work. The token is the
    same: the visitor's secret (a new one, uniformly drawn from the same alphabet, when there
    is no cookie), behind a new mask per response, and the cookie set or renewed.
    """
    secret = request.META.get("CSRF_COOKIE")  # where CsrfViewMiddleware put the cookie's secret
    if secret is None:
        secret = request.META["CSRF_COOKIE"] = random_csrf_string()
    request.META["CSRF_COOKIE_NEEDS_UPDATE"] = True  # the middleware sets or renews the cookie
    return masked_csrf_secret(secret)


def random_csrf_string() -> str:
    """CSRF_SECRET_LENGTH characters drawn uniformly from Django's alphabet.

    Each random byte below the largest multiple of the alphabet's size picks a character by
    its remainder; the few bytes above it are dropped (keeping them would favour the first
    characters). bytes.translate does both in C.
    """
    characters = b""
    while len(characters) < CSRF_SECRET_LENGTH:
        drawn = secrets.token_bytes(CSRF_SECRET_LENGTH + _SPARE_BYTES)
        characters += drawn.translate(_CHARACTER_OF_BYTE, _BIASED_BYTES)
    return characters[:CSRF_SECRET_LENGTH].decode("ascii")


def masked_csrf_secret(secret: str) -> str:
    """A one-time mask, then each character of the secret moved along the alphabet by the
    mask's character in its place: what CsrfViewMiddleware unmasks a 64-character token with."""
    mask = random_csrf_string()
    base = len(CSRF_ALLOWED_CHARS)
    position = _CSRF_CHARACTER_POSITIONS
    return mask + "".join(
        CSRF_ALLOWED_CHARS[(position[plain] + position[key]) % base]
        for plain, key in zip(secret, mask, strict=True)
    )


_UNBIASED_BYTES = 256 - 256 % len(CSRF_ALLOWED_CHARS)  # 248 for the 62 letters and digits
_BIASED_BYTES = bytes(range(_UNBIASED_BYTES, 256))
_CHARACTER_OF_BYTE = bytes(
    ord(CSRF_ALLOWED_CHARS[byte % len(CSRF_ALLOWED_CHARS)]) for byte in range(256)
)
# About 3 % of bytes are dropped: 8 spare ones make a second draw rare.
_SPARE_BYTES = 8
_CSRF_CHARACTER_POSITIONS = {character: i for i, character in enumerate(CSRF_ALLOWED_CHARS)}
