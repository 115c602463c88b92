"""Hostile-input guards for every route: values no view should ever be handed.

PostgreSQL refuses NUL in text (the query fails, a 500), and integers past a signed 64-bit
column make lookups fail in ways each view would have to expect. Both are stopped here,
once, before a view or any middleware that reads the database sees the request.
"""

from urllib.parse import unquote

from django.http import Http404, HttpResponseBadRequest
from django.utils.translation import gettext as _

# The range of the BIGINT/INTEGER columns every id lives in.
SMALLEST_ID = -(2**63)
LARGEST_ID = 2**63 - 1


def has_nul(text: str) -> bool:
    return "\x00" in text


def as_id(value) -> int:
    """Read a path value as a database id, or answer 404 (for views that get ids as text)."""
    text = str(value)
    # int() of more than 4,300 digits raises ValueError; anything past 19 is out of range.
    if not (text.isascii() and text.isdigit() and len(text) <= 19):
        raise Http404
    number = int(text)
    if number > LARGEST_ID:
        raise Http404
    return number


def request_has_nul(request) -> bool:
    """Whether a NUL byte is anywhere in the address, the headers, the cookies or a plain form."""
    if has_nul(request.path_info) or has_nul(unquote(request.META.get("QUERY_STRING", ""))):
        return True
    # Headers and cookies reach the database too (the User-Agent of a comment, the session key).
    return (
        any(
            has_nul(value)
            for name, value in request.META.items()
            if name.startswith("HTTP_") and isinstance(value, str)
        )
        or any(has_nul(value) for value in request.COOKIES.values())
        or _form_has_nul(request)
    )


def _form_has_nul(request):
    # Plain forms only: a NUL inside an uploaded file's bytes is nobody's business here.
    if request.content_type != "application/x-www-form-urlencoded":
        return False
    return any(
        has_nul(key) or any(has_nul(value) for value in values)
        for key, values in request.POST.lists()
    )


class HostileInputMiddleware:
    """Answer 400 to a NUL byte anywhere in the address or headers, 404 to out-of-range ids."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request_has_nul(request):
            return HttpResponseBadRequest(
                _("请求中含有不允许的空字符（NUL）。"), content_type="text/plain; charset=utf-8"
            )
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        # Path converters hand views Python ints of any size; no row has an id past 2^63 - 1.
        for value in [*view_args, *view_kwargs.values()]:
            if isinstance(value, int) and not SMALLEST_ID <= value <= LARGEST_ID:
                raise Http404(_("没有这个编号。"))
        return None
