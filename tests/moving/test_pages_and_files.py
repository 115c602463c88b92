"""Pages and attachments come over: pages with their comment threads and old addresses, files
copied from the uploads folder into the media library with every reference rewritten."""

import pytest
from django.test import Client

from blog.models import Post
from comments.models import Comment
from media.models import MediaFile
from moving.models import ImportedItem
from pages.models import Page
from redirects.models import Redirect
from tests.media.pictures import plain

from . import typecho_site, wxr
from .conftest import run
from .test_wordpress import assert_trees_are_valid

pytestmark = pytest.mark.django_db

UPLOADS = "https://old.example.org/wp-content/uploads"
POST_BODY = f"""<p>原图：<img src="{UPLOADS}/2021/05/photo.jpg" alt="原图"></p>
<p>缩略图：<a href="{UPLOADS}/2021/05/photo.jpg"><img src="{UPLOADS}/2021/05/photo-300x200.jpg"
 width="300" height="200" alt="缩略图"></a></p>
<p>站内路径：<img src="/wp-content/uploads/2021/05/chart.png" alt="图表"></p>
<p>丢了的：<img src="{UPLOADS}/2021/05/gone.png" alt="丢失"></p>
<p>别人的：<img src="https://other.example.com/wp-content/uploads/2021/05/photo.jpg" alt="外站"></p>
<p>越界的：<img src="/wp-content/uploads/../../secret.png" alt="越界"></p>"""
PAGE_BODY = f"""<p>关于本站。<img src="{UPLOADS}/2021/05/photo-1024x683.jpg" alt="大图"></p>"""
PAGE_COMMENTS = [
    (31, 0, "访客甲", "a@example.com", "1", "", 0, "2021-06-01 08:00:00", "第一层"),
    (32, 31, "作者", "author@old.example.org", "1", "", 1, "2021-06-01 09:00:00", "第二层"),
    (33, 32, "访客乙", "b@example.com", "1", "", 0, "2021-06-01 10:00:00", "第三层 $x^2$"),
    (34, 0, "访客丙", "c@example.com", "0", "", 0, "2021-06-02 08:00:00", "待审核的留言"),
    (35, 0, "spam", "s@example.com", "spam", "", 0, "2021-06-03 08:00:00", "buy"),
]


def export_text():
    return wxr.export(
        wxr.item(401, "带图的文章", POST_BODY, slug="pictures", date="2021-05-20 08:00:00"),
        wxr.item(
            501,
            "关于我们",
            PAGE_BODY,
            slug="about-us",
            kind="page",
            comments=PAGE_COMMENTS,
            metas=(),
        ).replace(
            "<wp:post_type>page</wp:post_type>",
            "<wp:post_type>page</wp:post_type><wp:menu_order>3</wp:menu_order>",
        ),
        wxr.item(502, "写了一半的页面", "<p>草稿</p>", slug="half", kind="page", status="draft"),
        wxr.item(
            601,
            "photo.jpg",
            "",
            slug="photo",
            kind="attachment",
            status="inherit",
            parent=401,
            attachment_url=f"{UPLOADS}/2021/05/photo.jpg",
        ),
        wxr.item(
            602,
            "gone.png",
            "",
            slug="gone",
            kind="attachment",
            status="inherit",
            parent=401,
            attachment_url=f"{UPLOADS}/2021/05/gone.png",
        ),
    )


@pytest.fixture
def export(tmp_path):
    path = tmp_path / "pages.xml"
    path.write_text(export_text(), encoding="utf-8")
    return path


@pytest.fixture
def uploads(tmp_path):
    """A copy of wp-content/uploads: the original and a resized variant, a chart; no gone.png."""
    folder = tmp_path / "uploads"
    (folder / "2021" / "05").mkdir(parents=True)
    (folder / "2021" / "05" / "photo.jpg").write_bytes(plain(600, 400, "JPEG"))
    (folder / "2021" / "05" / "photo-300x200.jpg").write_bytes(plain(300, 200, "JPEG"))
    (folder / "2021" / "05" / "chart.png").write_bytes(plain(120, 80, "PNG"))
    (tmp_path / "secret.png").write_bytes(plain(10, 10, "PNG"))  # outside the folder
    return folder


def row_counts():
    models = (Post, Page, Comment, Redirect, MediaFile, ImportedItem)
    return {model.__name__: model.objects.count() for model in models}


def stored_files(media_root):
    if not media_root.exists():
        return set()
    return {p for p in media_root.rglob("*") if p.is_file()}


def test_a_page_comes_over_with_its_comment_threads(export):
    output = run("import_wordpress", export)

    page = Page.objects.get(slug="about-us")
    assert (page.title, page.body_format, page.status, page.order) == (
        "关于我们",
        "html",
        "published",
        3,
    )
    assert "关于本站" in page.body_html and page.author.username == "lin"
    assert Page.objects.get(slug="half").status == Page.Status.DRAFT
    assert not Post.objects.filter(pk__in=(501, 502)).exists()
    comments = {c.author_name: c for c in Comment.objects.filter(page=page)}
    assert comments["访客乙"].parent == comments["作者"]
    assert comments["作者"].parent == comments["访客甲"] and comments["访客乙"].level == 2
    assert comments["作者"].is_post_author and not comments["访客甲"].is_post_author
    assert (comments["访客丙"].status, comments["spam"].status) == ("pending", "spam")
    assert "arithmatex" in comments["访客乙"].body_html
    assert page.comment_count == 3
    assert_trees_are_valid()
    assert "页面：新建 2，更新 0，未变跳过 0（其中已发布 1，草稿 1）" in output
    body = Client().get("/about-us.html").content.decode()
    assert "第三层" in body and "关于我们" in body and "待审核的留言" not in body


def test_old_page_addresses_redirect_to_the_page(export):
    run("import_wordpress", export)
    client = Client()
    for old in ("/?page_id=501", "/2020/03/01/about-us/", "/about-us/"):
        response = client.get(old)
        assert (response.status_code, response.get("Location")) == (301, "/about-us.html"), old


def test_a_page_whose_slug_is_taken_gets_another_and_says_so(export, author):
    Page.objects.create(slug="about-us", title="本站的关于", author=author, status="published")
    output = run("import_wordpress", export)
    moved = Page.objects.get(title="关于我们")
    assert moved.slug == "about-us-2"
    assert "《关于我们》：about-us → about-us-2" in output
    assert Client().get("/?page_id=501")["Location"] == "/about-us-2.html"
    assert Page.objects.get(slug="about-us").title == "本站的关于"


def test_without_an_uploads_folder_bodies_keep_the_original_addresses(export):
    output = run("import_wordpress", export)
    post = Post.objects.get(pk=401)
    assert f"{UPLOADS}/2021/05/photo-300x200.jpg" in post.body
    assert MediaFile.objects.count() == 0
    assert "附件：2 个，未复制（没有给出 --uploads-dir）" in output
    assert Client().get("/?attachment_id=601")["Location"] == "/archives/401"


def test_files_are_copied_and_every_reference_points_at_them(export, uploads, media_root):
    output = run("import_wordpress", export, "--uploads-dir", uploads)

    photo = MediaFile.objects.get(original_name="photo.jpg")
    chart = MediaFile.objects.get(original_name="chart.png")
    assert MediaFile.objects.count() == 2  # the variant is not stored: it points at its original
    post = Post.objects.get(pk=401)
    assert post.body.count(f'src="{photo.url}"') == 2  # the original and its 300x200 variant
    assert f'href="{photo.url}"' in post.body
    assert f'src="{chart.url}"' in post.body
    assert "photo-300x200" not in post.body and "/wp-content/uploads/2021/05/chart" not in post.body
    assert f"{UPLOADS}/2021/05/gone.png" in post.body  # missing: the original address stays
    assert "https://other.example.com/wp-content/uploads/2021/05/photo.jpg" in post.body
    assert "/wp-content/uploads/../../secret.png" in post.body  # never outside the folder
    assert photo.url in post.body_html
    page = Page.objects.get(slug="about-us")
    assert f'src="{photo.url}"' in page.body and "1024x683" not in page.body
    assert "复制到媒体库 2，已导入过跳过 0，找不到 2" in output
    assert "  2021/05/gone.png" in output and "  ../../secret.png" in output
    assert "--uploads-dir 暂不起作用" not in output
    assert Client().get("/?attachment_id=601")["Location"] == photo.url
    assert Client().get("/?attachment_id=602")["Location"] == "/archives/401"  # file missing
    assert Client().get(photo.url).status_code == 200
    assert stored_files(media_root)


def test_a_second_run_stores_no_file_twice_and_duplicates_nothing(export, uploads, media_root):
    run("import_wordpress", export, "--uploads-dir", uploads)
    counts = row_counts()
    files = stored_files(media_root)
    body = Post.objects.get(pk=401).body

    again = run("import_wordpress", export, "--uploads-dir", uploads)

    assert row_counts() == counts
    assert stored_files(media_root) == files
    assert Post.objects.get(pk=401).body == body
    assert "页面：新建 0，更新 0，未变跳过 2" in again
    assert "文章：新建 0，更新 0，未变跳过 1" in again
    assert "复制到媒体库 0，已导入过跳过 2" in again
    assert "评论：新建 0" in again


def test_a_run_with_the_uploads_folder_after_one_without_rewrites_the_bodies(export, uploads):
    run("import_wordpress", export)
    output = run("import_wordpress", export, "--uploads-dir", uploads)
    photo = MediaFile.objects.get(original_name="photo.jpg")
    assert photo.url in Post.objects.get(pk=401).body
    assert photo.url in Page.objects.get(slug="about-us").body
    assert "文章：新建 0，更新 1" in output and "页面：新建 0，更新 1" in output


def test_a_dry_run_with_files_writes_nothing_and_reports_the_same(export, uploads, media_root):
    dry = run("import_wordpress", export, "--uploads-dir", uploads, "--dry-run")
    assert "试运行" in dry
    assert (Page.objects.count(), MediaFile.objects.count(), ImportedItem.objects.count()) == (
        0,
        0,
        0,
    )
    assert not stored_files(media_root)
    real = run("import_wordpress", export, "--uploads-dir", uploads)
    assert dry.splitlines()[1:] == real.splitlines()[1:]


def test_a_file_the_library_refuses_keeps_its_address_and_is_listed(export, uploads, settings):
    (uploads / "2021" / "05" / "chart.png").write_bytes(b"MZ\x90\x00 not a picture at all")
    settings.MEDIA_MAX_UPLOAD_BYTES = 4000  # photo.jpg is larger

    output = run("import_wordpress", export, "--uploads-dir", uploads)

    assert MediaFile.objects.count() == 0
    body = Post.objects.get(pk=401).body
    assert f"{UPLOADS}/2021/05/photo-300x200.jpg" in body and "/uploads/2021/05/chart.png" in body
    assert "拒收 2" in output
    assert "  2021/05/photo.jpg：文件太大" in output and "  2021/05/chart.png：" in output


def test_a_failed_import_leaves_no_copied_file_behind(export, uploads, media_root, monkeypatch):
    from comments import importing

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(importing, "import_comments", explode)
    with pytest.raises(RuntimeError):
        run("import_wordpress", export, "--uploads-dir", uploads)
    assert MediaFile.objects.count() == 0 and Page.objects.count() == 0
    assert not stored_files(media_root)


def typecho_rows():
    """The test site, with a nested thread on its guestbook and a picture in a post."""
    rows = {
        table: [dict(row) for row in table_rows] for table, table_rows in typecho_site.ROWS.items()
    }
    for row in rows["contents"]:
        if row["cid"] == 7:
            row["text"] += (
                "\n\n![曲线](https://kexue.example/usr/uploads/2019/03/1234567890.png)"
                "\n\n![缺失](https://kexue.example/usr/uploads/2019/03/lost.png)"
            )
        if row["cid"] == 2:
            row["order"] = 5
    base = {"ip": "198.51.100.9", "agent": "", "authorId": 0, "ownerId": 1, "url": ""}
    rows["comments"] += [
        {
            **base,
            "coid": 40,
            "cid": 2,
            "created": typecho_site.when(2017, 2, 2),
            "author": "苏剑林",
            "mail": "su@old.example.org",
            "authorId": 1,
            "text": "欢迎",
            "status": "approved",
            "parent": 6,
        },
        {
            **base,
            "coid": 41,
            "cid": 2,
            "created": typecho_site.when(2017, 2, 3),
            "author": "留言者",
            "mail": "g@example.com",
            "text": "谢谢",
            "status": "approved",
            "parent": 40,
        },
        {
            **base,
            "coid": 42,
            "cid": 2,
            "created": typecho_site.when(2017, 2, 4),
            "author": "新人",
            "mail": "n@example.com",
            "text": "等审核",
            "status": "waiting",
            "parent": 0,
        },
    ]
    return rows


def test_a_typecho_page_and_its_attachment_come_over(tmp_path, media_root):
    database = typecho_site.build_sqlite(tmp_path / "typecho.db", rows=typecho_rows())
    uploads = tmp_path / "usr-uploads"
    (uploads / "2019" / "03").mkdir(parents=True)
    (uploads / "2019" / "03" / "1234567890.png").write_bytes(plain(200, 100, "PNG"))

    output = run("import_typecho", database, "--uploads-dir", uploads)

    page = Page.objects.get(slug="guestbook")
    assert (page.title, page.body_format, page.order, page.in_navigation) == (
        "留言板",
        "markdown",
        5,
        True,
    )
    thread = {c.body: c for c in Comment.objects.filter(page=page)}
    assert thread["到此一游"].level == 0 and thread["欢迎"].parent == thread["到此一游"]
    assert thread["谢谢"].parent == thread["欢迎"] and thread["谢谢"].level == 2
    assert thread["欢迎"].is_post_author and not thread["谢谢"].is_post_author
    assert thread["等审核"].status == "pending"
    assert page.comment_count == 3
    assert_trees_are_valid()
    picture = MediaFile.objects.get()
    post = Post.objects.get(pk=7)
    assert f"![曲线]({picture.url})" in post.body
    assert "https://kexue.example/usr/uploads/2019/03/lost.png" in post.body
    assert "  2019/03/lost.png" in output
    client = Client()
    assert client.get("/attachment/20/")["Location"] == picture.url
    assert client.get("/index.php/guestbook.html")["Location"] == "/guestbook.html"
    assert "到此一游" in client.get("/guestbook.html").content.decode()

    again = run("import_typecho", database, "--uploads-dir", uploads)
    assert "页面：新建 0，更新 0，未变跳过 1" in again
    assert MediaFile.objects.count() == 1 and Comment.objects.filter(page=page).count() == 4


def test_the_theme_unit_test_data_brings_its_21_pages(theme_test_data):
    output = run("import_wordpress", theme_test_data)
    assert Page.objects.count() == 21
    assert "页面：新建 21" in output
    assert Comment.objects.filter(page__isnull=False).exclude(parent=None).count() == 1
    assert_trees_are_valid()
    client = Client()
    for page in Page.objects.published():
        assert client.get(page.get_absolute_url()).status_code == 200, page.slug
    about = Page.objects.get(title="About The Tests")
    assert (
        client.get(
            f"/?page_id={ImportedItem.objects.get(kind='page', object_id=about.pk).source_id}"
        )["Location"]
        == about.get_absolute_url()
    )
