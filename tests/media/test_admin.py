"""The library in the admin: several files at once, and a warning before deleting a used one."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from media.models import MediaFile
from media.services import store_file
from tests.factories import make_page, make_post

from .pictures import photo, plain

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, author):
    client.force_login(author)
    return client


def test_several_files_are_uploaded_at_once_and_bad_ones_named(admin_client, stored_names):
    files = [
        SimpleUploadedFile("a.png", plain(900, 600)),
        SimpleUploadedFile("b.jpg", photo(1000, 800)),
        SimpleUploadedFile("notes.pdf", b"%PDF-1.4\n%%EOF\n"),
        SimpleUploadedFile("fake.jpg", b"not a picture at all"),
    ]
    response = admin_client.post(
        "/admin/media/mediafile/add/", {"files": files, "caption": ""}, follow=True
    )
    page = response.content.decode()
    assert "已上传 3 个文件" in page
    assert "fake.jpg" in page and "按内容识别" in page
    assert sorted(MediaFile.objects.values_list("original_name", flat=True)) == [
        "a.png",
        "b.jpg",
        "notes.pdf",
    ]
    assert len(stored_names()) == 3 + 1 + 2  # originals, then the sizes of the two pictures


def test_the_upload_page_offers_a_drop_zone(admin_client):
    page = admin_client.get("/admin/media/mediafile/add/").content.decode()
    assert 'type="file"' in page and "multiple" in page and "media-drop-zone" in page


def test_the_change_page_shows_the_markdown_to_insert(admin_client):
    media = store_file(io.BytesIO(plain(1000, 500)), name="chart.png", caption="收敛曲线")
    page = admin_client.get(f"/admin/media/mediafile/{media.pk}/change/").content.decode()
    assert f"![收敛曲线]({media.url})" in page
    assert "没有文章或页面使用" in page


def test_deleting_a_file_a_post_uses_warns_and_lists_the_posts(
    admin_client, author, category, stored_names, django_capture_on_commit_callbacks
):
    media = store_file(io.BytesIO(photo(1200, 800)), name="figure.jpg")
    post = make_post(author=author, category=category, title="用图的文章", body=f"![]({media.url})")
    make_post(author=author, category=category, title="不相干的文章", body="无图。")
    url = f"/admin/media/mediafile/{media.pk}/delete/"
    page = admin_client.get(url).content.decode()
    assert "仍被这些文章或页面使用" in page
    assert "《用图的文章》" in page and f"/admin/blog/post/{post.pk}/change/" in page
    assert "不相干的文章" not in page
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(url, {"post": "yes"})
    assert MediaFile.objects.count() == 0
    assert stored_names() == set()


def test_a_page_using_the_file_is_listed_and_warned_about_like_a_post(
    admin_client, author, category
):
    media = store_file(io.BytesIO(photo(900, 600)), name="portrait.jpg")
    about = make_page(title="关于", slug="about", body=f"![作者]({media.url})")
    post = make_post(author=author, category=category, title="同图的文章", body=f"![]({media.url})")
    make_page(title="友情链接", slug="links", body="没有图。")

    change_page = admin_client.get(f"/admin/media/mediafile/{media.pk}/change/").content.decode()
    assert "《同图的文章》" in change_page and "《关于》" in change_page
    assert f"/admin/pages/page/{about.pk}/change/" in change_page
    assert change_page.index("《同图的文章》") < change_page.index("《关于》")  # posts first
    assert "友情链接" not in change_page

    delete_page = admin_client.get(f"/admin/media/mediafile/{media.pk}/delete/").content.decode()
    assert "仍被这些文章或页面使用" in delete_page and "《关于》" in delete_page
    assert list(media.pages_using()) == [about] and list(media.posts_using()) == [post]


def test_bulk_delete_warns_too(admin_client, author, category):
    media = store_file(io.BytesIO(plain(600, 300)), name="used.png")
    make_post(author=author, category=category, title="引用者", body=f"见 [图]({media.url})")
    page = admin_client.post(
        "/admin/media/mediafile/",
        {"action": "delete_selected", "_selected_action": [media.pk]},
    ).content.decode()
    assert "《引用者》" in page
