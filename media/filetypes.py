"""What an uploaded file is, told by its bytes (never by its name), and a safe name for it."""

import os
import re
import unicodedata
from dataclasses import dataclass

import filetype
import py_svg_hush
from django.utils.translation import gettext as _


class Rejected(ValueError):
    """A file the library refuses; the message says why, for the author."""

    def __init__(self, message, *, code="invalid"):
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class FileType:
    kind: str  # "image" or "document"
    mime: str
    extension: str  # with the dot, as stored
    raster: bool = False  # Pillow opens it


RASTER = {
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
}
DOCUMENTS = {
    "application/pdf": ".pdf",
    "application/zip": ".zip",
    "application/epub+zip": ".epub",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "application/vnd.oasis.opendocument.text": ".odt",
    "application/x-tar": ".tar",
    "application/gzip": ".gz",
}
# Plain text has no magic bytes: these names are accepted when the bytes are UTF-8 text.
TEXT_EXTENSIONS = {".txt", ".md", ".tex", ".bib", ".csv", ".py", ".m", ".ipynb", ".json"}
SVG_START = re.compile(
    rb"^\s*(<\?xml[^>]*>\s*)?(<!--.*?-->\s*)*(<!DOCTYPE svg[^>]*>\s*)?<svg[\s>]", re.S
)


def detect(head, *, name):
    """Return the type of a file from its first bytes (and its name, for text only)."""
    kind = filetype.guess(head)
    if kind is not None and kind.mime in RASTER:
        return FileType("image", kind.mime, RASTER[kind.mime], raster=True)
    if kind is not None and kind.mime in DOCUMENTS:
        return FileType("document", kind.mime, DOCUMENTS[kind.mime])
    if SVG_START.match(head.lstrip(b"\xef\xbb\xbf")):
        return FileType("image", "image/svg+xml", ".svg")
    extension = os.path.splitext(name)[1].lower()
    if kind is None and extension in TEXT_EXTENSIONS and _is_text(head):
        return FileType("document", "text/plain", extension)
    raise Rejected(
        _(
            "不支持这种文件（按内容识别）：只收 PNG、JPEG、GIF、WebP、SVG 图片，"
            "PDF 等文档和纯文本。"
        ),
        code="type",
    )


def _is_text(head):
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # The sample may end inside a character.
        return error.start >= len(head) - 3
    return True


def sanitize_svg(data):
    """Return the SVG with scripts, event handlers and outside references removed, or refuse it.

    svg-hush (Cloudflare's filter, through py-svg-hush) keeps only an allowlist of elements
    and attributes and drops every reference that is not to the file itself or to data.
    """
    try:
        cleaned = py_svg_hush.filter_svg(data)
    except Exception as error:  # the filter raises its own parse errors
        raise Rejected(_("SVG 文件无法解析，已拒绝。"), code="broken") from error
    if not SVG_START.match(cleaned) and b"<svg" not in cleaned[:500]:
        raise Rejected(_("SVG 文件无法解析，已拒绝。"), code="broken")
    return cleaned


def safe_stem(name, *, limit=60):
    """Return the file's name without its extension, safe in a URL and on any file system.

    Letters of any script are kept (a Chinese name stays readable); everything else becomes
    a hyphen.
    """
    stem = os.path.splitext(os.path.basename(name.replace("\\", "/")))[0]
    stem = unicodedata.normalize("NFKC", stem).lower()
    stem = re.sub(r"[^\w]+", "-", stem).replace("_", "-").strip("-.")
    stem = re.sub(r"-{2,}", "-", stem)[:limit].strip("-")
    return stem or "file"
