"""WordPress shortcodes in HTML bodies: find them, read their attributes, turn known ones into HTML.

Known shortcodes become what the site shows for them: `[caption]` a figure with its caption,
`[code]`/`[sourcecode]` highlighted code, `[latex]` (and WordPress.com's `$latex ...$`) math,
`[embed]`/`[video]`/`[audio]` a link or a player for a file. `[gallery]` needs the export's
attachments, so the importer expands it before the body is stored; one left in a body stays
text, like any shortcode this site does not know (those are counted by `unknown_shortcodes`).
`[[name]]` is WordPress's way of writing a shortcode as text: it shows as `[name]`.
"""

import html
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

KNOWN = ("caption", "wp_caption", "code", "sourcecode", "latex", "embed", "video", "audio")


@cache
def shortcode_pattern(names: tuple[str, ...]):
    """A regex for `[name attrs]`, `[name attrs /]` and `[name attrs]content[/name]`.

    Groups: escape_open, name, attrs, self_closing, content, escape_close (as WordPress reads them).
    """
    alternatives = "|".join(re.escape(name) for name in names)
    return re.compile(
        r"\[(?P<escape_open>\[?)"
        rf"(?P<name>{alternatives})(?![\w-])"
        r"(?P<attrs>[^\]/]*(?:/(?!\])[^\]/]*)*?)"
        r"(?:(?P<self_closing>/)\]"
        r"|\](?:(?P<content>[^\[]*(?:\[(?!/(?P=name)\])[^\[]*)*)\[/(?P=name)\])?)"
        r"(?P<escape_close>\]?)",
        re.DOTALL,
    )


# Any other name written as a shortcode: with attributes, self-closing, or with a closing tag.
_ANY_SHORTCODE = re.compile(
    r"\[(?P<escape>\[?)(?P<name>[A-Za-z][\w-]+)"
    r"(?:(?:\s+[\w-]+\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s\]]+))+\s*/?\]"
    r"|\s*/\]"
    r"|\](?=[\s\S]*?\[/(?P=name)\]))"
)
_ATTRIBUTE = re.compile(
    r"([\w-]+)\s*=\s*\"([^\"]*)\"(?:\s|$)"
    r"|([\w-]+)\s*=\s*'([^']*)'(?:\s|$)"
    r"|([\w-]+)\s*=\s*([^\s'\"]+)(?:\s|$)"
    r"|\"([^\"]*)\"(?:\s|$)"
    r"|'([^']*)'(?:\s|$)"
    r"|(\S+)(?:\s|$)"
)
# WordPress.com's inline LaTeX: $latex e^{i\pi}+1=0$, optionally with &bg=...&fg=...&s=... after.
LATEX_DOLLAR = re.compile(r"\$latex[ \t]+((?:\\.|[^$\\])+?)\$")
_LATEX_OPTIONS = re.compile(r"(?:&(?:amp;)?(?:bg|fg|s|zoom)=[\w.-]*)+\s*$")


def parse_attributes(text):
    """Read shortcode attributes: named ones by lowercase name, positional ones under 0, 1, ..."""
    attributes = {}
    position = 0
    for match in _ATTRIBUTE.finditer(html.unescape(text.strip())):
        for name_group in (1, 3, 5):
            if match.group(name_group):
                attributes[match.group(name_group).lower()] = match.group(name_group + 1)
                break
        else:
            value = match.group(7) or match.group(8) or match.group(9)
            if value is not None:
                attributes[position] = value
                position += 1
    return attributes


@dataclass(frozen=True)
class Shortcode:
    name: str
    attributes: dict
    content: str | None


def replace_shortcodes(text, names, handler: Callable[[Shortcode], str]):
    """Replace each shortcode of `names` by handler(shortcode); `[[escaped]]` ones by their text."""
    if "[" not in text:
        return text
    pattern = shortcode_pattern(tuple(names))

    def replace(match):
        if match.group("escape_open") and match.group("escape_close"):
            return match.group(0)[1:-1]
        shortcode = Shortcode(
            match.group("name").lower(),
            parse_attributes(match.group("attrs") or ""),
            match.group("content"),
        )
        return match.group("escape_open") + handler(shortcode) + match.group("escape_close")

    return pattern.sub(replace, text)


def unknown_shortcodes(text):
    """Count the shortcodes in the text that this site does not turn into HTML, by name."""
    found = Counter()
    for match in _ANY_SHORTCODE.finditer(text or ""):
        name = match.group("name").lower()
        if not match.group("escape") and name not in KNOWN:
            found[name] += 1
    return found


# Turning the known ones into HTML -----------------------------------------------------------


def highlighted_code(code, language=""):
    """Highlight code as the Markdown path's fenced code is highlighted (Pygments, .highlight)."""
    try:
        lexer = get_lexer_by_name(language) if language else TextLexer()
    except ClassNotFound:
        lexer = TextLexer()
    return highlight(code, lexer, HtmlFormatter(cssclass="highlight", wrapcode=True))


def code_source(content):
    """The code inside [code]: WordPress's editor stores it with its HTML characters escaped."""
    return html.unescape(content or "").strip("\n")


def latex_source(content):
    return _LATEX_OPTIONS.sub("", html.unescape(content or "")).strip()


def caption_figure(shortcode):
    """`[caption caption="..."]<a><img></a> text[/caption]` as a figure with its caption."""
    content = (shortcode.content or "").strip()
    caption = shortcode.attributes.get("caption", "")
    media = re.match(r"\s*(<a\b[^>]*>\s*<img\b[^>]*>\s*</a>|<img\b[^>]*>)", content, re.I)
    if media:
        picture, rest = media.group(1), content[media.end() :].strip()
    else:
        picture, rest = content, ""
    caption = caption or rest
    align = shortcode.attributes.get("align", "")
    classes = "wp-caption" + (f" {align}" if re.fullmatch(r"align\w+", align) else "")
    figcaption = f"<figcaption>{caption}</figcaption>" if caption else ""
    return f'<figure class="{classes}">{picture}{figcaption}</figure>'


def _web_url(value):
    value = (value or "").strip()
    return value if re.match(r"https?://", value, re.I) else ""


def media_url(shortcode, extensions):
    """The file a [video]/[audio] shortcode plays: src, a per-format attribute, or the content."""
    attributes = shortcode.attributes
    for key in ("src", *extensions, 0):
        if _web_url(attributes.get(key)):
            return attributes[key].strip()
    return _web_url(html.unescape(shortcode.content or ""))


def link_paragraph(url):
    escaped = html.escape(url)
    return f'<p><a href="{escaped}">{escaped}</a></p>'


def player(tag, url):
    escaped = html.escape(url)
    fallback = f'<a href="{escaped}">{escaped}</a>'
    return f'<{tag} controls preload="none" src="{escaped}">{fallback}</{tag}>'
