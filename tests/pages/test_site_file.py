"""Pages and their comments travel in the site file (export_site / import_site)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from blog.models import Post
from comments.models import Comment
from pages.models import Page
from tests.factories import make_comment, make_page


def test_pages_and_their_comments_survive_a_round_trip(db, author, post, tmp_path):
    guestbook = make_page(
        author=author, title="留言板", slug="guestbook", comments_open=True, in_navigation=True
    )
    make_page(author=author, title="草稿", slug="draft", status="draft", body_format="html")
    root = make_comment(guestbook, body="第一条留言 $x$")
    make_comment(guestbook, parent=root, body="回复留言")
    make_comment(post, body="文章下的评论")
    path = tmp_path / "site.json"
    call_command("export_site", str(path), stdout=io.StringIO())
    document = json.loads(path.read_text())
    assert {page["slug"] for page in document["pages"]} == {"guestbook", "draft"}
    assert sum(1 for c in document["comments"] if c["page"] == guestbook.pk) == 2

    Comment.objects.all().delete()
    Page.objects.all().delete()
    Post.objects.all().delete()
    call_command("import_site", str(path), stdout=io.StringIO())

    guestbook = Page.objects.get(slug="guestbook")
    assert (guestbook.in_navigation, guestbook.comments_open, guestbook.comment_count) == (
        True,
        True,
        2,
    )
    reply = Comment.objects.get(body="回复留言")
    assert reply.page == guestbook and reply.parent.body == "第一条留言 $x$"
    assert Comment.objects.get(body="文章下的评论").post_id == post.pk
    assert "回复留言" in Client().get("/guestbook.html").content.decode()
    # New pages take ids after the imported ones.
    assert make_page(author=author).pk > guestbook.pk


def test_a_comment_naming_both_a_post_and_a_page_is_refused(db, author, post, tmp_path):
    page = make_page(author=author)
    make_comment(page)
    path = tmp_path / "site.json"
    call_command("export_site", str(path), stdout=io.StringIO())
    document = json.loads(path.read_text())
    document["comments"][0]["post"] = post.pk
    path.write_text(json.dumps(document))
    Comment.objects.all().delete()
    Page.objects.all().delete()
    Post.objects.all().delete()
    with pytest.raises(CommandError, match="恰好填一个"):
        call_command("import_site", str(path), stdout=io.StringIO())
    assert not Page.objects.exists()
