"""The site's icons and web app manifest (core/icons.py makes them from the site settings)."""

import json

from django.conf import settings
from django.core.cache import caches
from django.http import Http404, HttpResponse
from django.urls import reverse

from . import content_version, icons, site

# Browsers fetch icons on every visit; a day's caching, and a change shows the next day at worst.
ICON_MAX_AGE = 24 * 60 * 60


def _cached(name, make):
    """Made once per content version and process (the bytes never depend on the visitor)."""
    pages = caches["pages"]
    key = f"v{content_version.current()}:icon:{name}"
    made = pages.get(key)
    if made is None:
        made = make(site.identity())
        pages.set(key, made, settings.PAGE_CACHE_SECONDS)
    return made


def _response(content, content_type):
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={ICON_MAX_AGE}"
    return response


def favicon(request):
    return _response(_cached("ico", icons.ico), "image/x-icon")


def icon_png(request, size):
    if size not in icons.PNG_SIZES:
        raise Http404
    return _response(_cached(f"png{size}", lambda i: icons.png(i, size)), "image/png")


def icon_svg(request):
    return _response(_cached("svg", icons.svg), "image/svg+xml")


def manifest(request):
    def make(identity):
        return json.dumps(
            icons.manifest(
                identity,
                start_url=reverse("blog:home"),
                icon_url=lambda size: reverse("icon_png", kwargs={"size": size}),
            ),
            ensure_ascii=False,
        )

    return _response(_cached("manifest", make), "application/manifest+json")
