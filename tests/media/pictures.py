"""Pictures made for the tests with Pillow: photos with camera metadata, broken and huge files."""

import io
import struct
import zlib

from PIL import ExifTags, Image


def photo(width=2000, height=1500, *, format="JPEG", orientation=None, gps=True, xmp=None):
    """A picture as a phone saves it: location, camera model, capture date, a rotation tag."""
    image = Image.new("RGB", (width, height), (200, 60, 40))
    # A bright block in the top-left corner shows where the picture's top went after rotation.
    image.paste((20, 220, 60), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.DateTime] = "2026:05:04 10:11:12"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:05:04 10:11:12"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = "SN-123456"
    if gps:
        exif.get_ifd(ExifTags.IFD.GPSInfo).update(
            {
                ExifTags.GPS.GPSLatitudeRef: "N",
                ExifTags.GPS.GPSLatitude: (39.0, 54.0, 27.0),
                ExifTags.GPS.GPSLongitudeRef: "E",
                ExifTags.GPS.GPSLongitude: (116.0, 23.0, 30.0),
            }
        )
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    options = {"exif": exif}
    if xmp:
        options["xmp"] = xmp
    buffer = io.BytesIO()
    image.save(buffer, format=format, **options)
    return buffer.getvalue()


def plain(width=300, height=200, format="PNG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, (width, height), (10, 120, 200) if mode == "RGB" else 128).save(
        buffer, format=format
    )
    return buffer.getvalue()


def png_claiming_size(width, height):
    """A tiny PNG whose header claims `width` × `height`: a decompression bomb's shape."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )
