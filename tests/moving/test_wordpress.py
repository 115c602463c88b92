"""import_wordpress: a WordPress export comes over whole, its old links redirect, twice is once."""

from collections import Counter
from datetime import UTC, timedelta

import pytest
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from blog.models import Category, Post, Tag
from blog.rendering import render_markdown
from comments.models import Comment
from redirects.models import Redirect
from tests.factories import make_comment, make_post

from . import wxr
from .conftest import run

pytestmark = pytest.mark.django_db


def tree_fields():
    return {
        c.pk: (c.parent_id, c.tree_id, c.lft, c.rght, c.level)
        for c in Comment.objects.order_by("pk")
    }


def assert_trees_are_valid():
    """Every thread is numbered exactly as a rebuild from the parent links numbers it."""
    before = tree_fields()
    roots = {pk: fields[1] for pk, fields in before.items() if fields[0] is None}
    assert len(set(roots.values())) == len(roots), "two threads share a tree id"
    # django-mptt's own rebuild is the reference numbering.
    for tree_id in set(roots.values()):
        Comment.objects.partial_rebuild(tree_id)
    assert tree_fields() == before


def test_theme_unit_test_data_imports_and_looks_right(theme_test_data):
    output = run("import_wordpress", theme_test_data)

    assert Post.objects.count() == 58
    assert "文章：新建 58" in output
    password = Post.objects.get(title__startswith="Template: Password Protected")
    assert password.status == Post.Status.DRAFT
    assert "密码保护" in output
    assert Post.objects.scheduled().count() == 1
    assert Post.objects.filter(status=Post.Status.DRAFT).count() == 2
    assert Post.objects.filter(is_pinned=True).count() == 1
    assert Category.objects.count() >= 68
    assert Tag.objects.count() >= 110
    assert Post.objects.filter(pk=1241, title="Template: Sticky").exists()  # ids kept
    assert_trees_are_valid()
    assert Comment.objects.filter(post__isnull=False).exclude(parent=None).count() == 9
    assert Comment.objects.filter(page__isnull=False).exclude(parent=None).count() == 1
    for post in Post.objects.all():
        html = post.body_html
        assert "<!-- wp:" not in html and "[caption" not in html and "[gallery" not in html
        assert "<script" not in html and "onclick" not in html
        assert post.excerpt_html or not post.body.strip()
    client = Client()
    response = client.get("/?p=1241")
    assert response.status_code == 301 and response["Location"] == "/archives/1241"


def test_a_wordpress_export_brings_posts_with_their_status_format_and_counts(export_file):
    output = run("import_wordpress", export_file)

    euler = Post.objects.get(pk=101)
    assert euler.title == "欧拉公式与级数"
    assert euler.body_format == Post.Format.HTML
    assert euler.author.username == "lin" and euler.author_name == "林一"
    assert euler.category.slug == "math"
    assert {tag.slug for tag in euler.tags.all()} == {"分析", "physics"}  # 2nd category → tag
    assert (euler.views, euler.is_pinned, euler.comments_open) == (1234, True, True)
    classic = Post.objects.get(pk=102)
    assert (classic.views, classic.comments_open) == (56, False)
    assert {Post.objects.get(pk=pk).status for pk in (103, 104, 105)} == {Post.Status.DRAFT}
    assert "《私密的想法》：私密文章" in output and "《有密码的文章》：密码保护" in output
    assert not Post.objects.get(pk=106).is_public  # scheduled for 2099
    assert not Post.objects.filter(title="回收站").exists()
    assert "回收站中的文章 1" in output and "nav_menu_item 类型的条目 1" in output
    assert "页面：新建 1，更新 0，未变跳过 0（其中已发布 1，草稿 0）" in output
    assert "附件：2 个，未复制" in output
    assert "[unknown_widget] 1" in output


def test_html_math_is_marked_exactly_as_in_a_markdown_post(export_file):
    run("import_wordpress", export_file)
    html = Post.objects.get(pk=101).body_html
    markdown = render_markdown(
        "由欧拉公式 $e^{i\\pi} + 1 = 0$ 与 \\(a < b\\) 出发。\n\n"
        "$$\\int_0^1 x^2\\,dx = \\frac{1}{3}$$\n\n"
        "由式$\\eqref{eq:series}$可知，再看 \\[E = mc^2\\]。"
    )
    for formula in (
        r'<span class="arithmatex">\(e^{i\pi} + 1 = 0\)</span>',
        r'<span class="arithmatex">\(a &lt; b\)</span>',
        r'<div class="arithmatex">\[\int_0^1 x^2\,dx = \frac{1}{3}\]</div>',
        r'<span class="arithmatex">\(\eqref{eq:series}\)</span>',
        r'<span class="arithmatex">\[E = mc^2\]</span>',
    ):
        assert formula in html
        assert formula in markdown
    equation = r"\begin{equation}f(x) = \sum_{n} a_n x^n \label{eq:series}\end{equation}"
    standing_alone = f'<div class="arithmatex">\\[{equation}\\]</div>'
    assert standing_alone in html
    assert standing_alone in render_markdown(equation)
    excerpt = Post.objects.get(pk=101).excerpt_html
    assert "arithmatex" in excerpt and "曲线" not in excerpt  # cut at <!--more-->
    assert '<figure class="wp-block-image"><img' in html and "<figcaption>函数的图像" in html


def test_shortcodes_become_figures_code_and_math_and_hostile_markup_goes(export_file):
    run("import_wordpress", export_file)
    html = Post.objects.get(pk=102).body_html
    assert '<figure class="wp-caption aligncenter">' in html
    assert "<figcaption>下落的小球</figcaption>" in html
    assert '<div class="highlight"><pre>' in html and '<span class="k">def</span>' in html
    assert r'<span class="arithmatex">\(\frac{d^2x}{dt^2} = g\)</span>' in html
    assert r'<span class="arithmatex">\(v = gt\)</span>' in html
    assert html.count('class="gallery-item"') == 2
    assert "<p>经典编辑器写的文章，段落之间空一行。<br>\n同一段的第二行。</p>" in html
    assert "[unknown_widget size=" in html  # unknown shortcodes stay as text
    assert "<script" not in html and "alert" not in html and "onmouseover" not in html
    assert "<iframe" not in html
    assert '<a href="https://video.example.com/embed/1">' in html


def test_comments_keep_their_threads_statuses_and_authors(export_file):
    output = run("import_wordpress", export_file)

    comments = {c.author_name: c for c in Comment.objects.filter(post_id=101)}
    assert comments["作者"].parent == comments["张三"]
    assert comments["李四"].parent == comments["作者"] and comments["李四"].level == 2
    assert comments["作者"].is_post_author and comments["作者"].user.username == "lin"
    assert not comments["张三"].is_post_author
    statuses = Counter(c.status for c in comments.values())
    assert statuses == Counter(approved=4, pending=1, spam=1, removed=1)
    assert "Other Blog" not in comments and "pingback 1" in output
    assert "<strong>支持</strong>" in comments["作者"].body_html
    assert "<br>" in comments["李四"].body_html
    hostile = comments["赵六"].body_html
    assert "javascript" not in hostile and "<script" not in hostile
    assert comments["张三"].ip_address == "203.0.113.11"
    assert comments["张三"].created_at == timezone.datetime(2020, 3, 2, 8, tzinfo=UTC)
    assert Post.objects.get(pk=101).comment_count == 4
    assert_trees_are_valid()


def test_every_old_address_redirects_permanently(export_file):
    run("import_wordpress", export_file)
    client = Client()
    for old, new in [
        ("/?p=101", "/archives/101"),
        ("/2020/03/01/euler/", "/archives/101"),
        ("/2020/03/01/euler", "/archives/101"),
        ("/2020/03/euler/", "/archives/101"),
        ("/2020/03/01/euler-old/", "/archives/101"),  # an older slug of the post
        ("/index.php/2020/03/01/euler/", "/archives/101"),
        ("/?cat=4", "/category/physics/"),
        ("/category/math/physics/", "/category/physics/"),
        ("/?attachment_id=902", "/archives/102"),
    ]:
        response = client.get(old)
        assert (response.status_code, response.get("Location")) == (301, new), old
    assert client.get("/?p=999").status_code == 200  # the home page, no redirect
    assert client.get("/?utm_source=x").status_code == 200


def test_running_the_import_again_duplicates_nothing(export_file):
    run("import_wordpress", export_file)
    counts = (Post.objects.count(), Comment.objects.count(), Redirect.objects.count())
    trees = tree_fields()

    output = run("import_wordpress", export_file)

    assert (Post.objects.count(), Comment.objects.count(), Redirect.objects.count()) == counts
    assert tree_fields() == trees
    assert "文章：新建 0，更新 0，未变跳过 6" in output
    assert "评论：新建 0" in output and "未变跳过 7" in output


def test_a_changed_export_updates_what_changed_and_adds_new_replies(export_file, tmp_path):
    run("import_wordpress", export_file)
    edited = Post.objects.get(pk=102)
    changed = wxr.site().replace("经典编辑器的文章", "经典编辑器的文章（修订）")
    changed = changed.replace(
        "</wp:comment>\n  </item>",
        "</wp:comment>"
        + wxr._comment(
            (19, 13, "新读者", "new@example.com", "1", "", 0, "2020-04-01 08:00:00", "新的回复")
        )
        + "\n  </item>",
        1,
    )
    path = tmp_path / "changed.xml"
    path.write_text(changed, encoding="utf-8")

    output = run("import_wordpress", path)

    assert "文章：新建 0，更新 1" in output and "评论：新建 1" in output
    edited.refresh_from_db()
    assert edited.title == "经典编辑器的文章（修订）"
    reply = Comment.objects.get(author_name="新读者")
    assert reply.parent.author_name == "李四" and reply.level == 3
    assert_trees_are_valid()


def test_dry_run_reports_the_same_and_writes_nothing(export_file):
    before = (Post.objects.count(), Comment.objects.count(), Redirect.objects.count())
    dry = run("import_wordpress", export_file, "--dry-run")
    assert (Post.objects.count(), Comment.objects.count(), Redirect.objects.count()) == before
    assert "试运行" in dry
    real = run("import_wordpress", export_file)
    assert dry.splitlines()[1:] == real.splitlines()[1:]


def test_importing_into_a_site_with_posts_keeps_both(export_file, author, category):
    mine = make_post(pk=101, title="本站原有的文章", author=author, category=category)
    make_comment(mine)
    make_comment(mine)

    output = run("import_wordpress", export_file)

    mine.refresh_from_db()
    assert mine.title == "本站原有的文章"
    moved = Post.objects.get(title="欧拉公式与级数")
    assert moved.pk > 107
    assert f"101 → {moved.pk}" in output
    client = Client()
    assert client.get("/?p=101")["Location"] == f"/archives/{moved.pk}"
    assert client.get("/2020/03/01/euler/")["Location"] == f"/archives/{moved.pk}"
    imported_trees = set(Comment.objects.filter(post=moved).values_list("tree_id", flat=True))
    assert min(imported_trees) > max(
        Comment.objects.filter(post=mine).values_list("tree_id", flat=True)
    )
    assert_trees_are_valid()
    new = make_post(author=author, category=category)
    assert new.pk > moved.pk


def test_imported_posts_show_at_once_in_listings_feeds_sitemap_and_search(export_file):
    client = Client(HTTP_USER_AGENT="Mozilla/5.0 Chrome/120")
    assert "欧拉公式与级数" not in client.get("/").content.decode()  # cached before the import
    run("import_wordpress", export_file)
    home = client.get("/").content.decode()
    assert home.index("欧拉公式与级数") < home.index("经典编辑器的文章")  # pinned first
    assert "置顶" in home
    assert "欧拉公式与级数" in client.get("/content.html").content.decode()
    assert "/archives/101" in client.get("/feed/").content.decode()
    assert "/archives/101" in client.get("/sitemap.xml").content.decode()
    assert "欧拉公式与级数" in client.get("/search/欧拉/").content.decode()
    assert "评论已关闭" in client.get("/archives/102").content.decode()


def test_comments_on_a_post_closed_in_the_source_are_refused(export_file):
    from comments.services import CommentRejected, post_comment

    run("import_wordpress", export_file)
    with pytest.raises(CommentRejected):
        post_comment(
            target=Post.objects.get(pk=102),
            parent=None,
            author_name="读者",
            author_email="r@example.com",
            body="还能评论吗？",
            ip_address="203.0.113.1",
        )


def test_a_missing_file_gets_a_clear_answer(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run("import_wordpress", tmp_path / "nope.xml")


def test_published_dates_keep_their_time_zone(export_file):
    run("import_wordpress", export_file)
    euler = Post.objects.get(pk=101)
    assert euler.published_at == timezone.datetime(2020, 3, 1, 12, tzinfo=UTC)
    draft = Post.objects.get(pk=105)  # no GMT date in the export: local time, site's offset
    assert abs(draft.published_at - euler.published_at) < timedelta(seconds=1)
