"""What the post editor's live preview asks of the server: the post page's own rendering.

Two answers, both from `rendering.render_markdown`, the function `Post.render` uses:
- the whole body, each top-level block tagged with its source line (sent when the author
  pauses, so footnotes, reference links and heading anchors are exactly the post page's);
- only the block holding the cursor (sent on every keystroke: rendering a 20,000-character
  post takes Python-Markdown over 100 ms, one block a millisecond or two). The editor swaps
  that block in at once and the whole-body answer settles anything that spans blocks.
"""

import re

from . import html_bodies, rendering, sourcelines

REFERENCE_DEFINITION = re.compile(r"^[ ]{0,3}\[(?!\^)[^\]]+\]:[ \t]*\S.*$", re.MULTILINE)
FOOTNOTE_BLOCK = re.compile(r'<div[^>]*class="footnote">.*?</div>\s*$', re.DOTALL)
SOURCE_LINE = re.compile(r'data-source-line="(\d+)"')
MATH = re.compile(r'class="arithmatex"')


def render_body(source):
    """Render the whole body as the post page shows it, blocks tagged with source lines."""
    html = rendering.render_markdown(rendering.strip_more_marker(source), source_lines=True)
    return {"html": html, "formulas": len(MATH.findall(html))}


def render_html_body(source):
    """Render an HTML body (an imported post's) as the post page shows it; it has no blocks."""
    html = html_bodies.render_html(source).body_html
    return {"html": html, "formulas": len(MATH.findall(html))}


def render_block(source, line):
    """Render the top-level block holding `line` (1-based) and say which lines it spans."""
    source = rendering.strip_more_marker(source)
    lines = source.split("\n")
    starts = sourcelines.block_start_lines(source) or [1]
    line = min(max(line, 1), len(lines))
    first = max((start for start in starts if start <= line), default=starts[0])
    later = [start for start in starts if start > first]
    end = later[0] if later else len(lines) + 1  # one past the block's last line
    block = "\n".join(lines[first - 1 : end - 1])
    # Reference-style links may be defined anywhere in the post.
    definitions = "\n".join(REFERENCE_DEFINITION.findall(source))
    html = rendering.render_markdown(f"{block}\n\n{definitions}", source_lines=True)
    # Footnotes are numbered over the whole post: the whole-body answer places them.
    html = FOOTNOTE_BLOCK.sub("", html)
    offset = first - 1
    html = SOURCE_LINE.sub(lambda m: f'data-source-line="{int(m.group(1)) + offset}"', html)
    return {"html": html, "from_line": first, "to_line": end}
