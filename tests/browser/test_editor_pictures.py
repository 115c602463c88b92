"""Pictures in the post editor, in real headless Chromium: pasted, dropped or picked, they are
uploaded to the media library and show in the preview and on the post."""

import base64
import re

import pytest

from blog.models import Post
from media.models import MediaFile
from tests.conftest import GunicornServer
from tests.factories import make_post
from tests.media.pictures import photo, plain

pytestmark = pytest.mark.browser

PASSWORD = "desk-pass-123"

# Hand the bytes to the page and fire the event the author's action would fire.
SEND_FILE = """([kind, name, type, data]) => {
  const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
  const transfer = new DataTransfer();
  transfer.items.add(new File([bytes], name, { type }));
  const target = document.querySelector(".post-editor .cm-content");
  const event = kind === "paste"
    ? new ClipboardEvent("paste", { clipboardData: transfer, bubbles: true, cancelable: true })
    : new DragEvent("drop", { dataTransfer: transfer, bubbles: true, cancelable: true });
  target.dispatchEvent(event);
}"""


@pytest.fixture
def desk(transactional_db, browser_page, author, category, tmp_path, settings):
    """The author in the post editor; gunicorn stores uploads in a folder of this test's."""
    settings.MEDIA_ROOT = tmp_path / "media"
    server = GunicornServer(DATA_DIR=str(tmp_path))
    author.set_password(PASSWORD)
    author.save()
    post = make_post(author=author, category=category, title="图片测试", body="第一段。\n")
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())  # the unsaved-changes warning
    page.goto(server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", author.get_username())
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")
    page.goto(f"{server.url}/admin/blog/post/{post.pk}/change/")
    page.wait_for_selector(".post-editor .cm-content")
    page.frame_locator(".post-editor-frame").locator("html[data-math-typeset=done]").wait_for(
        timeout=20_000
    )
    page.click(".post-editor .cm-content")
    page.keyboard.press("Control+End")
    yield page, post, server
    server.stop()


def send(page, kind, data, name, mime):
    page.evaluate(SEND_FILE, [kind, name, mime, base64.b64encode(data).decode()])


def picture_urls(page):
    return re.findall(
        r"!\[[^\]]*\]\((/media/uploads/[^)]+)\)", page.evaluate("window.postEditor.text()")
    )


def wait_for_pictures(page, count):
    page.wait_for_function(
        "(count) => (window.postEditor.text().match(INSERTED) || []).length >= count".replace(
            "INSERTED", r"/!\[[^\]]*\]\(\/media\/uploads\//g"
        ),
        arg=count,
        timeout=20_000,
    )


def test_pasted_and_dropped_pictures_are_uploaded_and_shown(desk):
    page, post, server = desk
    send(page, "paste", photo(2000, 1500), "image.png", "image/png")
    wait_for_pictures(page, 1)
    send(page, "drop", plain(1200, 800), "图表.png", "image/png")
    wait_for_pictures(page, 2)
    urls = picture_urls(page)
    assert len(urls) == 2
    assert MediaFile.objects.count() == 2

    # The preview shows both, loaded from the library, with their sizes to choose from.
    frame = page.frame_locator(".post-editor-frame")
    for url in urls:
        image = frame.locator(f"img[src='{url}']")
        image.wait_for(timeout=15_000)
        assert image.get_attribute("srcset")
        page.wait_for_function(
            "(url) => { const f = document.querySelector('.post-editor-frame').contentDocument;"
            " const i = f.querySelector(`img[src='${url}']`);"
            " return i && i.complete && i.naturalWidth > 0; }",
            arg=url,
            timeout=15_000,
        )

    page.keyboard.press("Control+s")
    page.wait_for_selector(".post-editor-status:has-text('已保存')", timeout=15_000)
    post = Post.objects.get(pk=post.pk)
    assert all(url in post.body for url in urls)

    page.goto(server.url + post.get_absolute_url())
    images = page.locator(".post-body img")
    assert images.count() == 2
    assert images.nth(0).get_attribute("loading") is None
    assert images.nth(1).get_attribute("loading") == "lazy"
    assert images.nth(0).get_attribute("width") == "2000"
    assert "480w" in images.nth(0).get_attribute("srcset")
    images.nth(1).scroll_into_view_if_needed()
    page.wait_for_function(
        "() => [...document.querySelectorAll('.post-body img')]"
        ".every((i) => i.complete && i.naturalWidth > 0)",
        timeout=15_000,
    )
    assert page.locator(".post-body a.figure-original").count() == 2


def test_a_refused_paste_says_why(desk):
    page, _, _ = desk
    send(page, "paste", b"GIF89a" + b"\x00" * 40, "broken.gif", "image/gif")
    page.wait_for_selector(".post-editor-status:has-text('图片上传失败')", timeout=15_000)
    assert "损坏" in page.locator(".post-editor-status").inner_text()
    assert picture_urls(page) == []


def test_the_picker_uploads_or_takes_a_picture_from_the_library(desk, tmp_path):
    page, _, _ = desk
    file = tmp_path / "upload.png"
    file.write_bytes(plain(900, 600))
    page.click(".post-editor-toolbar button:has-text('插入图片')")
    dialog = page.locator("dialog.media-picker")
    dialog.wait_for()
    dialog.locator("#media-picker-caption").fill("新图")
    dialog.locator("input[type=file]").set_input_files(str(file))
    wait_for_pictures(page, 1)
    assert "![新图](/media/uploads/" in page.evaluate("window.postEditor.text()")

    page.click(".post-editor-toolbar button:has-text('插入图片')")
    dialog.wait_for()
    dialog.locator(".media-picker-item").first.click()
    wait_for_pictures(page, 2)
    first, second = picture_urls(page)
    assert first == second
