"""Turn a commenter's Markdown into safe HTML: math kept for MathJax, everything else allowlisted.

This is the only place comment HTML is made; `render_comment` is called when a comment is
saved (and by the preview), never during a page view.
"""

import signal
import threading
import xml.etree.ElementTree as etree
from contextlib import contextmanager
from functools import partial

import bleach
import markdown
from bleach.linkifier import LinkifyFilter
from django.conf import settings
from django.utils.translation import gettext as _
from markdown.treeprocessors import Treeprocessor

from core import plaintext

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "code", "pre", "blockquote", "ul", "ol", "li", "a", "span", "div"}
)
ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
MATH_CLASS = plaintext.MATH_CLASS

# Python-Markdown's link parser is quadratic in unmatched brackets (10,000 `[` take ~10 s).
MAX_BRACKETS = 400
# Ceiling on rendering time, enforced where a signal timer can be used (the request thread).
RENDER_SECONDS = 1.0


class UnrenderableComment(ValueError):
    """The body is too convoluted to render safely; the commenter should simplify it."""


ABSOLUTE_LINK_PREFIXES = ("http://", "https://", "mailto:")


def _is_absolute_link(url):
    """Keep only absolute web and mail links: no scheme-less, relative or odd hrefs."""
    compact = "".join(char for char in url if not char.isspace() and ord(char) >= 32)
    return compact.lower().startswith(ABSOLUTE_LINK_PREFIXES)


def _allowed_attribute(tag, name, value):
    if tag == "a":
        if name == "href":
            return _is_absolute_link(value)
        return name in {"title", "rel"}
    if tag in {"span", "div"}:
        # arithmatex's wrappers are the only classes a commenter's HTML keeps.
        return name == "class" and value == MATH_CLASS
    return False


# Every link is marked as user-generated and not endorsed by the site.
LINK_REL = "nofollow ugc noopener"

# The library behind sanitize(). bleach is deprecated upstream; the sanitizer tests run
# against nh3 too (tests/comments/test_sanitizing.py), so moving is this one line (and nh3
# moving from requirements-dev.txt to requirements.txt).
SANITIZER = "bleach"


def _link_rel(attrs, new=False):
    attrs[(None, "rel")] = LINK_REL
    return attrs


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    # bleach sets rel through its linkifier's callbacks. Bare URLs are already links
    # (Markdown's magiclink); span and div only wrap math, where a URL must stay TeX.
    filters=[
        partial(LinkifyFilter, callbacks=[_link_rel], skip_tags={"pre", "code", "span", "div"})
    ],
)


def _clean_with_bleach(html):
    return _cleaner.clean(html)


def _clean_with_nh3(html):
    import nh3  # only installed for the tests until it becomes the sanitizer

    def keep(tag, name, value):
        return value if _allowed_attribute(tag, name, value) else None

    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={"a": {"href", "title"}, "span": {"class"}, "div": {"class"}},
        attribute_filter=keep,
        strip_comments=True,
        link_rel=LINK_REL,
        url_schemes=set(ALLOWED_PROTOCOLS),
    )


_SANITIZERS = {"bleach": _clean_with_bleach, "nh3": _clean_with_nh3}


def sanitize(html):
    """Clean HTML against the comment allowlist (the single sanitizer of the project)."""
    # A leading byte-order mark is never content; html5ever (nh3) drops one per pass, so
    # without this sanitizing twice would not give what sanitizing once gave.
    return _SANITIZERS[SANITIZER](html.lstrip("\ufeff"))


class _ImagesAsLinks(Treeprocessor):
    """Show an image a commenter links to as a link with its alt text, not an embed."""

    def run(self, root):
        for parent in root.iter():
            for index, child in enumerate(list(parent)):
                if child.tag == "img":
                    link = etree.Element("a", {"href": child.get("src", "")})
                    link.text = child.get("alt") or _("图片")
                    link.tail = child.tail
                    parent.remove(child)
                    parent.insert(index, link)


class _CommentMarkdown(markdown.Extension):
    """Treat HTML typed by a commenter as text rather than markup; images become links."""

    def extendMarkdown(self, md):
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        md.treeprocessors.register(_ImagesAsLinks(md), "images-as-links", 1)


_local = threading.local()


def _converter():
    """One Markdown converter per thread, reset between comments (building one is slow)."""
    converter = getattr(_local, "converter", None)
    if converter is None:
        converter = _local.converter = _new_converter()
    return converter.reset()


def _new_converter():
    return markdown.Markdown(
        extensions=[
            "pymdownx.arithmatex",
            "pymdownx.magiclink",
            "pymdownx.highlight",
            "pymdownx.superfences",
            "pymdownx.betterem",
            "sane_lists",
            "nl2br",
            _CommentMarkdown(),
        ],
        extension_configs={
            # Plain <pre><code>: Pygments' classes would be stripped by the allowlist anyway.
            "pymdownx.highlight": {"use_pygments": False},
            # Bare web addresses become links, as typed (no shortening of GitHub URLs).
            "pymdownx.magiclink": {
                "hide_protocol": False,
                "repo_url_shortener": False,
                "social_url_shortener": False,
            },
            "pymdownx.arithmatex": {
                "generic": True,
                "block_syntax": ["dollar", "square"],
                "inline_syntax": ["dollar", "round"],
            },
        },
        output_format="html",
    )


class _RenderTimeout(Exception):
    pass


@contextmanager
def _time_limit(seconds):
    # Signals only reach the main thread; elsewhere the bracket guard alone bounds the time.
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def expire(signum, frame):
        raise _RenderTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def render_comment(source):
    """Render and sanitize a comment body, or raise UnrenderableComment."""
    source = (source or "")[: settings.COMMENTS_MAX_LENGTH]
    if source.count("[") > MAX_BRACKETS:
        raise UnrenderableComment(
            _("评论中的方括号太多（超过 %(n)d 个），请精简后再提交。") % {"n": MAX_BRACKETS}
        )
    # Built (once per thread, with its extensions' imports) before the clock starts: the
    # limit is for this body's rendering, not for a worker's first comment.
    converter = _converter()
    try:
        with _time_limit(RENDER_SECONDS):
            html = converter.convert(source)
            return sanitize(html)
    except (RecursionError, _RenderTimeout) as error:
        _local.converter = None  # interrupted mid-document: start the next one afresh
        raise UnrenderableComment(
            _("评论的格式太复杂（例如嵌套过深），无法显示，请简化后再提交。")
        ) from error
