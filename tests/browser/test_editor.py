"""The author at the desk, in real headless Chromium: write with a live preview, autosave,
save with Ctrl+S, restore a revision, answer a comment from the admin."""

import pytest
from playwright.sync_api import expect
from reversion.models import Version

from blog.models import Post, PostAutosave
from comments.models import Comment
from tests.factories import make_comment, make_page, make_post

pytestmark = pytest.mark.browser

PASSWORD = "desk-pass-123"
# How long a save may take to answer (ms): it typesets the post's math, on a loaded machine.
SAVED = 30_000
BODY = r"""开篇一段，含 $a^2+b^2=c^2$。

\begin{equation}
E = mc^2 \label{eq:1}
\end{equation}

由 $\eqref{eq:1}$ 可知。
"""


@pytest.fixture
def desk(gunicorn_server, browser_page, author, category):
    """The author logged in to the admin, with one post open in the editor."""
    author.set_password(PASSWORD)
    author.save()
    post = make_post(author=author, category=category, title="编辑器测试", body=BODY)
    page = browser_page
    page.on("dialog", lambda dialog: dialog.accept())  # the unsaved-changes warning
    page.goto(gunicorn_server.url + "/admin/login/?next=/admin/")
    page.fill("#id_username", author.get_username())
    page.fill("#id_password", PASSWORD)
    page.click("input[type=submit]")
    page.wait_for_url("**/admin/")

    def open_editor():
        page.goto(f"{gunicorn_server.url}/admin/blog/post/{post.pk}/change/")
        page.wait_for_selector(".post-editor .cm-content")
        frame = page.frame_locator(".post-editor-frame")
        frame.locator("html[data-math-typeset=done]").wait_for(timeout=20_000)
        return frame

    return page, post, open_editor, gunicorn_server


def type_at_end(page, text):
    page.click(".post-editor .cm-content")
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def editor_text(page):
    return page.evaluate("window.postEditor.text()")


def test_typing_updates_the_preview_with_math_typeset(desk):
    page, post, open_editor, _ = desk
    frame = open_editor()
    assert frame.locator(".post-body mjx-container").count() >= 3
    assert "(1)" in frame.locator(".post-body").inner_text()
    type_at_end(page, "\n新增一段：$\\beta_{7}$ 与 $\\eqref{eq:1}$。")
    added = frame.locator(".post-body p", has_text="新增一段")
    # The preview may refresh while the sentence is half typed (one formula so far): wait for
    # the whole of it rather than for its first formula.
    expect(added.locator("mjx-container")).to_have_count(2, timeout=10_000)
    assert "\\beta" not in added.inner_text()
    assert "(1)" in added.inner_text()  # the reference to an equation in another block
    post.refresh_from_db()
    assert "新增一段" not in post.body  # typing never saves the post


def test_autosave_survives_a_reload_and_is_offered_back(desk):
    page, post, open_editor, _ = desk
    open_editor()
    type_at_end(page, "\n自动保存的段落")
    page.wait_for_selector(".post-editor-status:has-text('已自动保存草稿')", timeout=15_000)
    post.refresh_from_db()
    assert "自动保存的段落" not in post.body
    assert "自动保存的段落" in PostAutosave.objects.get(post=post).body

    open_editor()
    banner = page.locator(".post-editor-banner")
    assert banner.is_visible()
    assert "自动保存的段落" not in editor_text(page)
    banner.locator("button", has_text="恢复").click()
    assert "自动保存的段落" in editor_text(page)


def test_ctrl_s_saves_without_leaving_the_page(desk):
    page, post, open_editor, _ = desk
    open_editor()
    url = page.url
    type_at_end(page, "\n用快捷键保存的段落")
    page.keyboard.press("Control+s")
    page.wait_for_selector(".post-editor-status:has-text('已保存')", timeout=SAVED)
    assert page.url == url
    post.refresh_from_db()
    assert "用快捷键保存的段落" in post.body
    assert "用快捷键保存的段落" in post.body_html
    assert page.evaluate("window.postEditor.isDirty()") is False


def test_an_autosave_answered_after_a_save_does_not_hide_that_it_saved(desk):
    page, post, open_editor, _ = desk
    open_editor()
    held = []
    # The autosave's answer waits until the test releases it.
    page.route("**/autosave/", lambda route: held.append(route))
    type_at_end(page, "\n自动保存慢于保存")
    for _ in range(100):  # the editor autosaves every 5 s
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "no autosave was sent"
    page.keyboard.press("Control+s")
    page.wait_for_selector(".post-editor-status:has-text('已保存')", timeout=SAVED)

    with page.expect_response("**/autosave/"):
        held[0].continue_()
    page.wait_for_timeout(200)  # the answer's handler has run

    assert page.inner_text(".post-editor-status").startswith("已保存")
    post.refresh_from_db()
    assert "自动保存慢于保存" in post.body


def test_a_page_is_written_in_the_same_editor_and_saved_with_ctrl_s(desk):
    page, post, _, server = desk
    about = make_page(title="关于", slug="about", author=post.author, body=BODY)
    posted = []
    page.on("request", lambda request: request.method == "POST" and posted.append(request.url))
    page.goto(f"{server.url}/admin/pages/page/{about.pk}/change/")
    page.wait_for_selector(".post-editor .cm-content")
    frame = page.frame_locator(".post-editor-frame")
    frame.locator("html[data-math-typeset=done]").wait_for(timeout=20_000)
    assert "(1)" in frame.locator(".post-body").inner_text()

    type_at_end(page, "\n页面新增：$\\gamma_{3}$。")
    added = frame.locator(".post-body p", has_text="页面新增")
    expect(added.locator("mjx-container")).to_have_count(1, timeout=10_000)
    # Typing posts nothing but preview requests: a page keeps no autosaved draft.
    page.wait_for_timeout(6_000)  # longer than the posts' autosave interval
    assert {url.removeprefix(server.url) for url in posted} == {"/admin/pages/page/editor/render/"}
    page.keyboard.press("Control+s")
    page.wait_for_selector(".post-editor-status:has-text('已保存')", timeout=SAVED)

    about.refresh_from_db()
    assert "页面新增" in about.body and "页面新增" in about.body_html


def test_restoring_an_earlier_revision(desk):
    page, post, open_editor, server = desk
    open_editor()
    type_at_end(page, "\n第一次保存")
    page.keyboard.press("Control+s")
    page.wait_for_selector(".post-editor-status:has-text('已保存')", timeout=SAVED)
    type_at_end(page, "\n第二次保存")
    page.keyboard.press("Control+s")
    # save() shows 正在保存… at once, so this waits for the second save to finish.
    page.wait_for_selector(".post-editor-status:has-text('已保存')", timeout=SAVED)
    post.refresh_from_db()
    assert "第二次保存" in post.body

    first = next(
        version
        for version in Version.objects.get_for_object(post)
        if "第二次保存" not in version.field_dict["body"]
    )
    page.goto(f"{server.url}/admin/blog/post/{post.pk}/history/")
    page.click(f"#change-history a[href$='/history/save/{first.pk}/diff/']")
    assert page.locator(".revision-diff").is_visible()
    page.click("input[value='恢复这个版本的标题和正文']")
    page.wait_for_selector(".post-editor .cm-content")
    text = editor_text(page)
    assert "第一次保存" in text and "第二次保存" not in text
    post.refresh_from_db()
    assert "第二次保存" not in post.body


def test_a_reply_from_the_admin_appears_on_the_site_with_the_badge(desk):
    page, post, _, server = desk
    question = make_comment(post, author_name="读者甲", body="这一步怎么来的？")
    page.goto(f"{server.url}/admin/comments/comment/{question.pk}/change/")
    page.fill("#id_reply_body", "由 $x^2$ 展开即可。")
    page.click("#reply input[type=submit]")
    page.wait_for_selector(".messagelist .success")
    reply = Comment.objects.get(parent=question)

    page.goto(server.url + Post.objects.get(pk=post.pk).get_absolute_url())
    page.wait_for_selector("html[data-math-typeset=done]", timeout=20_000)
    shown = page.locator(f"#comment-{reply.pk}")
    assert shown.locator(".badge").inner_text() == "博主"
    assert shown.locator(".comment-content mjx-container").count() == 1
