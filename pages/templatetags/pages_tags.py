"""The header's links to standalone pages, for the base template."""

from django import template
from django.conf import settings

from ..models import Page

register = template.Library()


@register.inclusion_tag("pages/navigation.html")
def navigation_pages():
    """Links to the published pages the author put in the header, in their order."""
    return {
        "nav_pages": Page.objects.in_navigation().only("title", "slug"),
        "CONTENT_LANGUAGE": settings.SITE_CONTENT_LANGUAGE,
    }
