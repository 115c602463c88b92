"""Template filters any app's pages may use."""

from django import template
from django.utils import timezone

from core.mathjax import stylesheet

register = template.Library()


@register.filter
def machine_datetime(value):
    """The moment for `<time datetime>`: local time to the second (HTML allows 3 decimals)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


@register.simple_tag
def math_stylesheet():
    """The links to the site's stylesheet of typeset math and its main fonts, for the head."""
    return stylesheet.head_links()
