"""What a commenter's browser remembers: their name and addresses, and the comments they posted."""

from urllib.parse import quote, unquote

from django.conf import settings

REMEMBER_COOKIES = {
    "author_name": "comment_author",
    "author_email": "comment_email",
    "author_url": "comment_url",
}
OWN_COMMENTS_SALT = "comments.own"
OWN_COMMENTS_KEPT = 20
YEAR = 365 * 24 * 60 * 60


def own_comment_ids(request):
    """Ids of comments this browser posted (so their authors see them while pending)."""
    value = request.get_signed_cookie(
        settings.COMMENTS_OWN_COOKIE, default="", salt=OWN_COMMENTS_SALT
    )
    return [int(part) for part in value.split(",") if part.isdigit()]


def remembered_author(request):
    """Name, email and website the commenter used last time, for the form's initial values."""
    return {
        field: unquote(request.COOKIES[cookie])
        for field, cookie in REMEMBER_COOKIES.items()
        if cookie in request.COOKIES
    }


def remember(request, response, *, fields, comment):
    """Keep the commenter's details for next time, and the new comment among their own."""
    for field, cookie in REMEMBER_COOKIES.items():
        # Read by the server only (it fills the form in): no script needs the address.
        response.set_cookie(
            cookie,
            quote(fields[field] or ""),
            max_age=YEAR,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
    earlier = [i for i in own_comment_ids(request) if i != comment.pk][-(OWN_COMMENTS_KEPT - 1) :]
    # Holding this cookie makes the visitor's pages their own (PAGE_CACHE_PERSONAL_COOKIES),
    # so they see their comment while it waits for approval.
    response.set_signed_cookie(
        settings.COMMENTS_OWN_COOKIE,
        ",".join(map(str, [*earlier, comment.pk])),
        salt=OWN_COMMENTS_SALT,
        max_age=YEAR,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
