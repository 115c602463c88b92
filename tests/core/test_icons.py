"""Icons and the web app manifest: a generated default, then the author's uploaded image."""

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from core import site


def image_of(response):
    return Image.open(io.BytesIO(response.content))


@pytest.mark.parametrize("size", [32, 180, 192, 512])
def test_a_png_icon_of_each_size_is_made_from_the_default(db, size):
    response = Client().get(f"/icon-{size}.png")
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    icon = image_of(response)
    assert icon.size == (size, size)
    # The theme colour fills the middle of an edge of the default.
    assert icon.convert("RGB").getpixel((size // 2, 1)) == (0x1F, 0x6F, 0xB2)


def test_favicon_ico_answers_with_several_sizes(db):
    response = Client().get("/favicon.ico")
    assert response.status_code == 200 and response["Content-Type"] == "image/x-icon"
    icon = image_of(response)
    assert icon.format == "ICO" and (48, 48) in icon.info["sizes"]


def test_an_unlisted_size_is_not_found(db):
    assert Client().get("/icon-33.png").status_code == 404


def test_the_svg_and_the_manifest_name_the_site(db):
    svg = Client().get("/icon.svg")
    assert svg["Content-Type"] == "image/svg+xml" and svg.content.startswith(b"<svg")
    manifest = json.loads(Client().get("/manifest.webmanifest").content)
    assert manifest["name"] == site.identity().name
    assert manifest["theme_color"] == "#1f6fb2"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_every_page_links_the_icons_manifest_and_theme_colour(post):
    html = Client().get(post.get_absolute_url()).content.decode()
    for tag in (
        '<meta name="theme-color" content="#1f6fb2">',
        '<link rel="icon" href="/favicon.ico" sizes="32x32">',
        '<link rel="icon" href="/icon.svg" type="image/svg+xml">',
        '<link rel="apple-touch-icon" href="/icon-180.png">',
        '<link rel="manifest" href="/manifest.webmanifest">',
    ):
        assert tag in html


def test_an_uploaded_icon_replaces_the_default_at_once(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    assert image_of(Client().get("/icon-192.png")).convert("RGB").getpixel((96, 1)) != (
        255,
        0,
        0,
    )
    upload = io.BytesIO()
    Image.new("RGB", (800, 600), (255, 0, 0)).save(upload, format="PNG")
    row = site.row()
    row.icon = SimpleUploadedFile("logo.png", upload.getvalue(), content_type="image/png")
    row.theme_color = "#224466"
    row.save()
    icon = image_of(Client().get("/icon-192.png"))
    assert icon.size == (192, 192)  # cropped square from 800×600, then scaled
    assert icon.convert("RGB").getpixel((96, 1)) == (255, 0, 0)
    assert '<meta name="theme-color" content="#224466">' in Client().get("/").content.decode()


def test_a_broken_uploaded_icon_falls_back_to_the_default(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    row = site.row()
    row.icon = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    row.save()
    response = Client().get("/icon-32.png")
    assert response.status_code == 200 and image_of(response).size == (32, 32)
