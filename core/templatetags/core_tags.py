"""Template filters any app's pages may use."""

import json

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from core import plaintext

register = template.Library()


@register.filter
def machine_datetime(value):
    """The moment for `<time datetime>`: local time to the second (HTML allows 3 decimals)."""
    if not value:
        return ""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


# What json_script escapes: nothing in the data can close the <script> element it sits in.
_JSON_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}


@register.filter
def json_ld(data):
    """A JSON-LD block for search engines (a data block, never run, so CSP allows it)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True).translate(_JSON_ESCAPES)
    return format_html('<script type="application/ld+json">{}</script>', mark_safe(text))


@register.simple_tag
def site_logo_url(site_url):
    """The absolute address of the site's largest square icon (share cards' fallback image)."""
    return site_url + reverse("icon_png", kwargs={"size": 512})


@register.filter
def plain_description(html, length=160):
    """A plain-text description of rendered HTML, formulas read as text (meta description)."""
    return plaintext.snippet_of(html or "", int(length))
