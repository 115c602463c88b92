"""Turn a post's Markdown into the HTML stored with it: math left for MathJax, code highlighted."""

import re
import xml.etree.ElementTree as etree

import lxml.html
import markdown
from django.conf import settings
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor
from markdown.util import AtomicString
from pymdownx.slugs import slugify

from . import sourcelines

MORE_MARKER = re.compile(r"^[ \t]*<!--\s*more\s*-->[ \t]*$", re.MULTILINE)

# Display math written inside a paragraph, as is common in Chinese math writing:
# "...我们有\n\begin{equation}...\end{equation}\n其中...". Arithmatex only knows these as
# blocks of their own, so without this pattern `_` and `*` inside them become emphasis.
# $$...$$ and \[...\] go before arithmatex's inline pattern, or `$$` would read as two `$`.
INLINE_DISPLAY_DELIMITED = r"(?s)(?<!\\)(?:\$\$.+?\$\$|\\\[.+?\\\])"
# Environments go after it, so a pmatrix inside $...$ stays part of that inline formula.
INLINE_ENVIRONMENT = r"(?s)(?<!\\)\\begin\{(?P<env>[a-zA-Z]+\*?)\}.+?\\end\{(?P=env)\}"


class InlineDisplayMathProcessor(InlineProcessor):
    """Keep display math found inside a paragraph away from the other inline patterns."""

    def handleMatch(self, m, data):
        tex = m.group(0)
        if tex.startswith("$$"):
            tex = "\\[" + tex[2:-2] + "\\]"
        element = etree.Element("span", {"class": "arithmatex"})
        element.text = AtomicString(tex)
        return element, m.start(0), m.end(0)


class FigureCaptionTreeprocessor(Treeprocessor):
    """Wrap a paragraph holding only an image in <figure>, its alt text as the caption."""

    def run(self, root):
        for index, paragraph in enumerate(list(root)):
            if paragraph.tag != "p" or len(paragraph) != 1:
                continue
            image = paragraph[0]
            if image.tag != "img" or (paragraph.text or "").strip():
                continue
            if (image.tail or "").strip():
                continue
            figure = etree.Element("figure")
            image.tail = None
            figure.append(image)
            alt = image.get("alt", "").strip()
            if alt:
                caption = etree.SubElement(figure, "figcaption")
                caption.text = alt
            root.remove(paragraph)
            root.insert(index, figure)


# Column width of a post (site.css's --main-width), for the browser to pick a picture size.
PICTURE_SIZES = "(max-width: 760px) 100vw, 720px"


def picture_lookup():
    """The function that tells the sizes of a picture by its URL, from BLOG_PICTURE_LOOKUP.

    A setting, not an import: the blog imports no other app (the media app, which knows the
    pictures, sits above it), and a dotted path in settings is how this project already says
    what one app must know of another (PAGE_CACHE_SCHEDULES). Unlike a registry filled in an
    AppConfig.ready(), it needs no app to have started first and shows in one place what runs.
    The function takes a URL and returns None or a dict: width, height, srcset [(url, width)],
    original (the URL of the full-size file).
    """
    path = getattr(settings, "BLOG_PICTURE_LOOKUP", "")
    return import_string(path) if path else None


def describe_pictures(html):
    """Give the library's pictures in finished HTML (an imported body) their sizes.

    An author's own width (WordPress writes the size chosen when inserting) is kept, and the
    browser told the picture is shown that wide. HTML without such pictures comes back as is.
    """
    lookup = picture_lookup()
    if lookup is None or "<img" not in html:
        return html
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    changed = False
    for image in root.iter("img"):
        picture = lookup(image.get("src", ""))
        if not picture:
            continue
        changed = True
        shown = image.get("width", "")
        if not shown.isdigit():
            image.set("width", str(picture["width"]))
            image.set("height", str(picture["height"]))
        if len(picture["srcset"]) > 1:
            image.set("srcset", ", ".join(f"{url} {width}w" for url, width in picture["srcset"]))
            image.set(
                "sizes",
                f"(max-width: {shown}px) 100vw, {shown}px" if shown.isdigit() else PICTURE_SIZES,
            )
    if not changed:
        return html
    return (root.text or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


class ResponsivePictureTreeprocessor(Treeprocessor):
    """Give known pictures their sizes, and every picture after the first lazy loading."""

    def run(self, root):
        lookup = picture_lookup()
        parents = {child: parent for parent in root.iter() for child in parent}
        for number, image in enumerate(root.iter("img")):
            if number:
                # The first picture is likely in view when the page opens: load it at once.
                image.set("loading", "lazy")
            picture = lookup(image.get("src", "")) if lookup else None
            if picture:
                self.describe(image, picture, parents.get(image))

    def describe(self, image, picture, parent):
        image.set("width", str(picture["width"]))
        image.set("height", str(picture["height"]))
        if len(picture["srcset"]) > 1:
            image.set("srcset", ", ".join(f"{url} {width}w" for url, width in picture["srcset"]))
            image.set("sizes", PICTURE_SIZES)
        if parent is None or parent.tag != "figure":
            return
        caption = parent.find("figcaption")
        if caption is None:
            caption = etree.SubElement(parent, "figcaption")
        elif len(caption) == 0:
            caption.text = (caption.text or "") + " "
        link = etree.SubElement(caption, "a", {"href": picture["original"]})
        link.set("class", "figure-original")
        # A post is in the site's language whoever saves it: not the admin user's language.
        with translation.override(settings.LANGUAGE_CODE):
            link.text = gettext("点击查看原图")


class BlogMathExtension(Extension):
    """Inline display math and image captions, on top of pymdown-extensions' arithmatex."""

    def extendMarkdown(self, md):
        # arithmatex's own inline pattern sits at 189.9.
        md.inlinePatterns.register(
            InlineDisplayMathProcessor(INLINE_DISPLAY_DELIMITED, md), "inline-display-math", 190
        )
        md.inlinePatterns.register(
            InlineDisplayMathProcessor(INLINE_ENVIRONMENT, md), "inline-environment", 189.5
        )
        md.treeprocessors.register(FigureCaptionTreeprocessor(md), "figure-caption", 5)
        md.treeprocessors.register(ResponsivePictureTreeprocessor(md), "responsive-pictures", 4)


def _slugify_heading(value, separator):
    return slugify(case="lower")(value, separator)


POST_EXTENSIONS = [
    "pymdownx.arithmatex",
    BlogMathExtension(),
    "pymdownx.superfences",
    "pymdownx.highlight",
    "pymdownx.tilde",
    "tables",
    "footnotes",
    "toc",
    "attr_list",
    "md_in_html",
    "sane_lists",
]
POST_EXTENSION_CONFIGS = {
    "pymdownx.arithmatex": {"generic": True},
    "pymdownx.highlight": {
        "use_pygments": True,
        "css_class": "highlight",
        "guess_lang": False,
    },
    "toc": {"permalink": "#", "permalink_title": "", "slugify": _slugify_heading},
    "footnotes": {"BACKLINK_TITLE": ""},
}


def render_markdown(source, *, source_lines=False):
    """Render trusted Markdown (the author's) to HTML with math kept intact for MathJax.

    With `source_lines`, each top-level block carries the line it starts at in the source
    (`data-source-line`), for the editor's preview; the HTML is otherwise the same.
    """
    converter = markdown.Markdown(
        extensions=POST_EXTENSIONS,
        extension_configs=POST_EXTENSION_CONFIGS,
        output_format="html",
    )
    if not source_lines:
        return converter.convert(source or "")
    html = converter.convert(sourcelines.mark_block_starts(source or ""))
    return sourcelines.markers_to_attributes(html)


def split_excerpt(source):
    """Return the Markdown shown in listings: up to `<!--more-->`, else the first paragraph."""
    source = source or ""
    marker = MORE_MARKER.search(source)
    if marker:
        return source[: marker.start()].rstrip()
    for block in re.split(r"\n[ \t]*\n", source.strip()):
        stripped = block.strip()
        if stripped and not stripped.startswith("#"):
            return stripped
    return ""


def strip_more_marker(source):
    """Drop the `<!--more-->` line from the full body."""
    return MORE_MARKER.sub("", source or "")
