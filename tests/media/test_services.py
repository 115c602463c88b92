"""store_file: what goes into the library, what is refused, and that nothing is half-written."""

import io
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from PIL import ExifTags, Image

from media.models import MediaFile
from media.services import Rejected, store_file

from .pictures import photo, plain, png_claiming_size

pytestmark = pytest.mark.django_db


def opened(name):
    with default_storage.open(name) as handle:
        return Image.open(io.BytesIO(handle.read()))


def test_a_photo_is_stored_under_its_hash_with_three_smaller_sizes(stored_names):
    media = store_file(io.BytesIO(photo(4000, 3000)), name="日落 Sunset.JPG")
    assert media.kind == "image" and media.content_type == "image/jpeg"
    assert (media.width, media.height) == (4000, 3000)
    assert media.file.name == f"uploads/{media.sha256[:2]}/{media.sha256[:16]}-日落-sunset.jpg"
    assert [v["width"] for v in media.variants] == [1600, 960, 480]
    for variant in media.variants:
        assert variant["name"].endswith(f"-{variant['width']}w.webp")
        image = opened(variant["name"])
        assert image.format == "WEBP"
        assert image.size == (variant["width"], variant["height"])
        assert variant["height"] == variant["width"] * 3 // 4
    assert stored_names() == set(media.stored_names())
    assert media.url == "/media/" + quote(media.file.name)


def test_sizes_in_the_original_format_when_so_configured(settings):
    settings.MEDIA_VARIANT_FORMAT = "original"
    media = store_file(io.BytesIO(plain(1000, 500, format="PNG")), name="chart.png")
    assert [v["width"] for v in media.variants] == [960, 480]
    assert all(v["name"].endswith(".png") for v in media.variants)
    assert opened(media.variants[0]["name"]).format == "PNG"


def test_a_picture_narrower_than_every_size_gets_none():
    media = store_file(io.BytesIO(plain(300, 200)), name="small.png")
    assert media.variants == []
    assert media.srcset() == [(media.url, 300)]


def test_rotation_is_applied_then_location_and_device_data_removed():
    data = photo(2000, 1000, orientation=6, xmp=b"<x:xmpmeta>GPS 39.9</x:xmpmeta>")
    media = store_file(io.BytesIO(data), name="phone.jpg")
    original = opened(media.file.name)
    # Orientation 6 means "turn 90° clockwise to view": the stored picture is upright.
    assert original.size == (1000, 2000) == (media.width, media.height)
    assert original.getpixel((1000 - 10, 10))[1] > 150  # the green corner moved top-right
    exif = original.getexif()
    assert ExifTags.Base.Orientation not in exif
    assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    details = exif.get_ifd(ExifTags.IFD.Exif)
    assert ExifTags.Base.BodySerialNumber not in details
    assert details[ExifTags.Base.DateTimeOriginal] == "2026:05:04 10:11:12"
    assert "xmp" not in original.info
    with default_storage.open(media.file.name) as handle:
        raw = handle.read()
    assert b"PhoneMaker" not in raw and b"SN-123456" not in raw and b"GPS 39.9" not in raw
    for variant in media.variants:
        assert not opened(variant["name"]).getexif()


def test_a_picture_without_metadata_is_kept_byte_for_byte():
    data = plain(800, 600, format="PNG")
    media = store_file(io.BytesIO(data), name="plain.png")
    with default_storage.open(media.file.name) as handle:
        assert handle.read() == data


def test_the_same_content_twice_is_one_file(stored_names):
    first = store_file(io.BytesIO(photo(1000, 800)), name="a.jpg")
    files = stored_names()
    second = store_file(io.BytesIO(photo(1000, 800)), name="b.jpg")
    assert second == first
    assert MediaFile.objects.count() == 1
    assert stored_names() == files


def test_type_comes_from_the_content_not_the_name():
    media = store_file(io.BytesIO(plain()), name="looks-like.pdf")
    assert media.content_type == "image/png" and media.file.name.endswith(".png")
    with pytest.raises(Rejected) as refused:
        store_file(io.BytesIO(b"MZ\x90\x00" + b"\x00" * 200), name="photo.png")
    assert refused.value.code == "type"
    assert "按内容识别" in refused.value.message


def test_a_pdf_and_a_text_file_are_documents():
    pdf = store_file(io.BytesIO(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"), name="论文.pdf")
    assert (pdf.kind, pdf.content_type, pdf.width) == ("document", "application/pdf", None)
    assert pdf.file.name.endswith("-论文.pdf")
    notes = store_file(io.BytesIO("笔记 $x^2$\n".encode()), name="notes.tex")
    assert notes.content_type == "text/plain" and notes.file.name.endswith(".tex")


def test_a_path_can_be_stored_as_importers_do(tmp_path):
    path = tmp_path / "wp-content" / "2019" / "figure.png"
    path.parent.mkdir(parents=True)
    path.write_bytes(plain(1200, 600))
    media = store_file(path)
    assert media.original_name == "figure.png"
    assert [v["width"] for v in media.variants] == [960, 480]


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (photo(800, 600)[:2000], "broken"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "broken"),
        (png_claiming_size(100_000, 100_000), "bomb"),
        (b"", "empty"),
    ],
    ids=["truncated-jpeg", "garbage-png", "decompression-bomb", "empty"],
)
def test_bad_pictures_are_refused_leaving_nothing(data, code, stored_names):
    with pytest.raises(Rejected) as refused:
        store_file(io.BytesIO(data), name="bad.png")
    assert refused.value.code == code
    assert refused.value.message
    assert MediaFile.objects.count() == 0
    assert stored_names() == set()


def test_the_pixel_limit_is_a_setting(settings):
    settings.MEDIA_MAX_IMAGE_PIXELS = 1000 * 1000
    with pytest.raises(Rejected, match="解压炸弹") as refused:
        store_file(io.BytesIO(plain(1200, 1000)), name="big.png")
    assert refused.value.code == "bomb"


def test_a_file_over_the_size_limit_is_refused(settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(Rejected, match="上限") as refused:
        store_file(io.BytesIO(b"%PDF-1.4\n" + b"0" * 20_000), name="big.pdf")
    assert refused.value.code == "too_large"


def test_a_failure_after_writing_leaves_no_file_and_no_row(monkeypatch, stored_names):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(MediaFile, "save", fail)
    with pytest.raises(RuntimeError):
        store_file(io.BytesIO(photo(2000, 1500)), name="photo.jpg")
    assert stored_names() == set()
    assert MediaFile.objects.count() == 0


def test_svg_is_stored_without_scripts():
    svg = (
        b'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10" onload="alert(1)">'
        b'<script>alert(2)</script><a href="javascript:alert(3)"><rect width="10" height="10"/>'
        b"</a></svg>"
    )
    media = store_file(io.BytesIO(svg), name="diagram.svg")
    assert media.content_type == "image/svg+xml" and media.file.name.endswith(".svg")
    with default_storage.open(media.file.name) as handle:
        cleaned = handle.read()
    assert b"<rect" in cleaned
    assert b"alert" not in cleaned and b"script" not in cleaned and b"onload" not in cleaned


def test_an_svg_that_does_not_parse_is_refused():
    with pytest.raises(Rejected) as refused:
        store_file(io.BytesIO(b"<svg><g></svg"), name="broken.svg")
    assert refused.value.code == "broken"


def test_file_names_are_made_safe():
    media = store_file(io.BytesIO(plain()), name="../../etc/我的 图片 (1)!.PNG")
    stem = media.file.name.rsplit("/", 1)[1].split("-", 1)[1]
    assert stem == "我的-图片-1.png"
    assert media.file.name.startswith("uploads/")
    assert media.original_name == "我的 图片 (1)!.PNG"


def test_an_animation_is_kept_whole():
    frames = [Image.new("RGB", (600, 400), color) for color in ("red", "green", "blue")]
    buffer = io.BytesIO()
    frames[0].save(buffer, format="GIF", save_all=True, append_images=frames[1:])
    media = store_file(io.BytesIO(buffer.getvalue()), name="anim.gif")
    assert media.variants == []
    assert getattr(opened(media.file.name), "n_frames", 1) == 3


def test_a_cleaned_png_keeps_its_transparency():
    # A palette picture whose colour 0 is see-through (PNG's tRNS), as diagrams often are.
    image = Image.new("P", (600, 400), 0)
    image.putpalette([255, 255, 255, 0, 0, 255])
    image.paste(1, (0, 0, 300, 400))
    exif = Image.Exif()
    exif[ExifTags.Base.Model] = "Scanner 9000"
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", exif=exif, transparency=0)
    media = store_file(io.BytesIO(buffer.getvalue()), name="overlay.png")
    original = opened(media.file.name)
    assert ExifTags.Base.Model not in original.getexif()
    rgba = original.convert("RGBA")
    assert rgba.getpixel((500, 200))[3] == 0 and rgba.getpixel((100, 200))[3] == 255
