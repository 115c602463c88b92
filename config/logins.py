"""How django-axes names the account a login attempt was for."""

from django.contrib.auth import get_user_model

# AccessAttempt.username holds 255 characters; Django's login form does not check the length
# of what it passes on, and PostgreSQL refuses a longer value (a 500 on the login page).
USERNAME_KEPT = 255


def attempted_username(request, credentials=None):
    """The username tried, cut to what a username can be (no account has a longer one)."""
    field = get_user_model().USERNAME_FIELD
    if credentials:
        username = credentials.get(field)
    else:
        username = getattr(request, "data", request.POST).get(field)
    if username is None:
        return None
    return str(username)[:USERNAME_KEPT]
