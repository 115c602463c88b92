"""Read a Typecho site from its database (SQLite, MySQL, PostgreSQL) or its backup file.

Typecho's tables (install/*.sql in Typecho): `contents` holds posts, pages, attachments and
drafts (by `type`), `metas` categories and tags (by `type`), `relationships` which post has
which, `comments`, `users`, `fields` (custom fields), `options`. Times are Unix seconds.
A body that starts with `<!--markdown-->` is Markdown; any other is HTML.

Posts are read a page at a time by id and each post's comments with it, so memory stays
flat however big the site. Themes often count readers in a `views` column they add to
`contents`, or in a `views` custom field; either is read when present.
"""

import re
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.utils import timezone

from .sources import (
    Skipped,
    SourceAttachment,
    SourceAuthor,
    SourceComment,
    SourceError,
    SourcePost,
    SourceTerm,
)
from .typecho_backup import NOTE as BACKUP_NOTE
from .typecho_backup import BackupDatabase, is_backup

PAGE_SIZE = 100
MARKDOWN_MARK = "<!--markdown-->"
CONTENT_TYPES = ("post", "post_draft", "page", "page_draft", "attachment")
STATUSES = {
    "publish": ("published", ""),
    "hidden": ("draft", "隐藏文章"),
    "private": ("draft", "私密文章"),
    "waiting": ("draft", "待审核"),
}
COMMENT_STATUSES = {"approved": "approved", "waiting": "pending", "spam": "spam"}


def open_typecho(source: str, *, prefix: str = "typecho_"):
    """Open the Typecho site that SOURCE names: a database URL, a SQLite file or a .dat backup."""
    if not re.fullmatch(r"[A-Za-z0-9_]*", prefix):
        raise SourceError(f"表前缀 {prefix!r} 只能含字母、数字和下划线。")
    scheme = urlsplit(source).scheme.lower()
    if scheme in ("mysql", "mariadb"):
        return TypechoDatabase(_mysql(source), dialect="mysql", prefix=prefix, label=source)
    if scheme in ("postgres", "postgresql"):
        return TypechoDatabase(_postgres(source), dialect="postgresql", prefix=prefix, label=source)
    path = Path(source)
    if not path.is_file():
        raise SourceError(
            f"找不到 {source}：应为 Typecho 的 SQLite 数据库文件、备份文件（.dat），"
            "或 mysql:// / postgres:// 开头的数据库地址。"
        )
    if is_backup(path):
        backup = BackupDatabase(path, prefix)
        return TypechoDatabase(
            backup.connection,
            dialect="sqlite",
            prefix=prefix,
            label=path.name,
            notes=[BACKUP_NOTE],
            closing=backup,
        )
    with open(path, "rb") as file:
        if file.read(16) != b"SQLite format 3\x00":
            raise SourceError(
                f"{path.name} 既不是 SQLite 数据库，也不是 Typecho 的备份文件（.dat）。"
            )
    connection = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
    return TypechoDatabase(connection, dialect="sqlite", prefix=prefix, label=path.name)


def _mysql(url):
    try:
        import pymysql  # an optional extra: requirements-mysql.txt
    except ImportError as error:
        raise SourceError(
            "读取 MySQL 需要 PyMySQL：pip install -r requirements-mysql.txt"
        ) from error
    parts = urlsplit(url)
    try:
        return pymysql.connect(
            host=parts.hostname or "localhost",
            port=parts.port or 3306,
            user=unquote(parts.username or ""),
            password=unquote(parts.password or ""),
            database=unquote(parts.path.lstrip("/")),
            charset="utf8mb4",
        )
    except pymysql.MySQLError as error:
        raise SourceError(f"无法连接 MySQL 数据库：{error}") from error


def _postgres(url):
    import psycopg

    try:
        connection = psycopg.connect(url, connect_timeout=10)
    except psycopg.Error as error:
        raise SourceError(f"无法连接 PostgreSQL 数据库：{error}") from error
    connection.read_only = True
    return connection


class TypechoDatabase:
    """A Typecho site read through a DB-API connection, as an import source."""

    name = "Typecho"

    def __init__(self, connection, *, dialect, prefix, label, notes=(), closing=None):
        self.connection = connection
        self.dialect = dialect
        self.prefix = prefix
        self.notes = list(notes)
        self.closing = closing
        self.mark = "?" if dialect == "sqlite" else "%s"
        try:
            self._read_site(label)
        except SourceError:
            self.close()
            raise
        except Exception as error:
            self.close()
            raise SourceError(
                f"{label} 不像 Typecho 的数据库（表前缀 {prefix}）：{error}"
            ) from error

    def close(self):
        if self.closing is not None:
            self.closing.close()
        else:
            self.connection.close()

    # SQL -----------------------------------------------------------------------------------

    def _name(self, name):
        return f"`{name}`" if self.dialect == "mysql" else f'"{name}"'

    def _table(self, name):
        return self._name(self.prefix + name)

    def _rows(self, sql, params=()):
        sql = sql.replace("?", self.mark)
        cursor = self.connection.cursor()
        try:
            cursor.execute(sql, params)
            # Lowercase names: Typecho's PostgreSQL tables may fold "authorId" to authorid.
            columns = [column[0].lower() for column in cursor.description]
            return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def _columns(self, table):
        cursor = self.connection.cursor()
        try:
            cursor.execute(f"SELECT * FROM {self._table(table)} WHERE 1 = 0")
            return {column[0].lower() for column in cursor.description}
        finally:
            cursor.close()

    def _has_table(self, table):
        try:
            self._columns(table)
        except Exception:
            self._recover()
            return False
        return True

    def _recover(self):
        # PostgreSQL refuses everything after an error until the transaction is rolled back.
        rollback = getattr(self.connection, "rollback", None)
        if rollback is not None:
            rollback()

    # The site ------------------------------------------------------------------------------

    def _read_site(self, label):
        content_columns = self._columns("contents")
        self.has_views_column = "views" in content_columns
        options = {}
        if self._has_table("options"):
            rows = self._rows(
                f"SELECT {self._name('name')}, {self._name('value')} FROM {self._table('options')}"
                f" WHERE {self._name('user')} = 0"
            )
            options = {row["name"]: row["value"] for row in rows}
        site_url = (options.get("siteUrl") or "").rstrip("/")
        self.identity = f"typecho:{site_url or label}"
        self.host = urlsplit(site_url).netloc
        self.hosts = {self.host} if self.host else set()
        offset = _integer(options.get("timezone"))
        self.zone = (
            timezone.get_fixed_timezone(timedelta(seconds=offset))
            if offset is not None
            else timezone.get_current_timezone()
        )
        self.views = {}
        if not self.has_views_column and self._has_table("fields"):
            for row in self._rows(
                f"SELECT cid, int_value, str_value FROM {self._table('fields')}"
                f" WHERE {self._name('name')} = ?",
                ["views"],
            ):
                self.views[row["cid"]] = _integer(row["int_value"]) or _integer(row["str_value"])
        elif not self.has_views_column and not self.notes:
            self.notes.append(
                "Typecho 数据库里没有阅读次数（contents 表无 views 列，也无 views 字段）。"
            )
        types = ", ".join("?" for _ in CONTENT_TYPES)
        top = self._rows(
            f"SELECT MAX(cid) AS top, COUNT(*) AS n FROM {self._table('contents')}"
            f" WHERE {self._name('type')} IN ({types})",
            CONTENT_TYPES,
        )[0]
        self.highest_id = _integer(top["top"]) or 0
        self.total = _integer(top["n"]) or 0
        self.users = {
            str(row["uid"]): row for row in self._rows(f"SELECT * FROM {self._table('users')}")
        }
        self.metas = {
            row["mid"]: row for row in self._rows(f"SELECT * FROM {self._table('metas')}")
        }
        self.relations = {}
        for row in self._rows(f"SELECT cid, mid FROM {self._table('relationships')}"):
            self.relations.setdefault(row["cid"], []).append(row["mid"])

    def authors(self):
        return [
            SourceAuthor(
                key=uid,
                login=row["name"] or f"typecho-{uid}",
                email=row.get("mail") or "",
                display_name=row.get("screenname") or "",
            )
            for uid, row in self.users.items()
        ]

    def terms(self):
        terms = []
        for mid, meta in sorted(
            self.metas.items(), key=lambda item: (item[1].get("order") or 0, item[0])
        ):
            kind = meta.get("type")
            if kind not in ("category", "tag"):
                continue
            slug = unquote(meta.get("slug") or "")
            term = SourceTerm(
                kind=kind,
                key=str(mid),
                name=meta.get("name") or slug,
                slug=slug,
                description=meta.get("description") or "",
            )
            term.old_paths += [f"/index.php/{kind}/{slug}/", f"/index.php/{kind}/{slug}"]
            terms.append(term)
        return terms

    def items(self):
        last = 0
        types = ", ".join("?" for _ in CONTENT_TYPES)
        while True:
            rows = self._rows(
                f"SELECT * FROM {self._table('contents')}"
                f" WHERE cid > ? AND {self._name('type')} IN ({types})"
                f" ORDER BY cid LIMIT {PAGE_SIZE}",
                [last, *CONTENT_TYPES],
            )
            if not rows:
                return
            for row in rows:
                yield self._item(row)
            last = rows[-1]["cid"]

    def _item(self, row):
        cid, kind = row["cid"], row["type"]
        title = row.get("title") or ""
        if kind == "attachment":
            return self._attachment(row)
        if kind.endswith("_draft") and (_integer(row.get("parent")) or 0) > 0:
            return Skipped("未发布的修订草稿", title)
        created = _moment(row.get("created"))
        if kind.endswith("_draft"):
            status, reason = "draft", ""
        else:
            status, reason = STATUSES.get(row.get("status") or "publish", ("draft", "未知状态"))
        if row.get("password") and status == "published":
            status, reason = "draft", "密码保护"
        text = row.get("text") or ""
        body_format = "html"
        if text.startswith(MARKDOWN_MARK):
            text, body_format = text[len(MARKDOWN_MARK) :].lstrip("\n"), "markdown"
        mids = self.relations.get(cid, [])
        categories = [str(m) for m in mids if self.metas.get(m, {}).get("type") == "category"]
        tags = [str(m) for m in mids if self.metas.get(m, {}).get("type") == "tag"]
        slug = unquote(row.get("slug") or "")
        views = row.get("views") if self.has_views_column else self.views.get(cid)
        return SourcePost(
            kind="page" if kind.startswith("page") else "post",
            key=str(cid),
            title=title,
            slug=slug,
            body=text,
            body_format=body_format,
            author_key=str(row.get("authorid") or ""),
            published_at=created,
            updated_at=_moment(row.get("modified")) if row.get("modified") else created,
            status=status,
            draft_reason=reason,
            category_keys=categories,
            tag_keys=tags,
            comments_open=str(row.get("allowcomment") or "0") == "1",
            views=_integer(views) or 0,
            order=_integer(row.get("order")) or 0,
            # Typecho's themes list every page in the header, in this order.
            in_navigation=kind == "page",
            wanted_id=cid,
            old_paths=(
                self._page_paths(slug)
                if kind.startswith("page")
                else self._old_paths(cid, slug, created, categories)
            ),
            comments=self._comments(cid),
            where=f"cid {cid}",
        )

    def _old_paths(self, cid, slug, created, categories):
        local = timezone.localtime(created, self.zone)
        category = unquote(self.metas[int(categories[0])].get("slug") or "") if categories else ""
        paths = []
        for prefix in ("", "/index.php"):
            paths += [f"{prefix}/archives/{cid}/", f"{prefix}/archives/{cid}"]
            if slug:
                paths += [
                    f"{prefix}/archives/{slug}.html",
                    f"{prefix}/{local:%Y/%m/%d}/{slug}.html",
                    f"{prefix}/{local:%Y/%m}/{slug}.html",
                ]
                if category:
                    paths.append(f"{prefix}/{category}/{slug}.html")
        return paths

    def _page_paths(self, slug):
        # Typecho's page address is /<slug>.html, the form pages have here too.
        return [f"/index.php/{slug}.html", f"/{slug}.html"] if slug else []

    def _attachment(self, row):
        cid = row["cid"]
        text = row.get("text") or ""
        # Typecho keeps an attachment's details as a PHP-serialized array; only its path matters.
        found = re.search(r's:4:"path";s:\d+:"([^"]*)"', text)
        path = found.group(1) if found else ""
        upload = path.split("/usr/uploads/", 1)[1] if "/usr/uploads/" in path else path.lstrip("/")
        parent = _integer(row.get("parent")) or 0
        return SourceAttachment(
            key=str(cid),
            parent_key=str(parent) if parent else None,
            url=path,
            upload_path=upload,
            title=row.get("title") or "",
            old_paths=[f"/attachment/{cid}/", f"/index.php/attachment/{cid}/"],
        )

    def _comments(self, cid):
        rows = self._rows(
            f"SELECT * FROM {self._table('comments')} WHERE cid = ? ORDER BY coid", [cid]
        )
        return [
            SourceComment(
                key=str(row["coid"]),
                parent_key=str(row["parent"]) if _integer(row.get("parent")) else None,
                author_name=row.get("author") or "",
                author_email=row.get("mail") or "",
                author_url=row.get("url") or "",
                ip_address=row.get("ip") or "",
                user_agent=row.get("agent") or "",
                body=row.get("text") or "",
                created_at=_moment(row.get("created")),
                status=COMMENT_STATUSES.get(row.get("status") or "approved", "pending"),
                kind=row.get("type") or "comment",
                author_key=str(row["authorid"]) if _integer(row.get("authorid")) else None,
            )
            for row in rows
        ]


def _integer(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _moment(seconds):
    return datetime.fromtimestamp(_integer(seconds) or 0, UTC)
