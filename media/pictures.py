"""What the blog's renderer learns of a picture in a post (settings.BLOG_PICTURE_LOOKUP)."""

from .models import MediaFile


def picture_for_url(url):
    """Return the sizes of the library picture at `url`, or None for any other address."""
    media = MediaFile.objects.images().filter(width__isnull=False).for_url(url).first()
    if media is None:
        return None
    return {
        "width": media.width,
        "height": media.height,
        "srcset": media.srcset(),
        "original": media.url,
    }
