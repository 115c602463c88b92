"""Turn a post's HTML body (most often imported from WordPress or Typecho) into its stored HTML.

The result has the same shape as a Markdown post's: math marked as arithmatex marks it
(`<span class="arithmatex">\\(...\\)</span>`, `<div class="arithmatex">\\[...\\]</div>`) for
whatever typesets math afterwards, code highlighted by Pygments, figures with captions.

On the way: WordPress block comments vanish, shortcodes become HTML (blog/shortcodes.py),
paragraphs are added where the body has none (blog/autop.py, as WordPress and Typecho do when
they display such a body), and the markup is cleaned. The body is the author's, so its markup
stays, but an imported file is treated as hostile all the same: scripts, styles, event
handlers, forms, objects and inline styles go, links and images keep only web, mail and
relative addresses, and a frame from another site becomes a link to what it showed (the
site's Content-Security-Policy would refuse to show it anyway).
"""

import html
import re
import secrets
from dataclasses import dataclass

import bleach
import lxml.html
from lxml import etree
from pymdownx.arithmatex import RE_BRACKET_INLINE, RE_SMART_DOLLAR_INLINE

from . import rendering, shortcodes
from .autop import autop

BLOCK_COMMENT = re.compile(r"<!--\s*/?wp:.*?-->", re.DOTALL)
MORE_MARKER = re.compile(r"<!--\s*more\b.*?-->", re.DOTALL)
_IGNORED_MARKERS = re.compile(r"<!--\s*(?:nextpage|noteaser)\s*-->")

# The Markdown path's patterns for display math inside a paragraph (blog/rendering.py): they
# go first, then arithmatex's inline `$...$` and `\(...\)`, then environments.
DISPLAY_DELIMITED = re.compile(r"(?s)(?<!\\)(?:\$\$.+?\$\$|\\\[.+?\\\])")
ENVIRONMENT = re.compile(r"(?s)(?<!\\)\\begin\{(?P<env>[a-zA-Z]+\*?)\}.+?\\end\{(?P=env)\}")
INLINE = re.compile(f"{RE_SMART_DOLLAR_INLINE}|{RE_BRACKET_INLINE}")

# Elements whose text is never math: code, and what the cleaning removes anyway.
_NO_MATH = {"pre", "code", "kbd", "samp", "script", "style", "textarea"}
_TOKEN = re.compile(r"<!--.*?-->|<[A-Za-z/!?][^>]*>", re.DOTALL)
_TAG_NAME = re.compile(r"</?([A-Za-z][\w-]*)")
_BR = re.compile(r"<br\s*/?>", re.IGNORECASE)

ALLOWED_TAGS = frozenset(
    [
        "a",
        "abbr",
        "address",
        "article",
        "aside",
        "audio",
        "b",
        "bdi",
        "bdo",
        "blockquote",
        "br",
        "caption",
        "cite",
        "code",
        "col",
        "colgroup",
        "dd",
        "del",
        "details",
        "dfn",
        "div",
        "dl",
        "dt",
        "em",
        "figcaption",
        "figure",
        "footer",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "i",
        "iframe",
        "img",
        "ins",
        "kbd",
        "li",
        "mark",
        "ol",
        "p",
        "pre",
        "q",
        "rp",
        "rt",
        "ruby",
        "s",
        "samp",
        "section",
        "small",
        "source",
        "span",
        "strong",
        "sub",
        "summary",
        "sup",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "time",
        "tr",
        "u",
        "ul",
        "var",
        "video",
        "wbr",
    ]
)
_GLOBAL_ATTRIBUTES = {"id", "class", "title", "lang", "dir"}
_ATTRIBUTES = {
    "a": {"href", "name", "rel"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed", "type"},
    "li": {"value"},
    "audio": {"src", "controls", "preload"},
    "video": {"src", "controls", "preload", "poster", "width", "height"},
    "source": {"src", "type"},
    "iframe": {"src", "width", "height", "allowfullscreen"},
    "time": {"datetime"},
    "blockquote": {"cite"},
    "q": {"cite"},
    "del": {"cite", "datetime"},
    "ins": {"cite", "datetime"},
    "col": {"span"},
    "colgroup": {"span"},
}
_REMOVED_WITH_CONTENT = [
    "script",
    "style",
    "noscript",
    "object",
    "embed",
    "applet",
    "base",
    "meta",
    "link",
    "template",
    "frameset",
    "frame",
    "input",
    "textarea",
    "select",
    "option",
]
_UNWRAPPED = ("form", "button", "label", "font", "center")
_WEB_URL = re.compile(r"^\s*https?://\S+\s*$", re.IGNORECASE)


def _allowed_attribute(tag, name, value):
    if name in _GLOBAL_ATTRIBUTES or name in _ATTRIBUTES.get(tag, ()):
        if tag == "iframe" and name == "src":
            return _is_same_site(value)
        return True
    return False


def _is_same_site(url):
    url = url.strip()
    return url.startswith("/") and not url.startswith(("//", "/\\"))


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=frozenset({"http", "https", "mailto"}),
    strip=True,
    strip_comments=True,
)


@dataclass(frozen=True)
class RenderedHtml:
    body_html: str
    excerpt_html: str


def render_html(source):
    """Render the author's HTML body and its excerpt (up to `<!--more-->`, else the first block)."""
    source = source or ""
    # WordPress adds no paragraphs to what its block editor wrote: the blocks hold their own.
    is_block_editor = BLOCK_COMMENT.search(source) is not None
    source = _IGNORED_MARKERS.sub("", BLOCK_COMMENT.sub("", source))
    marker = MORE_MARKER.search(source)
    body = _Pipeline(paragraphs=not is_block_editor).render(MORE_MARKER.sub("", source))
    if marker:
        excerpt = _Pipeline(paragraphs=not is_block_editor).render(source[: marker.start()])
    else:
        excerpt = first_block(body)
    return RenderedHtml(body, excerpt)


def text_of(source):
    """The words of an HTML body, for search: its text without tags, comments or scripts."""
    source = BLOCK_COMMENT.sub("", source or "")
    if not source.strip():
        return ""
    try:
        root = lxml.html.fragment_fromstring(source, create_parent="div")
    except etree.ParserError:
        return ""
    etree.strip_elements(root, "script", "style", with_tail=False)
    return " ".join(root.text_content().split())


def first_block(rendered):
    """The first block of rendered HTML that holds some text: the excerpt of a body without one."""
    if not rendered.strip():
        return ""
    root = lxml.html.fragment_fromstring(rendered, create_parent="div")
    for child in root:
        if child.text_content().strip() or child.find(".//img") is not None or child.tag == "img":
            return lxml.html.tostring(child, encoding="unicode", with_tail=False)
    return ""


class _Pipeline:
    """One rendering: placeholders for code and math are kept here until the markup is clean."""

    def __init__(self, *, paragraphs):
        self.paragraphs = paragraphs
        self.nonce = secrets.token_hex(4)
        self.pieces = []  # (kind, html) for each placeholder

    def render(self, source):
        text = shortcodes.LATEX_DOLLAR.sub(
            lambda match: self._math(f"\\({shortcodes.latex_source(match.group(1))}\\)", "inline"),
            source,
        )
        text = shortcodes.replace_shortcodes(text, shortcodes.KNOWN, self._shortcode)
        text = self._mark_math(text)
        if self.paragraphs:
            text = autop(text)
        # What shortcodes became goes in after the paragraphs, as WordPress runs them after
        # its own, and before the cleaning, which their content must pass like any other.
        text = self._fill_in(text, kinds={"block"})
        text = _clean(text)
        return self._fill_in(text, kinds={"code", "inline", "display", "environment"}).strip()

    # Placeholders --------------------------------------------------------------------------

    def _placeholder(self, kind, content):
        self.pieces.append((kind, content))
        return f"\ue000{self.nonce}:{len(self.pieces) - 1}\ue001"

    def _math(self, tex, kind):
        return self._placeholder(kind, tex)

    def _fill_in(self, text, *, kinds):
        nonce = re.escape(self.nonce)

        def fill(alone):
            def replace(match):
                kind, content = self.pieces[int(match.group(1))]
                if kind not in kinds:
                    return match.group(0)
                return self._piece(kind, content, alone=alone)

            return replace

        alone = re.compile(rf"<p>\s*\ue000{nonce}:(\d+)\ue001\s*</p>")
        text = alone.sub(fill(alone=True), text)
        return re.sub(rf"\ue000{nonce}:(\d+)\ue001", fill(alone=False), text)

    def _piece(self, kind, content, *, alone):
        if kind in ("code", "block"):
            return content
        if alone and kind == "environment":
            # As arithmatex's block processor writes an environment standing alone.
            content = f"\\[{content}\\]"
        escaped = html.escape(content, quote=False)
        if alone and kind in ("display", "environment"):
            return f'<div class="arithmatex">{escaped}</div>'
        return f'<span class="arithmatex">{escaped}</span>'

    # Shortcodes ----------------------------------------------------------------------------

    def _shortcode(self, shortcode):
        name, attributes = shortcode.name, shortcode.attributes
        if name in ("code", "sourcecode"):
            language = attributes.get("language") or attributes.get("lang") or ""
            code = shortcodes.highlighted_code(shortcodes.code_source(shortcode.content), language)
            return "\n\n" + self._placeholder("code", code) + "\n\n"
        if name == "latex":
            return self._math(f"\\({shortcodes.latex_source(shortcode.content)}\\)", "inline")
        if name in ("caption", "wp_caption"):
            return self._block(self._mark_math(shortcodes.caption_figure(shortcode)))
        if name == "embed":
            url = html.unescape(shortcode.content or "").strip()
            return self._block(shortcodes.link_paragraph(url)) if _WEB_URL.match(url) else ""
        extensions = ("mp4", "webm", "ogv", "m4v") if name == "video" else ("mp3", "ogg", "m4a")
        url = shortcodes.media_url(shortcode, extensions)
        return self._block(shortcodes.player(name, url)) if url else ""

    def _block(self, markup):
        return "\n\n" + self._placeholder("block", markup) + "\n\n"

    # Math ----------------------------------------------------------------------------------

    def _mark_math(self, text):
        """Replace each formula in the text (outside tags and code) by a placeholder."""
        out, run = [], []
        skipping = []  # the names of the open elements whose text is not math
        position = 0
        for match in _TOKEN.finditer(text):
            chunk = text[position : match.start()]
            position = match.end()
            token = match.group(0)
            if skipping:
                out.append(chunk + token)
                self._follow_skipped(token, skipping)
                continue
            run.append(chunk)
            if _BR.fullmatch(token):
                run.append("\x01")  # a line break: part of a formula's text, as MathJax reads it
                continue
            out.append(self._math_in(run))
            run = []
            out.append(token)
            self._follow_skipped(token, skipping)
        run.append(text[position:])
        if skipping:
            out.append("".join(run))
        else:
            out.append(self._math_in(run))
        return "".join(out)

    @staticmethod
    def _follow_skipped(token, skipping):
        name_match = _TAG_NAME.match(token)
        if not name_match:
            return
        name = name_match.group(1).lower()
        if name not in _NO_MATH or token.endswith("/>"):
            return
        if token.startswith("</"):
            if skipping and skipping[-1] == name:
                skipping.pop()
        else:
            skipping.append(name)

    def _math_in(self, run):
        text = "".join(run)
        if "$" not in text and "\\" not in text:
            return text.replace("\x01", "<br />")
        text = DISPLAY_DELIMITED.sub(self._display, text)
        text = INLINE.sub(self._inline, text)
        text = ENVIRONMENT.sub(self._environment, text)
        text = text.replace("\\$", "$")
        return text.replace("\x01", "<br />")

    @staticmethod
    def _tex(raw):
        return html.unescape(raw.replace("\x01\n", "\n").replace("\x01", "\n"))

    def _display(self, match):
        tex = self._tex(match.group(0))
        if tex.startswith("$$"):
            tex = "\\[" + tex[2:-2] + "\\]"
        return self._math(tex, "display")

    def _inline(self, match):
        groups = match.groups()
        # arithmatex's patterns: (escaped backslashes, "$", tex) then the same for \( ... \).
        escaped, _opening, tex = groups[0:3] if groups[1] or groups[0] else groups[3:6]
        if escaped:
            return match.group(0)
        return self._math(f"\\({self._tex(tex)}\\)", "inline")

    def _environment(self, match):
        return self._math(self._tex(match.group(0)), "environment")


def _clean(text):
    """Remove what an imported body may not bring, then clean against the allowlist."""
    if not text.strip():
        return ""
    root = lxml.html.fragment_fromstring(text, create_parent="div")
    etree.strip_elements(root, *_REMOVED_WITH_CONTENT, with_tail=False)
    etree.strip_tags(root, *_UNWRAPPED)
    for frame in list(root.iter("iframe")):
        _replace_foreign_frame(frame)
    for image in root.iter("img"):
        image.set("loading", "lazy")
    for element in root.iter("p", "div", "figure"):
        _link_a_lone_address(element)
    inner = (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )
    # After the allowlist: srcset and sizes come from the media library, not from the body.
    return rendering.describe_pictures(_cleaner.clean(inner))


def _replace_foreign_frame(frame):
    source = frame.get("src", "")
    if _is_same_site(source):
        return
    if re.match(r"https?://", source, re.IGNORECASE):
        replacement = lxml.html.fragment_fromstring(shortcodes.link_paragraph(source))
        replacement.tail = frame.tail
        frame.getparent().replace(frame, replacement)
    else:
        frame.drop_tree()


def _link_a_lone_address(element):
    """An address alone in a block (an embed WordPress would have shown) becomes a link to it."""
    if len(element) or not element.text or not _WEB_URL.match(element.text):
        return
    url = element.text.strip()
    link = etree.SubElement(element, "a", href=url)
    link.text = url
    element.text = None
