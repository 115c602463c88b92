"""export_site / import_site: the whole site in one portable file (core/sitefile), threads intact.

The file's sections, in order, and which app writes and reads each:

    users        here: authors of posts or of comments written while logged in
    categories   blog/portable.py
    tags         blog/portable.py
    posts        blog/portable.py
    pages        pages/portable.py (since version 3)
    comments     comments/portable.py
    redirects    redirects/portable.py (since version 2)
    imports      here: which item of an imported site became which post or comment, so a
                 later import of that site still recognizes them (since version 2)

Users are named by username: someone who already has an account here keeps it. Without
password hashes, imported users get an unusable password and must set one
(`manage.py changepassword USERNAME`) before they can log in.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, TextIO

from django.contrib.auth import get_user_model
from django.db import DatabaseError, connection, transaction
from django.db.models import Q
from django.utils import timezone

from blog import portable as blog_portable
from blog.models import Post
from comments import portable as comments_portable
from comments.models import Comment
from core import content_version, sitefile
from core.sitefile import FileError, Loading, Row
from pages import portable as pages_portable
from pages.models import Page
from redirects import portable as redirects_portable

from .models import ImportedItem

CHUNK_SIZE = 2000


@dataclass(frozen=True)
class Section:
    export: Callable[[], Iterable[dict]]
    load: Callable[[Iterable[Row], Loading], None]


def _sections(include_password_hashes=False):
    return {
        "users": Section(lambda: _export_users(include_password_hashes), _load_users),
        "categories": Section(blog_portable.export_categories, blog_portable.load_categories),
        "tags": Section(blog_portable.export_tags, blog_portable.load_tags),
        "posts": Section(blog_portable.export_posts, blog_portable.load_posts),
        "pages": Section(pages_portable.export_pages, pages_portable.load_pages),
        "comments": Section(comments_portable.export_comments, comments_portable.load_comments),
        "redirects": Section(
            redirects_portable.export_redirects, redirects_portable.load_redirects
        ),
        "imports": Section(_export_imports, _load_imports),
    }


# Sections that files of older format versions do not have.
ADDED_IN = {"redirects": 2, "imports": 2, "pages": 3}


def export_site(out: TextIO, *, include_password_hashes: bool = False) -> dict[str, int]:
    """Write the whole site to the text stream `out`; return how many rows each section had."""
    header = {
        "format": sitefile.FORMAT_NAME,
        "version": sitefile.FORMAT_VERSION,
        "exported_at": timezone.now().isoformat(),
        "password_hashes": include_password_hashes,
    }
    sections = _sections(include_password_hashes)
    with _snapshot():
        return sitefile.write_site(out, header, {n: s.export for n, s in sections.items()})


def import_site(source: BinaryIO, *, progress: Callable[[str, int], None] | None = None) -> Counter:
    """Load a file written by export_site into this empty site, all or nothing.

    `source` is a binary stream; `progress(section, count)` is called as each section is done.
    """
    loading = Loading()
    sections = _sections()
    try:
        with transaction.atomic():
            _require_empty_site()
            for name, rows in sitefile.read_site(
                source,
                tuple(sections),
                format_name=sitefile.FORMAT_NAME,
                version=sitefile.FORMAT_VERSION,
                added_in=ADDED_IN,
            ):
                sections[name].load(rows, loading)
                if progress:
                    progress(name, loading.counts[name])
            # Bulk inserts send no post_save: retire cached pages here, now that the scheduled
            # posts whose publication time the cache must watch are in place.
            content_version.bump()
    except DatabaseError as error:
        # Duplicate ids or slugs, or values too long for a column (Postgres checks lengths).
        raise FileError(f"数据库拒绝了文件中的数据：{error}") from error
    return loading.counts


def _require_empty_site():
    posts, pages, comments = Post.objects.count(), Page.objects.count(), Comment.objects.count()
    if posts or pages or comments:
        raise FileError(
            f"站点不是空的：已有 {posts} 篇文章、{pages} 个页面、{comments} 条评论。"
            "只能导入到空站点。"
        )


@contextmanager
def _snapshot():
    """Read every table as of one moment, so no comment points at a post the file lacks."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        # Postgres reads each statement as of its own start unless told otherwise; SQLite's
        # transaction is already a snapshot. Inside an outer transaction it is too late to ask.
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def _export_users(include_password_hashes) -> Iterator[dict]:
    wrote = (
        Q(pk__in=Post.objects.order_by().values("author"))
        | Q(pk__in=Page.objects.order_by().values("author"))
        | Q(pk__in=Comment.objects.filter(user__isnull=False).order_by().values("user"))
    )
    for user in get_user_model().objects.filter(wrote).order_by("pk").iterator(CHUNK_SIZE):
        row = {
            "username": user.username,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "email": user.email,
            "is_staff": user.is_staff,
            "is_superuser": user.is_superuser,
            "is_active": user.is_active,
            "date_joined": user.date_joined.isoformat(),
        }
        if include_password_hashes:
            row["password"] = user.password
        yield row


def _load_users(rows: Iterable[Row], loading: Loading) -> None:
    User = get_user_model()
    known = loading.ids["users"]
    rows = iter(rows)
    while batch := [row for _, row in zip(range(CHUNK_SIZE), rows, strict=False)]:
        wanted = {}
        for row in batch:
            username = row.text("username")
            if not username or username in wanted or username in known:
                raise row.error(f"用户名 {username!r} 为空或重复")
            wanted[username] = row
        # Someone who already has an account here keeps it as it is.
        existing = set(User.objects.filter(username__in=wanted).values_list("username", flat=True))
        created = [_new_user(row, loading) for name, row in wanted.items() if name not in existing]
        User.objects.bulk_create(created)
        known.update(User.objects.filter(username__in=wanted).values_list("username", "pk"))
        loading.counts["users_created"] += len(created)
    loading.counts["users"] = len(known)


def _new_user(row, loading):
    user = get_user_model()(
        username=row.text("username"),
        first_name=row.text("first_name", ""),
        last_name=row.text("last_name", ""),
        email=row.text("email", ""),
        is_staff=row.flag("is_staff"),
        is_superuser=row.flag("is_superuser"),
        is_active=row.flag("is_active", True),
        date_joined=row.moment("date_joined", default=timezone.now()),
    )
    password = row.text("password", "")
    if password:
        user.password = password
    else:
        user.set_unusable_password()
        loading.counts["users_without_password"] += 1
    return user


def _export_imports() -> Iterator[dict]:
    rows = ImportedItem.objects.order_by("pk").values(
        "source", "kind", "source_id", "object_id", "fingerprint"
    )
    yield from rows.iterator(CHUNK_SIZE)


def _load_imports(rows: Iterable[Row], loading: Loading) -> None:
    """Keep the import records of objects the file brought (posts and comments keep their ids)."""
    known = {
        ImportedItem.Kind.POST: loading.ids["posts"],
        ImportedItem.Kind.COMMENT: loading.ids["comments"],
    }
    records = []
    for row in rows:
        kind = row.choice("kind", ImportedItem.Kind.values)
        object_id = row.integer("object_id")
        if kind in known and object_id not in known[kind]:
            raise row.error(f"它指向的 {kind} {object_id} 不在文件里")
        records.append(
            ImportedItem(
                source=row.text("source"),
                kind=kind,
                source_id=row.text("source_id"),
                object_id=object_id,
                fingerprint=row.text("fingerprint"),
            )
        )
        if len(records) >= CHUNK_SIZE:
            ImportedItem.objects.bulk_create(records)
            loading.counts["imports"] += len(records)
            records = []
    ImportedItem.objects.bulk_create(records)
    loading.counts["imports"] += len(records)
