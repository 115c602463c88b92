"""The post editor's server side: live preview answers, autosave slot, revisions and restore."""

import json
import re

import pytest
from reversion.models import Version

from blog.models import Post, PostAutosave
from core.models import ContentVersion
from tests.factories import make_post, make_user


@pytest.fixture
def admin_client(client, author):
    client.force_login(author)
    return client


def save_in_admin(client, post, **changes):
    data = {
        "title": post.title,
        "body_format": post.body_format,
        "body": post.body,
        "comments_open": "on" if post.comments_open else "",
        "category": post.category_id,
        "status": post.status,
        "published_at_0": post.published_at.strftime("%Y-%m-%d"),
        "published_at_1": post.published_at.strftime("%H:%M:%S"),
        "author": post.author_id,
        "_continue": "1",
        **changes,
    }
    return client.post(f"/admin/blog/post/{post.pk}/change/", data)


def test_preview_answers_the_whole_body_with_source_lines(admin_client):
    response = admin_client.post("/admin/blog/post/editor/render/", {"body": "# 标题\n\n$x$"})
    data = response.json()
    assert data["html"].startswith('<h1 data-source-line="1"')
    assert '<p data-source-line="3"><span class="arithmatex">\\(x\\)</span></p>' in data["html"]
    assert data["formulas"] == 1


def test_preview_answers_only_the_block_at_the_cursor(admin_client):
    body = "第一段\n\n第二段 $y$\n\n第三段"
    data = admin_client.post("/admin/blog/post/editor/render/", {"body": body, "line": 3}).json()
    assert data == {
        "html": '<p data-source-line="3">第二段 <span class="arithmatex">\\(y\\)</span></p>',
        "from_line": 3,
        "to_line": 5,
    }


def test_preview_refuses_a_bad_line_and_a_get(admin_client):
    url = "/admin/blog/post/editor/render/"
    assert admin_client.post(url, {"body": "x", "line": "abc"}).status_code == 400
    assert admin_client.get(url).status_code == 405


def test_preview_needs_a_staff_login(client):
    response = client.post("/admin/blog/post/editor/render/", {"body": "x"})
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_autosave_keeps_one_slot_and_never_touches_the_post(admin_client, post, author):
    before = (post.body, post.updated_at, ContentVersion.objects.get().number)
    for text in ("草稿一", "草稿二", "草稿三"):
        response = admin_client.post(
            f"/admin/blog/post/{post.pk}/autosave/", {"title": "新标题", "body": text}
        )
        assert response.status_code == 200
    post.refresh_from_db()
    assert (post.body, post.updated_at, ContentVersion.objects.get().number) == before
    slot = PostAutosave.objects.get()
    assert (slot.post, slot.author, slot.body, slot.title) == (post, author, "草稿三", "新标题")


def test_autosave_of_a_post_not_yet_saved_has_its_own_slot(admin_client, author):
    admin_client.post("/admin/blog/post/autosave/", {"title": "t", "body": "新文章草稿"})
    admin_client.post("/admin/blog/post/autosave/", {"title": "t", "body": "新文章草稿二"})
    assert list(PostAutosave.objects.values_list("post", "body")) == [(None, "新文章草稿二")]


def test_reopening_the_editor_offers_the_unsaved_autosave(admin_client, post):
    admin_client.post(
        f"/admin/blog/post/{post.pk}/autosave/", {"title": post.title, "body": "没保存的"}
    )
    html = admin_client.get(f"/admin/blog/post/{post.pk}/change/").content.decode()
    settings = re.search(
        r'<script id="post-editor-config" type="application/json">(.*?)</script>', html
    )
    assert json.loads(settings.group(1))["autosave"]["body"] == "没保存的"


def test_an_explicit_save_keeps_a_revision_with_who_and_clears_the_autosave(
    admin_client, post, author
):
    admin_client.post(f"/admin/blog/post/{post.pk}/autosave/", {"title": "", "body": "半成品"})
    response = save_in_admin(admin_client, post, body="第二版正文")
    assert response.status_code == 302
    versions = Version.objects.get_for_object(post)
    assert versions.count() == 1
    assert versions[0].revision.user == author
    assert versions[0].field_dict["body"] == "第二版正文"
    assert not PostAutosave.objects.exists()


def test_history_lists_saves_and_the_autosave_and_restores_either(admin_client, post):
    save_in_admin(admin_client, post, body="第一版")
    save_in_admin(admin_client, post, body="第二版")
    Post.objects.filter(pk=post.pk).update(views=42)
    admin_client.post(f"/admin/blog/post/{post.pk}/autosave/", {"title": "", "body": "自动保存版"})
    html = admin_client.get(f"/admin/blog/post/{post.pk}/history/").content.decode()
    assert html.count("比较与恢复") == 3
    assert "自动保存（未保存到文章）" in html

    first = Version.objects.get_for_object(post).order_by("pk").first()
    diff = admin_client.get(f"/admin/blog/post/{post.pk}/history/save/{first.pk}/diff/")
    assert diff.status_code == 200
    assert "第一版" in diff.content.decode() and "第二版" in diff.content.decode()

    admin_client.post(f"/admin/blog/post/{post.pk}/history/save/{first.pk}/restore/")
    post.refresh_from_db()
    assert post.body == "第一版"
    assert post.views == 42  # a restore writes the text, never the reader count
    assert "第一版" in post.body_html

    slot = PostAutosave.objects.get()
    admin_client.post(f"/admin/blog/post/{post.pk}/history/autosave/{slot.pk}/restore/")
    post.refresh_from_db()
    assert post.body == "自动保存版"
    assert not PostAutosave.objects.exists()
    assert Version.objects.get_for_object(post).count() == 4  # each restore is a revision


def test_restoring_needs_a_post_and_permission(admin_client, post, client):
    assert admin_client.get(f"/admin/blog/post/{post.pk}/history/save/999/diff/").status_code == 404
    reader = make_user(is_staff=True)
    client.force_login(reader)
    response = client.post(f"/admin/blog/post/{post.pk}/history/autosave/1/restore/")
    assert response.status_code == 403


def test_help_text_shows_the_more_marker(admin_client):
    html = admin_client.get("/admin/blog/post/add/").content.decode()
    assert "<code>&lt;!--more--&gt;</code>" in html


def test_post_list_shows_status_with_schedule_comments_and_update_time(
    admin_client, author, category
):
    from datetime import timedelta

    from django.utils import timezone

    later = timezone.now() + timedelta(days=3)
    make_post(author=author, category=category, title="定时的文章", published_at=later)
    html = admin_client.get("/admin/blog/post/").content.decode()
    assert "定时 " + timezone.localtime(later).strftime("%Y-%m-%d %H:%M") in html
    for column in ("评论数", "阅读次数", "最后更新", "分类"):
        assert column in html


def test_post_list_searches_bodies(admin_client, author, category):
    make_post(author=author, category=category, title="甲", body="正文里才有的词：黎曼猜想")
    make_post(author=author, category=category, title="乙", body="别的内容")
    html = admin_client.get("/admin/blog/post/?q=黎曼猜想").content.decode()
    assert "甲" in html and ">乙<" not in html


def test_admin_sidebar_is_in_chinese_for_django_axes(admin_client):
    html = admin_client.get("/admin/").content.decode()
    assert "登录保护" in html and "登录尝试" in html and "登录日志" in html
    assert "Access attempts" not in html and "Access logs" not in html
