"""Files in an S3-compatible store, tested against a real one: moto's server on 127.0.0.1."""

import io
import socket
import subprocess
import sys
import time
import urllib.request

import boto3
import pytest
from botocore.exceptions import ClientError

from config.settings.base import media_storage_from_env
from media.models import MediaFile
from media.services import store_file

from .pictures import photo

pytestmark = pytest.mark.django_db
BUCKET = "blog-media"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def s3_server():
    """moto in server mode: an S3 API over HTTP, in its own process, stopped after the tests."""
    port = _free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/moto-api/", timeout=1)
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail("moto's S3 server did not start")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def s3(s3_server, settings, monkeypatch):
    """The site configured from the environment, as an operator would, against a new bucket."""
    environment = {
        "MEDIA_S3_BUCKET": BUCKET,
        "MEDIA_S3_ENDPOINT_URL": s3_server,
        "MEDIA_S3_REGION": "us-east-1",
        "MEDIA_S3_ACCESS_KEY_ID": "test-key",
        "MEDIA_S3_SECRET_ACCESS_KEY": "test-secret",
        "MEDIA_S3_PREFIX": "blog",
        # Readers fetch the files straight from the store (or a bucket policy allows it).
        "MEDIA_S3_ACL": "public-read",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    client = boto3.client(
        "s3",
        endpoint_url=s3_server,
        region_name="us-east-1",
        aws_access_key_id="test-key",
        aws_secret_access_key="test-secret",
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": media_storage_from_env()}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def keys(client):
    return {item["Key"] for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", [])}


def test_the_environment_selects_the_s3_storage(s3):
    assert media_storage_from_env()["BACKEND"] == "storages.backends.s3.S3Storage"


def test_a_picture_and_its_sizes_go_to_the_bucket_with_long_caching(s3, s3_server):
    media = store_file(io.BytesIO(photo(2000, 1500)), name="photo.jpg")
    assert keys(s3) == {f"blog/{name}" for name in media.stored_names()}
    assert len(media.variants) == 3
    head = s3.head_object(Bucket=BUCKET, Key=f"blog/{media.file.name}")
    assert head["CacheControl"] == "public, max-age=31536000, immutable"
    assert head["ContentType"] == "image/jpeg"
    # Readers fetch the file from the store itself, by a plain unsigned URL.
    assert media.url.startswith(f"{s3_server}/{BUCKET}/blog/uploads/")
    assert "Signature" not in media.url
    with urllib.request.urlopen(media.url) as response:
        assert response.read()[:2] == b"\xff\xd8"


def test_a_failed_upload_leaves_nothing_in_the_bucket(s3, monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(MediaFile, "save", fail)
    with pytest.raises(RuntimeError):
        store_file(io.BytesIO(photo(1200, 900)), name="photo.jpg")
    assert keys(s3) == set()


def test_deleting_a_file_removes_it_from_the_bucket(s3, django_capture_on_commit_callbacks):
    media = store_file(io.BytesIO(photo(1200, 900)), name="photo.jpg")
    assert keys(s3)
    with django_capture_on_commit_callbacks(execute=True):
        media.delete()
    assert keys(s3) == set()
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key=f"blog/{media.file.name}")
