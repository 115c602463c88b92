"""Typeset the math wrappers of stored HTML, and the stylesheet a page needs for them."""

import html as html_lib
import re
from dataclasses import dataclass, field

from django.conf import settings

from . import client

# What arithmatex writes around each formula (the post and comment renderers and the HTML
# bodies' reader all use it): a span or div of that class holding the escaped TeX.
MATH_WRAPPER = re.compile(r'(<(span|div) class="arithmatex">)(.*?)(</\2>)', re.DOTALL)
# A formula typeset on the server keeps its TeX in the data-latex attribute of its SVG's
# <g data-mml-node="math"> (of <mjx-math> in HTML typeset before the output became SVG).
TYPESET_TEX = re.compile(r'<(?:g data-mml-node="math"|mjx-math\b)[^>]*?\sdata-latex="([^"]*)"')
RAW_MATH = re.compile(r'<(?:span|div) class="arithmatex">(?!<mjx-)')
# Only CSS stored before the output became SVG names font files (until `typeset_math` runs).
FONT_URL = "MATHJAX-FONT-URL"
FONT_FILE = re.compile(FONT_URL + r"/([\w.-]+\.woff2)")


@dataclass
class TypesetHtml:
    """HTML with its formulas typeset, the CSS they need, their labels; or why not."""

    html: str
    css: str = ""
    labels: dict = field(default_factory=dict)
    # Empty when every formula was typeset (or there was none); else why the math was left
    # as TeX for MathJax in the reader's browser.
    error: str = ""

    @property
    def typeset(self):
        return not self.error


def typeset_html(html, *, scope, safe=False, labels=None):
    """Typeset every formula of `html` on the server, or return it untouched with the reason.

    `scope` prefixes the ids of equation labels (one page may show several documents); `safe`
    applies MathJax's safe extension (TeX typed by readers); `labels` are labels defined
    elsewhere that \\eqref may point to ({name: {"tag": "1", "id": "mjx-eqn:..."}}).
    """
    matches = list(MATH_WRAPPER.finditer(html))
    if not matches:
        return TypesetHtml(html)
    if not settings.MATH_RENDER_ON_SAVE:
        return TypesetHtml(html, error="server-side rendering is turned off (MATH_RENDER_ON_SAVE)")
    texts = [html_lib.unescape(match.group(3)) for match in matches]
    try:
        answer = client.render(texts, scope=scope, safe=safe, labels=labels)
    except client.RendererUnavailable as error:
        return TypesetHtml(html, error=str(error))
    if answer["errors"]:
        return TypesetHtml(html, error="; ".join(dict.fromkeys(answer["errors"])))
    pieces = []
    position = 0
    for match, typeset in zip(matches, answer["html"], strict=True):
        pieces += [html[position : match.start(3)], typeset]
        position = match.end(3)
    pieces.append(html[position:])
    return TypesetHtml("".join(pieces), answer["css"], answer["labels"])


def tex_of(content):
    """The TeX (delimiters and all, if not typeset) of a math wrapper's content, as text."""
    if not content.startswith("<mjx-"):
        return html_lib.unescape(content)
    typeset = TYPESET_TEX.search(content)
    return html_lib.unescape(typeset.group(1)) if typeset else ""


def has_raw_math(html):
    """Whether `html` holds a formula not yet typeset (left for MathJax in the browser)."""
    return RAW_MATH.search(html or "") is not None


def merge_css(*sheets):
    """One stylesheet from several renders' CSS, each rule once, in first-seen order."""
    rules = {}
    for sheet in sheets:
        for rule in _rules(sheet):
            rules.setdefault(rule, None)
    return "\n\n".join(rules)


def _rules(sheet):
    # MathJax writes one rule (or @font-face) per block, blocks separated by a blank line.
    return [block.strip() for block in re.split(r"\n\s*\n", sheet or "") if block.strip()]


def strip_math(html):
    """`html` with the content of its math wrappers removed (links drawn by \\eqref and all)."""
    return MATH_WRAPPER.sub(r"\1\4", html or "")


ASSISTIVE_MATHML = re.compile(
    r"<mjx-assistive-mml\b[^>]*>(<math\b.*?</math>)</mjx-assistive-mml>", re.S
)
DATA_LATEX = re.compile(r' data-latex="[^"]*"')


def as_mathml(html):
    """`html` with each typeset formula as its MathML alone (for feeds: no CSS, no script).

    The TeX goes from every node's data-latex to the formula's alttext, MathML's own place
    for a text alternative.
    """

    def mathml(match):
        found = ASSISTIVE_MATHML.search(match.group(3))
        if not found:
            return match.group(0)
        tex = TYPESET_TEX.search(match.group(3))
        alttext = f' alttext="{tex.group(1)}"' if tex else ""
        formula = DATA_LATEX.sub("", found.group(1)).replace("<math ", f"<math{alttext} ", 1)
        return match.group(1) + formula + match.group(4)

    return MATH_WRAPPER.sub(mathml, html or "")


# The outlines of the glyphs a typeset document uses (renderer.mjs): one <path> each, in the
# hidden <svg> of its first formula, under ids that carry the document's scope.
GLYPH_OUTLINE = re.compile(r'<path id="MJX-([a-z0-9]+-)?([A-Za-z0-9-]+)" d="([^"]*)"></path>')
GLYPH_USE = re.compile(r'xlink:href="#(MJX-[^"]+)"')
# That hidden <svg> once other documents define every outline it held: 100 bytes and two
# elements per comment, for nothing.
EMPTY_GLYPH_CACHE = re.compile(
    r'<svg\b[^>]*\bid="MJX-[a-z0-9-]*SVG-global-cache"[^>]*><defs></defs></svg>'
)


class GlyphSharing:
    """Documents shown on one page, each glyph's outline defined once for all of them.

    Each comment is typeset on its own, with the outlines of every glyph it uses: a post
    with 500 comments repeated two dozen outlines 2,300 times (1 MB of a 2.4 MB page). Pass
    the documents through `share` in the order the page shows them: an outline another one
    already defined is dropped and the formulas use that one instead, and a hidden <svg> left
    with no outline at all goes too. A document the page shows unchanged (the post above its
    comments) lends its outlines through `shown_unchanged`. Outlines are shared only when they
    are the same glyph drawn the same way (name and path data).
    """

    def __init__(self):
        self._defined: dict[tuple[str, str], str] = {}  # (glyph, path data) → id defining it

    def shown_unchanged(self, html: str) -> None:
        """Let the documents shared after this one use the outlines `html` defines."""
        for match in GLYPH_OUTLINE.finditer(html or ""):
            self._defined.setdefault((match.group(2), match.group(3)), _outline_id(match))

    def share(self, html: str) -> str:
        if "<path id=" not in html:
            return html
        moved = {}

        def keep_first(match):
            own_id = _outline_id(match)
            defined = self._defined.setdefault((match.group(2), match.group(3)), own_id)
            if defined == own_id:
                return match.group(0)
            moved[own_id] = defined
            return ""

        html = GLYPH_OUTLINE.sub(keep_first, html)
        if not moved:
            return html
        return GLYPH_USE.sub(
            lambda use: f'xlink:href="#{moved.get(use.group(1), use.group(1))}"',
            EMPTY_GLYPH_CACHE.sub("", html),
        )


def _outline_id(match):
    return f"MJX-{match.group(1) or ''}{match.group(2)}"
