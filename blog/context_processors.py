from django.conf import settings

from core import site as site_identity


def site(request):
    """Expose the blog's identity (the admin's site settings, else the environment's)."""
    identity = site_identity.identity()
    return {
        "SITE": identity,
        "SITE_NAME": identity.name,
        "SITE_DESCRIPTION": identity.description,
        "SITE_URL": settings.SITE_URL,
        "SITE_LICENSE_NAME": identity.license_name,
        "SITE_LICENSE_URL": identity.license_url,
        # The language posts and comments are written in, whatever the UI's: lang="..." on them.
        "CONTENT_LANGUAGE": settings.SITE_CONTENT_LANGUAGE,
    }
