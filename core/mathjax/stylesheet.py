"""The site's math stylesheet: the union of the CSS of every formula typeset on the server.

Each typeset post or comment brings the rules its formulas need (renderer.mjs writes only
those); they are merged into one stored stylesheet, which grows as new characters appear and
is rebuilt from scratch by `manage.py typeset_math`. Pages link it by its digest, so browsers
keep it across pages and reload it only when it changes.
"""

import hashlib

from django.db import transaction
from django.http import HttpResponse
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_GET

from core.models import MathStylesheet

from .html import FONT_FILE, merge_css

ROW_ID = 1
# The fonts nearly every formula in CHTML draws from (upright and italic letters, digits,
# operators). Math typeset as SVG carries its glyphs' outlines and needs no font.
PRELOADED_FONTS = ("mjx-ncm-n.woff2", "mjx-ncm-i.woff2", "mjx-ncm-zero.woff2")


def add(*sheets):
    """Merge the rules of newly typeset formulas into the site's stylesheet."""
    sheets = [sheet for sheet in dict.fromkeys(sheets) if sheet]
    if not sheets:
        return
    stored = MathStylesheet.objects.filter(pk=ROW_ID).values_list("css", flat=True).first()
    if stored and merge_css(stored, *sheets) == stored:
        return  # nothing new: most saves, and no lock taken
    with transaction.atomic():
        # Locked so that two saves at once both keep their rules.
        row = MathStylesheet.objects.select_for_update().filter(pk=ROW_ID).first()
        if row is None:
            row = MathStylesheet(pk=ROW_ID)
        merged = merge_css(row.css, *sheets)
        if merged != row.css:
            row.css = merged
            row.digest = _digest(merged)
            row.save()


def replace(css):
    """Store `css` as the whole stylesheet (after every formula was typeset again)."""
    MathStylesheet.objects.update_or_create(
        pk=ROW_ID, defaults={"css": css, "digest": _digest(css)}
    )


def _digest(css):
    return hashlib.sha256(css.encode()).hexdigest()[:12]


def head_links():
    """The <link>s a page's head carries for typeset math (one query; pages are cached)."""
    row = MathStylesheet.objects.filter(pk=ROW_ID).values("digest", "css").first()
    if not row or not row["digest"]:
        return ""
    # Only math typeset as CHTML (before `typeset_math` ran since the upgrade) uses fonts.
    fonts = FONT_FILE.search(row["css"]) is not None
    return format_html(
        '{}<link rel="stylesheet" href="{}">',
        format_html_join(
            "",
            '<link rel="preload" href="{}" as="font" type="font/woff2" crossorigin>',
            ((static(f"{FONT_DIR}/{name}"),) for name in PRELOADED_FONTS if fonts),
        ),
        reverse("math_stylesheet", args=[row["digest"]]),
    )


FONT_DIR = "vendor/mathjax-newcm-font/chtml/woff2"


@require_GET
def stylesheet(request, digest):
    """Serve the stylesheet; the address names its content, so it may be kept for a year."""
    row = MathStylesheet.objects.filter(pk=ROW_ID).first()
    stored = row.css if row else ""
    css = FONT_FILE.sub(lambda match: static(f"{FONT_DIR}/{match.group(1)}"), stored)
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    if row is not None and row.digest == digest:
        response["Cache-Control"] = "public, max-age=31536000, immutable"
    else:
        # An older address (a page cached before a change): today's rules, a superset.
        response["Cache-Control"] = "public, max-age=60"
    return response
