from django.conf import settings


def site(request):
    """Expose the blog's identity to every template."""
    return {
        "SITE_NAME": settings.SITE_NAME,
        "SITE_DESCRIPTION": settings.SITE_DESCRIPTION,
        "SITE_URL": settings.SITE_URL,
        "SITE_LICENSE_NAME": settings.SITE_LICENSE_NAME,
        "SITE_LICENSE_URL": settings.SITE_LICENSE_URL,
        # The language posts and comments are written in, whatever the UI's: lang="..." on them.
        "CONTENT_LANGUAGE": settings.SITE_CONTENT_LANGUAGE,
    }
