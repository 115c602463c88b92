"""Tie each top-level block of a rendered post to the source line it came from.

The editor keeps the preview scrolled in step with the Markdown source, and re-typesets only
the blocks that changed, so it needs to know which source line each rendered block starts at.
Python-Markdown keeps no line numbers, so before rendering, a marker comment
(`<!--line:N-->` and a blank line) is put in front of every block that starts after a blank
line; Markdown passes such a comment through as a raw HTML block of its own, and afterwards
each marker becomes a `data-source-line` attribute of the element that follows it.

A marker goes only where a blank line already separates two blocks, and never inside a fenced
code block, a display formula, a raw HTML block or between the items of one list, so the
blocks render exactly as they do without markers (tests/blog/test_source_lines.py checks it).
"""

import re

FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
LIST_ITEM = re.compile(r"^[ \t]{0,3}(?:[*+-]|\d{1,9}[.)])[ \t]+")
ENVIRONMENT_BEGIN = re.compile(r"^[ \t]*\\begin\{([a-zA-Z]+\*?)\}")
HTML_BLOCK = re.compile(r"^[ \t]{0,3}<([a-zA-Z][a-zA-Z0-9-]*)[\s>]")
MORE = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$")
MARKER = re.compile(r"<!--line:(\d+)-->\n*")
MARKER_BEFORE_ELEMENT = re.compile(r"<!--line:(\d+)-->\s*<([a-zA-Z][a-zA-Z0-9]*)(?=[\s>/])")


def block_start_lines(source):
    """Return the 1-based numbers of the lines that start a top-level block."""
    lines = source.split("\n")
    starts = []
    closing = None  # what ends the fence, formula or HTML block we are in
    previous_blank = True
    previous_block_is_list = False
    for number, line in enumerate(lines, start=1):
        if closing is not None:
            if closing.search(line):
                closing = None
            previous_blank = False
            continue
        if not line.strip():
            previous_blank = True
            continue
        starts_block = previous_blank and not line.startswith(("    ", "\t"))
        previous_blank = False
        if starts_block:
            is_list = bool(LIST_ITEM.match(line))
            # A blank line between list items keeps one (loose) list: no marker between them.
            if not (is_list and previous_block_is_list) and not MORE.match(line):
                starts.append(number)
            previous_block_is_list = is_list
        closing = _block_closer(line)
    return starts


def _block_closer(line):
    """Return the pattern of the line that ends a block opening on this line, if any."""
    fence = FENCE.match(line)
    if fence:
        char, length = fence.group(1)[0], len(fence.group(1))
        return re.compile(rf"^[ \t]{{0,3}}{re.escape(char)}{{{length},}}[ \t]*$")
    stripped = line.strip()
    if stripped == "$$" or (stripped.startswith("$$") and stripped.count("$$") == 1):
        return re.compile(r"\$\$")
    if stripped.startswith("\\[") and "\\]" not in stripped:
        return re.compile(r"\\\]")
    environment = ENVIRONMENT_BEGIN.match(line)
    if environment and f"\\end{{{environment.group(1)}}}" not in line:
        return re.compile(re.escape(f"\\end{{{environment.group(1)}}}"))
    html = HTML_BLOCK.match(line)
    if html and f"</{html.group(1)}>" not in line:
        return re.compile(re.escape(f"</{html.group(1)}>"))
    return None


def mark_block_starts(source):
    """Put a line marker comment in front of every top-level block of the source."""
    lines = source.split("\n")
    for number in reversed(block_start_lines(source)):
        lines.insert(number - 1, f"<!--line:{number}-->\n")
    return "\n".join(lines)


def markers_to_attributes(html):
    """Turn each marker into a `data-source-line` attribute of the element after it."""
    html = MARKER_BEFORE_ELEMENT.sub(r'<\2 data-source-line="\1"', html)
    return MARKER.sub("", html)
