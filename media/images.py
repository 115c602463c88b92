"""Pictures through Pillow: refuse broken ones and bombs, clean the original, make the sizes."""

import io
import warnings
from dataclasses import dataclass, field

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import ExifTags, Image, ImageOps, JpegImagePlugin, UnidentifiedImageError

from .filetypes import Rejected

# What may stay in an original's EXIF: when it was taken, and the colour space. Everything
# else (GPS, camera make and serial, owner, software, thumbnails) goes, as does XMP, which
# can repeat the location.
KEPT_EXIF = {
    ExifTags.Base.DateTime,
    ExifTags.Base.DateTimeOriginal,
    ExifTags.Base.DateTimeDigitized,
    ExifTags.Base.OffsetTime,
    ExifTags.Base.OffsetTimeOriginal,
    ExifTags.Base.ColorSpace,
}
SAVE_FORMATS = {"image/png": "PNG", "image/jpeg": "JPEG", "image/gif": "GIF", "image/webp": "WEBP"}


@dataclass
class Variant:
    width: int
    height: int
    data: bytes
    extension: str


@dataclass
class ProcessedImage:
    data: bytes  # the original, rotated upright and without location or device data
    width: int
    height: int
    variants: list[Variant] = field(default_factory=list)


def process(data, *, mime):
    """Check a raster image and return its cleaned original and its smaller sizes."""
    image = _open(data)
    if getattr(image, "n_frames", 1) > 1:
        # Animations are served as they are: a resized first frame would lose the motion.
        # GIF has no EXIF; an animated WebP's metadata is dropped by re-encoding it whole.
        if mime == "image/webp" and _has_metadata(image):
            data = _save(image, "WEBP", save_all=True, lossless=True)
        return ProcessedImage(data=data, width=image.width, height=image.height)
    try:
        image.load()
    except (OSError, SyntaxError, ValueError) as error:
        raise Rejected(_("图片已损坏，无法读取。"), code="broken") from error
    rotated = image.getexif().get(ExifTags.Base.Orientation, 1) not in (1, None)
    upright = ImageOps.exif_transpose(image) if rotated else image
    if rotated or _has_metadata(image):
        data = _clean_original(upright, image, mime)
    return ProcessedImage(
        data=data,
        width=upright.width,
        height=upright.height,
        variants=list(_variants(upright, mime)),
    )


def _open(data):
    """Open the image, refusing it before its pixels are decoded if it is too large."""
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; here both refuse.
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            image = Image.open(io.BytesIO(data))
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
            raise _too_many_pixels() from error
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
            raise Rejected(_("图片已损坏，无法读取。"), code="broken") from error
    if image.width * image.height > settings.MEDIA_MAX_IMAGE_PIXELS:
        raise _too_many_pixels()
    try:
        Image.open(io.BytesIO(data)).verify()
    except Exception as error:  # verify() raises whatever the format's reader raises
        raise Rejected(_("图片已损坏，无法读取。"), code="broken") from error
    return image


def _too_many_pixels():
    return Rejected(
        _("图片像素太多（上限 %(limit)s 万像素），可能是“解压炸弹”，已拒绝。")
        % {"limit": settings.MEDIA_MAX_IMAGE_PIXELS // 10_000},
        code="bomb",
    )


def _has_metadata(image):
    exif = image.getexif()
    if any(tag not in KEPT_EXIF for tag in exif) or exif.get_ifd(ExifTags.IFD.GPSInfo):
        return True
    return any(key in image.info for key in ("xmp", "XML:com.adobe.xmp", "comment"))


def _kept_exif(image):
    exif = image.getexif()
    kept = Image.Exif()
    for tag in (ExifTags.Base.DateTime,):
        if tag in exif:
            kept[tag] = exif[tag]
    details = exif.get_ifd(ExifTags.IFD.Exif)
    kept_details = {tag: value for tag, value in details.items() if tag in KEPT_EXIF}
    if kept_details:
        kept.get_ifd(ExifTags.IFD.Exif).update(kept_details)
    return kept


def _clean_original(upright, source, mime):
    """Encode the upright picture with only the capture date and colour profile kept."""
    options = {"exif": _kept_exif(source).tobytes()}
    if icc := source.info.get("icc_profile"):
        options["icc_profile"] = icc
    if mime == "image/jpeg":
        # The upload's own quantization tables and chroma subsampling: about the same size
        # and quality as what the camera wrote (quality=95 would double a phone photo).
        options.update(
            qtables=getattr(source, "quantization", None) or None,
            subsampling=JpegImagePlugin.get_sampling(source),
        )
    elif mime == "image/webp":
        options.update(quality=95, lossless=source.info.get("lossless", False))
    elif mime == "image/png":
        options.update(optimize=False)
    # Encoders read some options from info: keep what draws the picture, drop what describes it.
    upright.info = {
        key: upright.info[key] for key in ("transparency", "dpi") if key in upright.info
    }
    return _save(upright, SAVE_FORMATS[mime], **options)


def _save(image, format, **options):
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def _variants(image, mime):
    """Yield the configured widths narrower than the picture, largest first.

    Each is made from the one before (1600 → 960 → 480): Lanczos from a picture at most twice
    as wide looks the same and is several times faster than from a 12-megapixel original.
    """
    webp = settings.MEDIA_VARIANT_FORMAT == "webp"
    extension = ".webp" if webp else None
    source = image
    if source.mode not in ("RGB", "RGBA", "L", "LA"):
        source = source.convert("RGBA" if "transparency" in source.info else "RGB")
    for width in sorted(settings.MEDIA_IMAGE_WIDTHS, reverse=True):
        if width >= image.width:
            continue
        height = max(1, round(image.height * width / image.width))
        source = source.resize((width, height), Image.Resampling.LANCZOS)
        if webp:
            data = _save(source, "WEBP", quality=settings.MEDIA_VARIANT_QUALITY, method=4)
        else:
            frame = source
            if mime == "image/jpeg" and frame.mode != "RGB":
                frame = frame.convert("RGB")
            if mime == "image/gif":
                frame = frame.convert("P", palette=Image.Palette.ADAPTIVE)
            data = _save(frame, SAVE_FORMATS[mime], quality=settings.MEDIA_VARIANT_QUALITY)
            extension = {"image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif"}.get(
                mime, ".webp"
            )
        yield Variant(width=width, height=height, data=data, extension=extension)
