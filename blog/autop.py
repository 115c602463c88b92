"""Paragraphs for HTML written without them, as WordPress and Typecho show such bodies.

Both store a classic post's body with blank lines between paragraphs and add `<p>` and `<br>`
only when they display it. Their rules, in short: a blank line ends a paragraph, a single
line break is a `<br>`, and block-level elements (lists, tables, figures, ...) are never
wrapped in a paragraph. `<pre>`, `<script>`, `<style>` and `<textarea>` keep their lines.
"""

import re

BLOCK_TAGS = (
    "address|article|aside|audio|blockquote|caption|col|colgroup|dd|details|div|dl|dt|"
    "fieldset|figcaption|figure|footer|form|h[1-6]|header|hgroup|hr|iframe|legend|li|main|map|"
    "math|menu|nav|ol|p|pre|section|summary|svg|table|tbody|td|tfoot|th|thead|tr|ul|video"
)
_OPENING_BLOCK = re.compile(rf"(<(?:{BLOCK_TAGS})(?=[\s/>])[^>]*>)", re.IGNORECASE)
_CLOSING_BLOCK = re.compile(rf"(</(?:{BLOCK_TAGS})>)", re.IGNORECASE)
_ANY_BLOCK_TAG = rf"</?(?:{BLOCK_TAGS})(?=[\s/>])[^>]*>"
_KEPT_AS_IS = re.compile(
    r"<(pre|script|style|textarea)\b[^>]*>.*?</\1\s*>", re.IGNORECASE | re.DOTALL
)
_TAG = re.compile(r"<[^>]*>")
_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n(?:[ \t]*\n)*")


def autop(text):
    """Wrap the paragraphs of `text` in <p> and turn its single line breaks into <br>."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    kept = []

    def keep(match):
        kept.append(match.group(0))
        return f"\ue010{len(kept) - 1}\ue011"

    text = _KEPT_AS_IS.sub(keep, text)
    # A tag written over several lines is one tag, not several lines.
    text = _TAG.sub(lambda match: match.group(0).replace("\n", " "), text)
    text = _OPENING_BLOCK.sub(r"\n\n\1", text)
    text = _CLOSING_BLOCK.sub(r"\1\n\n", text)
    text = re.sub(r"(<hr\b[^>]*>)", r"\1\n\n", text, flags=re.IGNORECASE)
    # A kept <pre> is a block of its own too.
    text = re.sub(r"(\ue010\d+\ue011)", r"\n\n\1\n\n", text)

    paragraphs = [
        f"<p>{chunk.strip()}</p>" for chunk in _PARAGRAPH_BREAK.split(text) if chunk.strip()
    ]
    text = "\n".join(paragraphs)
    text = re.sub(r"<p>\s*(\ue010\d+\ue011)\s*</p>", r"\1", text)
    # A block element is never inside a paragraph: drop the <p> around it, but keep the
    # paragraph of the text that follows a blockquote's opening tag inside the quote.
    text = re.sub(r"<p><blockquote([^>]*)>", r"<blockquote\1><p>", text, flags=re.IGNORECASE)
    text = re.sub(r"</blockquote></p>", r"</p></blockquote>", text, flags=re.IGNORECASE)
    text = re.sub(rf"<p>\s*({_ANY_BLOCK_TAG})", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(rf"({_ANY_BLOCK_TAG})\s*</p>", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(r"<p>\s*</p>", "", text)
    # What remains of the single line breaks, except those next to a block tag.
    text = re.sub(r"(?<!<br />)\s*\n(?!\n)", "<br />\n", text)
    text = re.sub(rf"({_ANY_BLOCK_TAG})\s*<br />", r"\1", text, flags=re.IGNORECASE)
    text = re.sub(
        r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol|figure|figcaption)\b[^>]*>)",
        r"\1",
        text,
        flags=re.IGNORECASE,
    )
    text = re.sub(r"\n</p>", "</p>", text)
    return re.sub(r"\ue010(\d+)\ue011", lambda match: kept[int(match.group(1))], text)
