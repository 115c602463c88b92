"""A body in either format rendered to the HTML stored with it: what posts and pages share.

A post's body and a standalone page's body (pages/) go through this one save-time pipeline,
so math, code, footnotes and imported HTML look the same on both.
"""

from . import html_bodies, rendering

MARKDOWN = "markdown"
HTML = "html"


def render_body(source: str, body_format: str) -> tuple[str, str]:
    """Return the HTML of the body and of its excerpt, from the body in its format."""
    if body_format == HTML:
        rendered = html_bodies.render_html(source)
        return rendered.body_html, rendered.excerpt_html
    return (
        rendering.render_markdown(rendering.strip_more_marker(source)),
        rendering.render_markdown(rendering.split_excerpt(source)),
    )


def searchable_text(source: str, body_format: str) -> str:
    """The words of the body as written: Markdown as is, HTML without its tags."""
    if body_format == HTML:
        return html_bodies.text_of(source)
    return source
