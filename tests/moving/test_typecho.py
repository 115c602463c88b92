"""import_typecho: a Typecho site from its database or its backup, ids and old links intact."""

import os
import sqlite3
import struct
from collections import Counter

import pytest
from django.core.management.base import CommandError
from django.db import connection
from django.test import Client

from blog.models import Post
from comments.models import Comment
from redirects.models import Redirect

from . import typecho_site
from .conftest import run
from .test_wordpress import assert_trees_are_valid

pytestmark = pytest.mark.django_db


@pytest.fixture
def database(tmp_path):
    return typecho_site.build_sqlite(tmp_path / "typecho.db")


def test_a_typecho_database_comes_over_with_ids_views_and_formats(database):
    output = run("import_typecho", database)

    gradient = Post.objects.get(pk=7)
    assert (gradient.title, gradient.body_format, gradient.views) == ("梯度下降", "markdown", 4321)
    assert gradient.author.username == "su" and gradient.author_name == "苏剑林"
    assert gradient.category.name == "数学研究" and gradient.category.slug == "mathematics"
    assert [tag.name for tag in gradient.tags.all()] == ["优化"]
    assert gradient.body.startswith("梯度下降沿")  # the <!--markdown--> mark is gone
    assert r"\begin{equation}" in gradient.body_html and "arithmatex" in gradient.excerpt_html
    assert "阅读全文" not in gradient.excerpt_html and "eq:taylor" not in gradient.excerpt_html
    gaussian = Post.objects.get(pk=12)
    assert (gaussian.body_format, gaussian.views, gaussian.comments_open) == ("html", 99, False)
    assert '<span class="arithmatex">\\(E = mc^2\\)</span>' in gaussian.body_html
    assert "<br>" in gaussian.body_html and "<blockquote>" in gaussian.body_html
    assert '<div class="arithmatex">\\[\\int_0^\\infty' in gaussian.body_html
    assert Post.objects.get(pk=13).status == Post.Status.DRAFT
    assert Post.objects.get(pk=15).status == Post.Status.DRAFT
    assert "《隐藏的文章》：隐藏文章" in output
    assert not Post.objects.filter(pk=14).exists()  # a revision of post 7, not a post
    assert "未发布的修订草稿 1" in output
    assert "页面：新建 1，更新 0，未变跳过 0（其中已发布 1，草稿 0）" in output
    assert "附件：1 个，未复制" in output
    assert "trackback 1" in output


def test_typecho_threads_and_statuses_are_kept(database):
    run("import_typecho", database)
    comments = {c.author_name: c for c in Comment.objects.filter(post_id=7)}
    assert comments["读者乙"].parent == comments["苏剑林"]
    assert comments["苏剑林"].parent == comments["读者甲"]
    assert comments["苏剑林"].is_post_author and not comments["读者甲"].is_post_author
    assert Counter(c.status for c in comments.values()) == Counter(approved=3, pending=1, spam=1)
    assert "arithmatex" in comments["读者甲"].body_html
    assert Post.objects.get(pk=7).comment_count == 3
    assert_trees_are_valid()


def test_old_typecho_addresses_redirect(database):
    run("import_typecho", database)
    client = Client()
    assert client.get("/archives/7").status_code == 200  # cid kept: links work unchanged
    for old, new in [
        ("/archives/7/", "/archives/7"),
        ("/index.php/archives/7/", "/archives/7"),
        ("/archives/gradient-descent.html", "/archives/7"),
        ("/index.php/archives/gradient-descent.html", "/archives/7"),
        ("/2019/03/05/gradient-descent.html", "/archives/7"),  # 12:00 in UTC+8
        ("/Mathematics/gradient-descent.html", "/archives/7"),
        ("/category/Mathematics/", "/category/mathematics/"),
        ("/index.php/tag/integral/", "/tag/integral/"),
        ("/attachment/20/", "/archives/7"),
    ]:
        response = client.get(old)
        assert (response.status_code, response.get("Location")) == (301, new), old


def test_a_typecho_backup_file_imports_like_the_database(tmp_path):
    backup = typecho_site.write_backup(tmp_path / "20240101_kexue.example_1.dat")

    output = run("import_typecho", backup)

    assert set(Post.objects.values_list("pk", flat=True)) == {7, 12, 13, 15}
    assert Post.objects.get(pk=7).views == 0  # the backup has no views column
    assert "views" in output and "备份文件只含核心字段" in output
    assert Comment.objects.filter(post_id=7).count() == 5
    assert_trees_are_valid()
    assert Comment.objects.filter(page__slug="guestbook").count() == 1
    run("import_typecho", backup)
    assert Comment.objects.count() == 6  # nothing duplicated


def test_a_corrupted_or_truncated_backup_is_refused_and_nothing_is_written(tmp_path):
    backup = typecho_site.write_backup(tmp_path / "site.dat")
    data = bytearray(backup.read_bytes())
    data[200] ^= 0xFF
    backup.write_bytes(bytes(data))
    with pytest.raises(CommandError, match=r"校验和不符|结构损坏"):
        run("import_typecho", backup)
    truncated = tmp_path / "short.dat"
    truncated.write_bytes(bytes(data[:500]))
    with pytest.raises(CommandError, match="不完整"):
        run("import_typecho", truncated)
    assert Post.objects.count() == 0 and Redirect.objects.count() == 0


def test_typecho_import_is_idempotent_and_dry_run_writes_nothing(database):
    dry = run("import_typecho", database, "--dry-run")
    assert Post.objects.count() == 0 and "试运行" in dry
    run("import_typecho", database)
    counts = (Post.objects.count(), Comment.objects.count(), Redirect.objects.count())
    again = run("import_typecho", database)
    assert (Post.objects.count(), Comment.objects.count(), Redirect.objects.count()) == counts
    assert "文章：新建 0，更新 0，未变跳过 4" in again


def test_a_custom_table_prefix_and_a_views_field(tmp_path):
    rows = {**typecho_site.ROWS}
    rows["contents"] = [{k: v for k, v in r.items() if k != "views"} for r in rows["contents"]]
    path = typecho_site.build_sqlite(
        tmp_path / "blog.db", prefix="tc_", rows=rows, views_column=False
    )

    with sqlite3.connect(path) as db:
        db.execute(
            'INSERT INTO tc_fields (cid, name, type, int_value) VALUES (12, "views", "int", 77)'
        )
    run("import_typecho", path, "--prefix", "tc_")
    assert Post.objects.get(pk=12).views == 77


def test_what_is_not_a_typecho_source_gets_a_clear_answer(tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("hello")
    with pytest.raises(CommandError, match="既不是 SQLite 数据库"):
        run("import_typecho", other)
    with pytest.raises(CommandError, match="找不到"):
        run("import_typecho", tmp_path / "missing.db")
    empty = tmp_path / "empty.db"

    sqlite3.connect(empty).execute("CREATE TABLE x (a)").connection.commit()
    with pytest.raises(CommandError, match="不像 Typecho 的数据库"):
        run("import_typecho", empty)
    with pytest.raises(CommandError, match="表前缀"):
        run("import_typecho", empty, "--prefix", "x; DROP TABLE")


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="needs PostgreSQL to hold the Typecho tables"
)
def test_a_typecho_site_on_postgresql_is_read_through_its_url(tmp_path):
    import psycopg

    settings = connection.settings_dict
    url = (
        f"postgresql://{settings['USER'] or 'postgres'}@{settings['HOST'] or '127.0.0.1'}:"
        f"{settings['PORT'] or 5432}/{settings['NAME']}"
    )
    schema = f"typecho_src_{os.getpid()}"
    with psycopg.connect(url, autocommit=True) as source:
        source.execute(f"CREATE SCHEMA {schema}")
        try:
            sql = typecho_site.SCHEMA.format(p=f"{schema}.typecho_")
            sql = sql.replace("INTEGER NOT NULL PRIMARY KEY", "INTEGER PRIMARY KEY")
            sql = sql.replace("int(10)", "integer").replace(
                '"float_value" real', '"float_value" real'
            )
            for statement in filter(str.strip, sql.split(";")):
                if "CREATE INDEX" in statement or "CREATE UNIQUE INDEX" in statement:
                    continue
                source.execute(statement.replace("varchar(200)", "text"))
            for table, rows in typecho_site.ROWS.items():
                for row in rows:
                    names = ", ".join(f'"{name}"' for name in row)
                    marks = ", ".join("%s" for _ in row)
                    source.execute(
                        f'INSERT INTO {schema}."typecho_{table}" ({names}) VALUES ({marks})',
                        [str(v) if table == "options" else v for v in row.values()],
                    )
            run("import_typecho", f"{url}?options=-csearch_path%3D{schema}")
            assert Post.objects.get(pk=7).views == 4321
            assert Comment.objects.filter(post_id=7).count() == 5
        finally:
            source.execute(f"DROP SCHEMA {schema} CASCADE")


def test_mysql_needs_the_optional_driver_or_says_so():
    try:
        import pymysql  # noqa: F401
    except ImportError:
        with pytest.raises(CommandError, match=r"requirements-mysql\.txt"):
            run("import_typecho", "mysql://typecho@127.0.0.1/typecho")
    else:
        with pytest.raises(CommandError, match="无法连接 MySQL"):
            run("import_typecho", "mysql://typecho@127.0.0.1:1/typecho")


def test_backup_records_are_framed_as_typecho_frames_them():
    record = typecho_site.backup_record(4, {"cid": 1, "mid": 2})
    kind, header_length, body_length = struct.unpack("<HHI", record[:8])
    assert (kind, record[8 : 8 + header_length], body_length) == (4, b'{"cid": 1, "mid": 1}', 2)
