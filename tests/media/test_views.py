"""The editor's upload endpoint and the serving of stored files."""

import io

import pytest
from django.test import Client

from media.models import MediaFile
from tests.factories import make_user

from .pictures import photo, plain

pytestmark = pytest.mark.django_db
UPLOAD = "/admin/media/mediafile/upload.json"
PICTURES = "/admin/media/mediafile/pictures.json"


@pytest.fixture
def author_client(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    client.get("/admin/")  # a CSRF cookie, as the editor's page has
    return client


def upload(client, data, name, **extra):
    token = client.cookies["csrftoken"].value
    file = io.BytesIO(data)
    file.name = name
    return client.post(UPLOAD, {"file": file}, HTTP_X_CSRFTOKEN=token, **extra)


def test_an_author_uploads_a_picture_and_gets_its_url(author_client, author):
    response = upload(author_client, photo(1200, 900), "paste.png")
    assert response.status_code == 201
    body = response.json()
    media = MediaFile.objects.get()
    assert body["url"] == media.url and body["width"] == 1200
    assert media.uploaded_by == author
    assert media.content_type == "image/jpeg"  # the name said PNG; the bytes say JPEG


def test_a_file_of_the_wrong_type_is_a_400_with_a_reason(author_client):
    response = upload(author_client, b"#!/bin/sh\nrm -rf /\n", "evil.png")
    assert response.status_code == 400
    assert "按内容识别" in response.json()["error"]
    assert MediaFile.objects.count() == 0


def test_a_broken_picture_is_a_400_with_a_reason(author_client):
    response = upload(author_client, photo(800, 600)[:3000], "broken.jpg")
    assert response.status_code == 400
    assert response.json()["code"] == "broken"


def test_a_file_over_the_limit_is_a_413(author_client, settings):
    settings.MEDIA_MAX_UPLOAD_BYTES = 50_000
    response = upload(author_client, b"%PDF-1.4\n" + b"0" * 60_000, "big.pdf")
    assert response.status_code == 413
    assert "上限" in response.json()["error"]
    huge = upload(author_client, b"%PDF-1.4\n" + b"0" * 200_000, "huge.pdf")
    assert huge.status_code == 413  # refused by its Content-Length, before it is read


def test_a_reader_cannot_upload(db):
    client = Client()
    client.force_login(make_user())
    response = client.post(UPLOAD, {"file": io.BytesIO(plain())})
    assert response.status_code == 403
    assert "error" in response.json()
    assert Client().post(UPLOAD).status_code == 403


def test_an_upload_without_the_csrf_token_is_refused(author):
    client = Client(enforce_csrf_checks=True)
    client.force_login(author)
    file = io.BytesIO(plain())
    file.name = "a.png"
    assert client.post(UPLOAD, {"file": file}).status_code == 403
    assert MediaFile.objects.count() == 0


def test_the_picker_lists_pictures_newest_first(author_client):
    upload(author_client, plain(700, 400), "old.png")
    upload(author_client, plain(800, 400), "new.png")
    upload(author_client, b"%PDF-1.4\n%%EOF\n", "doc.pdf")
    files = author_client.get(PICTURES).json()["files"]
    assert [f["name"] for f in files] == ["new.png", "old.png"]
    assert files[0]["thumbnail"].endswith("-480w.webp")


def test_stored_files_are_served_with_a_year_of_caching(author_client, client):
    media = MediaFile.objects.get(pk=upload(author_client, photo(1000, 700), "p.jpg").json()["id"])
    response = client.get(media.url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "max-age=31536000" in response["Cache-Control"]
    assert "immutable" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"


def test_no_file_outside_the_media_folder_is_served(client):
    assert client.get("/media/../config/settings/base.py").status_code == 404
    assert client.get("/media/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    assert client.get("/media/uploads/none.png").status_code == 404


def test_a_served_svg_cannot_run_scripts(author_client, client):
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="4" height="4"/></svg>'
    media = MediaFile.objects.get(pk=upload(author_client, svg, "d.svg").json()["id"])
    response = client.get(media.url)
    assert response["Content-Type"] == "image/svg+xml"
    assert "default-src 'none'" in response["Content-Security-Policy"]
