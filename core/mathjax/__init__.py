"""Math typeset once, when content is saved, by MathJax running under Node (renderer.mjs).

`typeset_html` is the one entry point: posts, comments (and any other stored HTML) pass their
rendered HTML through it. Readers then get finished formulas and no MathJax in their page;
the CSS the formulas need is kept in one site-wide stylesheet (stylesheet.py).
"""

from .html import (
    MATH_WRAPPER,
    GlyphSharing,
    TypesetHtml,
    as_mathml,
    has_raw_math,
    merge_css,
    strip_math,
    tex_of,
    typeset_html,
)

__all__ = [
    "MATH_WRAPPER",
    "GlyphSharing",
    "TypesetHtml",
    "as_mathml",
    "has_raw_math",
    "merge_css",
    "strip_math",
    "tex_of",
    "typeset_html",
]
