"""Short plain text from rendered HTML with math: a comment's snippet, a post's description.

Markup goes, each formula is turned into readable text (pylatexenc: `\\int_0^1 x\\,dx` reads
`∫_0^1 x dx`) and is kept whole or left out, never cut in the middle. Comments store theirs
when saved (the 最近评论 sidebar, the admin's list); a post's share card and search-result
description come from its excerpt.
"""

import html
import logging
import re

from django.utils.html import strip_tags
from pylatexenc.latex2text import LatexNodes2Text

# What the Markdown renderer (arithmatex) and the comment sanitizer mark formulas with.
MATH_CLASS = "arithmatex"

SNIPPET_LENGTH = 40
ELLIPSIS = "…"
# A comment that opens with a formula longer than the snippet still shows it, up to this long.
LONGEST_OPENING_FORMULA = 3 * SNIPPET_LENGTH

# The sanitizer keeps class="arithmatex" on span and div only, and nothing inside them.
_MATH = re.compile(rf'<(span|div) class="{MATH_CLASS}">(.*?)</\1>', re.S)
_DELIMITERS = re.compile(r"^\s*(?:\\\(|\\\[|\$\$?)(.*?)(?:\\\)|\\\]|\$\$?)\s*$", re.S)
_SPACE = re.compile(r"\s+")

_to_text = LatexNodes2Text(math_mode="text")
# pylatexenc warns about every macro it does not know; a commenter's TeX is full of them.
logging.getLogger("pylatexenc").setLevel(logging.ERROR)


def snippet_of(body_html: str, length: int = SNIPPET_LENGTH) -> str:
    """Return at most `length` characters of plain text, ending in … when the text goes on."""
    pieces = []
    for kind, piece in _pieces(body_html):
        if not pieces or pieces[-1][1].endswith(" "):
            piece = piece.lstrip()
        if piece:
            pieces.append((kind, piece))
    whole = "".join(piece for _, piece in pieces).strip()
    if len(whole) <= length:
        return whole
    # Too long: fill what room the ellipsis leaves, formulas whole or not at all.
    room, text = length - len(ELLIPSIS), ""
    for kind, piece in pieces:
        if len(text) + len(piece) <= room:
            text += piece
        elif kind == "text":
            text += piece[: room - len(text)]
            break
        elif not text and len(piece) <= LONGEST_OPENING_FORMULA:
            return piece.strip() + ELLIPSIS  # opening with a long formula: it, not nothing
        else:
            break
    return text.rstrip() + ELLIPSIS


def _pieces(body_html):
    """Yield ("text", words) and ("formula", readable text) in reading order, spaces collapsed."""
    position = 0
    for match in _MATH.finditer(body_html):
        yield "text", _plain(body_html[position : match.start()])
        yield "formula", readable_formula(html.unescape(match.group(2)))
        position = match.end()
    yield "text", _plain(body_html[position:])


def _plain(fragment):
    return _SPACE.sub(" ", html.unescape(strip_tags(fragment)))


def readable_formula(tex: str) -> str:
    """Turn one formula's TeX into readable Unicode text, or keep its TeX if it cannot be read."""
    delimited = _DELIMITERS.match(tex)
    source = delimited.group(1) if delimited else tex
    source = source.strip()
    if not _balanced(source):
        return _SPACE.sub(" ", source)
    try:
        readable = _to_text.latex_to_text(source)
    except Exception:  # pylatexenc raises its own assortment on odd input; keep the TeX then
        return _SPACE.sub(" ", source)
    return _SPACE.sub(" ", readable).strip()


def _balanced(tex):
    depth = 0
    for match in re.finditer(r"\\.|[{}]", tex):
        token = match.group(0)
        if token == "{":
            depth += 1
        elif token == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0
