"""Putting a file into the library: the one way in, for the admin, the editor and importers."""

import hashlib
import os
from pathlib import Path
from typing import BinaryIO

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from . import filetypes, images
from .filetypes import Rejected
from .models import MediaFile

__all__ = ["Rejected", "store_file"]

HEAD_BYTES = 8192


def store_file(
    source: str | os.PathLike | BinaryIO,
    *,
    name: str | None = None,
    caption: str = "",
    uploaded_by=None,
) -> MediaFile:
    """Check, clean and store a file (a path or an open binary file), with its picture sizes.

    Raises `Rejected` (with a message for the author) for a file that is too large, of a
    type not accepted, broken, or a decompression bomb. Storing the same content again
    returns the file already stored. Nothing is left behind by a refused or failed upload:
    the files written are removed again if the row cannot be saved.
    """
    if isinstance(source, (str, os.PathLike)):
        path = Path(source)
        with path.open("rb") as handle:
            return store_file(
                handle, name=name or path.name, caption=caption, uploaded_by=uploaded_by
            )
    name = name or os.path.basename(getattr(source, "name", "") or "file")
    data = _read_limited(source)
    kind = filetypes.detect(data[:HEAD_BYTES], name=name)
    width = height = None
    variants = []
    if kind.raster:
        picture = images.process(data, mime=kind.mime)
        data, width, height, variants = (
            picture.data,
            picture.width,
            picture.height,
            picture.variants,
        )
    elif kind.mime == "image/svg+xml":
        data = filetypes.sanitize_svg(data)

    digest = hashlib.sha256(data).hexdigest()
    existing = MediaFile.objects.filter(sha256=digest).first()
    if existing is not None:
        return existing
    base = f"{settings.MEDIA_UPLOAD_PREFIX}{digest[:2]}/{digest[:16]}-{filetypes.safe_stem(name)}"
    written = []
    try:
        stored = _write(f"{base}{kind.extension}", data, written)
        variant_rows = [
            {
                "name": _write(
                    f"{base}-{variant.width}w{variant.extension}", variant.data, written
                ),
                "width": variant.width,
                "height": variant.height,
            }
            for variant in variants
        ]
        with transaction.atomic():
            media = MediaFile(
                original_name=os.path.basename(name.replace("\\", "/"))[:255],
                caption=caption[:300],
                kind=kind.kind,
                content_type=kind.mime,
                size=len(data),
                width=width,
                height=height,
                sha256=digest,
                variants=variant_rows,
                uploaded_by=uploaded_by,
            )
            media.file.name = stored
            media.save()
    except IntegrityError:
        # The same content stored meanwhile by another upload: that one is the file.
        _delete(written)
        return MediaFile.objects.get(sha256=digest)
    except BaseException:
        _delete(written)
        raise
    return media


def _read_limited(source):
    """Read the whole file, refusing it as soon as it passes the size limit."""
    limit = settings.MEDIA_MAX_UPLOAD_BYTES
    size = getattr(source, "size", None)
    if size is not None and size > limit:
        raise too_large()
    data = source.read(limit + 1)
    if len(data) > limit:
        raise too_large()
    if not data:
        raise Rejected(_("文件是空的。"), code="empty")
    return data


def too_large():
    return Rejected(
        _("文件太大：上限是 %(limit)s MB。") % {"limit": settings.MEDIA_MAX_UPLOAD_BYTES // 2**20},
        code="too_large",
    )


def _write(name, data, written):
    """Save bytes under their content-derived name; the same name means the same bytes."""
    if default_storage.exists(name):
        # Left by an upload whose transaction rolled back after writing: identical content.
        return name
    saved = default_storage.save(name, ContentFile(data))
    written.append(saved)
    return saved


def _delete(names):
    for name in names:
        default_storage.delete(name)
