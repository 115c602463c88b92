"""Export the site's content to one portable JSON file, and load such a file into an empty site.

The file is a single JSON object, written and read a piece at a time so that neither side
holds the whole site in memory. Its members come in this order:

    format            "kexue-blog-site"
    version           1
    exported_at       ISO 8601 time of the export
    password_hashes   whether users carry their password hash
    users             authors of posts or of comments written while logged in: username,
                      first_name, last_name, email, is_staff, is_superuser, is_active,
                      date_joined (and password, the hash, only with password_hashes)
    categories        name, slug, description
    tags              name, slug
    posts             id, title, author (username), category (slug), tags (slugs), status,
                      published_at, updated_at, views, body (the author's Markdown)
    comments          id, post (post id), parent (comment id or null), user (username or
                      null), author_name, author_email, author_url, is_post_author, body,
                      status, created_at, notify_on_reply, ip_address, user_agent

Rows refer to one another only within the file: users by username, categories and tags by
slug, posts and comments by their exported id. Comments are listed in tree order (threads in
site order, each one depth-first), so a parent always precedes its replies. What the site
derives is left out and rebuilt on import: body_html, excerpt_html, search words and vectors,
comment counts and the MPTT fields. The import keeps the ids of posts and comments, because
they appear in links (/post/<id>/, #comment-<id>) and citation keys.

Without password hashes, imported users get an unusable password and must set one
(`manage.py changepassword USERNAME`) before they can log in.
"""

import json
import re
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice

from django.contrib.auth import get_user_model
from django.core.management.color import no_style
from django.db import DatabaseError, connection, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from comments.models import Comment
from comments.rendering import UnrenderableComment
from comments.services import refresh_comment_counts
from comments.signals import comments_changed

from .caching import bump_content_version
from .models import Category, Post, Tag

FORMAT_NAME = "kexue-blog-site"
FORMAT_VERSION = 1
SECTIONS = ("users", "categories", "tags", "posts", "comments")
CHUNK_SIZE = 2000
# Posts carry whole articles and their rendered HTML, so they are written in smaller batches.
POST_BATCH_SIZE = 500
COMMENT_FIELDS = (
    "author_name",
    "author_email",
    "author_url",
    "is_post_author",
    "body",
    "status",
    "notify_on_reply",
    "ip_address",
    "user_agent",
)


class PortableError(Exception):
    """The file cannot be imported (or the site cannot take it); the message says why."""


@dataclass
class Counts:
    users: int = 0
    users_created: int = 0
    users_without_password: int = 0
    categories: int = 0
    tags: int = 0
    posts: int = 0
    comments: int = 0


# Export ------------------------------------------------------------------------------------


def export_site(out, *, include_password_hashes=False):
    """Write the whole site to the text stream `out` as one JSON document; return the counts."""
    counts = Counts()
    sections = {
        "users": _export_users(include_password_hashes),
        "categories": _export_categories(),
        "tags": _export_tags(),
        "posts": _export_posts(),
        "comments": _export_comments(),
    }
    with _snapshot():
        out.write("{\n")
        header = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "exported_at": _iso(timezone.now()),
            "password_hashes": include_password_hashes,
        }
        for key, value in header.items():
            out.write(f"{_dumps(key)}: {_dumps(value)},\n")
        for index, (name, rows) in enumerate(sections.items()):
            out.write(f"{_dumps(name)}: [")
            written = 0
            for row in rows:
                out.write(",\n" if written else "\n")
                out.write(_dumps(row))
                written += 1
            setattr(counts, name, written)
            out.write("\n]" + (",\n" if index < len(sections) - 1 else "\n"))
        out.write("}\n")
    return counts


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


def _dumps(value):
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _iso(moment):
    return moment.isoformat()


def _export_users(include_password_hashes):
    wrote = Q(pk__in=Post.objects.order_by().values("author")) | Q(
        pk__in=Comment.objects.filter(user__isnull=False).order_by().values("user")
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
            "date_joined": _iso(user.date_joined),
        }
        if include_password_hashes:
            row["password"] = user.password
        yield row


def _export_categories():
    categories = Category.objects.order_by("pk").values("name", "slug", "description")
    yield from categories.iterator(CHUNK_SIZE)


def _export_tags():
    yield from Tag.objects.order_by("pk").values("name", "slug").iterator(CHUNK_SIZE)


def _export_posts():
    posts = (
        Post.objects.select_related("author", "category")
        .only(
            "title",
            "body",
            "status",
            "published_at",
            "updated_at",
            "views",
            "author__username",
            "category__slug",
        )
        .prefetch_related(Prefetch("tags", queryset=Tag.objects.only("slug")))
        .order_by("pk")
    )
    for post in posts.iterator(CHUNK_SIZE):
        yield {
            "id": post.pk,
            "title": post.title,
            "author": post.author.username,
            "category": post.category.slug,
            "tags": [tag.slug for tag in post.tags.all()],
            "status": post.status,
            "published_at": _iso(post.published_at),
            "updated_at": _iso(post.updated_at),
            "views": post.views,
            "body": post.body,
        }


def _export_comments():
    comments = Comment.objects.order_by("tree_id", "lft").values(
        "id", "post_id", "parent_id", "user__username", "created_at", *COMMENT_FIELDS
    )
    for comment in comments.iterator(CHUNK_SIZE):
        yield {
            "id": comment["id"],
            "post": comment["post_id"],
            "parent": comment["parent_id"],
            "user": comment["user__username"],
            **{name: comment[name] for name in COMMENT_FIELDS},
            "created_at": _iso(comment["created_at"]),
        }


# Import ------------------------------------------------------------------------------------


def import_site(source, *, progress=None):
    """Load a document written by export_site into this empty site, all or nothing.

    `source` is a text stream; `progress(section, count)` is called as each section is done.
    """
    loader = _Loader(progress)
    try:
        with transaction.atomic():
            _require_empty_site()
            for key, value in _read_document(source):
                loader.take(key, value)
            loader.finish()
    except DatabaseError as error:
        # Duplicate ids or slugs, or values too long for a column (Postgres checks lengths).
        raise PortableError(f"数据库拒绝了文件中的数据：{error}") from error
    return loader.counts


def _require_empty_site():
    posts, comments = Post.objects.count(), Comment.objects.count()
    if posts or comments:
        raise PortableError(
            f"站点不是空的：已有 {posts} 篇文章、{comments} 条评论。只能导入到空站点。"
        )


class _Loader:
    """Turn the members of the document, in file order, into rows of this site."""

    def __init__(self, progress):
        self.progress = progress
        self.counts = Counts()
        self.header = {}
        self.loaded = []
        self.user_ids = {}
        self.category_ids = {}
        self.tag_ids = {}
        self.post_ids = set()
        self.commented_post_ids = set()

    def take(self, key, value):
        if not self.header and key != "format":
            raise PortableError(f"不是本站的导出文件：开头应为 format 字段，而不是 {key!r}。")
        if key not in SECTIONS:
            self._take_header(key, value)
            return
        if "version" not in self.header:
            raise PortableError("文件缺少 version 字段。")
        if key in self.loaded or any(SECTIONS.index(key) < SECTIONS.index(s) for s in self.loaded):
            raise PortableError(f"{key} 出现的位置不对：各部分须按 {'、'.join(SECTIONS)} 的顺序。")
        rows = (_Row(item, f"{key} 第 {n} 项") for n, item in enumerate(value, 1))
        count = getattr(self, f"_load_{key}")(rows)
        setattr(self.counts, key, count)
        self.loaded.append(key)
        if self.progress:
            self.progress(key, count)

    def _take_header(self, key, value):
        if key == "format" and value != FORMAT_NAME:
            raise PortableError(f"不是本站的导出文件：format 为 {value!r}，应为 {FORMAT_NAME!r}。")
        if key == "version" and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise PortableError(f"version 无效：{value!r}。")
        if key == "version" and value > FORMAT_VERSION:
            raise PortableError(
                f"文件格式版本 {value} 比本程序能读的版本 {FORMAT_VERSION} 新，请先升级本站。"
            )
        self.header[key] = value

    def finish(self):
        missing = [section for section in SECTIONS if section not in self.loaded]
        if missing:
            raise PortableError(f"文件缺少 {'、'.join(missing)} 部分，可能不完整。")
        # Rows were inserted with their exported ids; new posts and comments must come after.
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), [Post, Comment]):
                cursor.execute(sql)
        post_ids = sorted(self.commented_post_ids)
        for batch in _batches(post_ids, CHUNK_SIZE):
            refresh_comment_counts(batch)
        Post.objects.all().refresh_search_vectors()
        if post_ids:
            comments_changed.send(sender=Comment, post_ids=set(post_ids))
        # bulk_create sends no post_save, so retire cached pages here, now that the scheduled
        # posts whose publication time the cache must watch are in place.
        bump_content_version()

    def _load_users(self, rows):
        User = get_user_model()
        count = 0
        for batch in _batches(rows, CHUNK_SIZE):
            wanted = {}
            for row in batch:
                username = row.text("username")
                if not username or username in wanted or username in self.user_ids:
                    raise row.error(f"用户名 {username!r} 为空或重复")
                wanted[username] = row
            # Someone who already has an account here keeps it as it is.
            existing = set(
                User.objects.filter(username__in=wanted).values_list("username", flat=True)
            )
            created = []
            for username, row in wanted.items():
                if username in existing:
                    continue
                user = User(
                    username=username,
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
                    self.counts.users_without_password += 1
                created.append(user)
            User.objects.bulk_create(created)
            self.user_ids.update(
                User.objects.filter(username__in=wanted).values_list("username", "pk")
            )
            self.counts.users_created += len(created)
            count += len(wanted)
        return count

    def _load_categories(self, rows):
        for row in rows:
            slug = self._new_slug(row, self.category_ids)
            category, _ = Category.objects.update_or_create(
                slug=slug,
                defaults={"name": row.text("name"), "description": row.text("description", "")},
            )
            self.category_ids[slug] = category.pk
        return len(self.category_ids)

    def _load_tags(self, rows):
        for row in rows:
            slug = self._new_slug(row, self.tag_ids)
            tag, _ = Tag.objects.update_or_create(slug=slug, defaults={"name": row.text("name")})
            self.tag_ids[slug] = tag.pk
        return len(self.tag_ids)

    def _new_slug(self, row, known):
        slug = row.text("slug")
        if not slug or slug in known:
            raise row.error(f"别名 {slug!r} 为空或重复")
        return slug

    def _load_posts(self, rows):
        tagging = Post.tags.through
        for batch in _batches(rows, POST_BATCH_SIZE):
            posts, updated_at, links = [], {}, []
            for row in batch:
                post = Post(
                    pk=row.integer("id"),
                    title=row.text("title"),
                    author_id=row.ref("author", self.user_ids, "users"),
                    category_id=row.ref("category", self.category_ids, "categories"),
                    status=row.choice("status", Post.Status.values),
                    published_at=row.moment("published_at"),
                    views=row.integer("views", default=0, minimum=0),
                    body=row.text("body"),
                )
                if post.pk in self.post_ids:
                    raise row.error(f"文章 id {post.pk} 重复")
                self.post_ids.add(post.pk)
                updated_at[post.pk] = row.moment("updated_at", default=post.published_at)
                tag_ids = {row.ref_value(slug, self.tag_ids, "tags") for slug in row.list("tags")}
                links.extend(tagging(post_id=post.pk, tag_id=tag_id) for tag_id in tag_ids)
                post.render()  # what Post.save() would do; bulk_create skips save()
                posts.append(post)
            Post.objects.bulk_create(posts)
            # bulk_create stamped updated_at (auto_now); put back the exported times.
            for post in posts:
                post.updated_at = updated_at[post.pk]
            Post.objects.bulk_update(posts, ["updated_at"], batch_size=500)
            tagging.objects.bulk_create(links)
        return len(self.post_ids)

    def _load_comments(self, rows):
        trees = _TreeNumbering()
        pending, created_at = [], {}
        count = 0
        for row in rows:
            comment = Comment(
                pk=row.integer("id"),
                post_id=row.integer("post"),
                parent_id=row.integer("parent", default=None, nullable=True),
                user_id=row.ref("user", self.user_ids, "users", optional=True),
                author_name=row.text("author_name"),
                author_email=row.text("author_email"),
                author_url=row.text("author_url", ""),
                is_post_author=row.flag("is_post_author"),
                body=row.text("body"),
                status=row.choice("status", Comment.Status.values),
                notify_on_reply=row.flag("notify_on_reply"),
                ip_address=row.text("ip_address", None, nullable=True) or None,
                user_agent=row.text("user_agent", ""),
            )
            if comment.post_id not in self.post_ids:
                raise row.error(f"文章 {comment.post_id} 不在文件的 posts 里")
            created_at[comment.pk] = row.moment("created_at")
            try:
                comment.render()
            except UnrenderableComment as error:
                raise row.error(f"评论无法渲染：{error}") from error
            pending.extend(trees.add(comment, row))
            self.commented_post_ids.add(comment.post_id)
            count += 1
            if len(pending) >= CHUNK_SIZE:
                self._save_comments(pending, created_at)
                pending = []
        pending.extend(trees.close_thread())
        self._save_comments(pending, created_at)
        return count

    def _save_comments(self, comments, created_at):
        Comment.objects.bulk_create(comments)
        # bulk_create stamped created_at (auto_now_add); put back the exported times.
        for comment in comments:
            comment.created_at = created_at.pop(comment.pk)
        Comment.objects.bulk_update(comments, ["created_at"], batch_size=500)


class _TreeNumbering:
    """Give comments arriving in tree order the MPTT fields Comment.objects.rebuild() would.

    Threads are numbered 1, 2, ... in file order (the import starts from an empty table), and
    within a thread lft/rght count a depth-first walk. A comment's rght is known only once its
    last reply has passed, so each thread is held until the next one starts.
    """

    def __init__(self):
        self.tree_id = 0
        self.next_number = 1
        self.open = []  # the current comment's ancestors, root first
        self.thread = []

    def add(self, comment, row):
        """Number `comment`; return the comments of the thread it closes, if it starts one."""
        finished = []
        if comment.parent_id is None:
            finished = self.close_thread()
            self.tree_id += 1
            self.next_number = 1
        else:
            while self.open and self.open[-1].pk != comment.parent_id:
                self._shut(self.open.pop())
            if not self.open:
                raise row.error(
                    f"上级评论 {comment.parent_id} 不在它之前的同一讨论串里"
                    "（评论须按树的顺序排列，上级在前）"
                )
            if self.open[-1].post_id != comment.post_id:
                raise row.error(f"上级评论 {comment.parent_id} 属于另一篇文章")
        comment.tree_id = self.tree_id
        comment.level = len(self.open)
        comment.lft = self.next_number
        self.next_number += 1
        self.open.append(comment)
        self.thread.append(comment)
        return finished

    def close_thread(self):
        while self.open:
            self._shut(self.open.pop())
        finished, self.thread = self.thread, []
        return finished

    def _shut(self, comment):
        comment.rght = self.next_number
        self.next_number += 1


def _batches(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _read_document(source):
    """Yield the members of the document's top-level object as (key, value), in file order.

    Header values come decoded; each section comes as an iterator over its items, which the
    caller must exhaust before asking for the next member.
    """
    reader = _JsonReader(source)
    reader.expect("{")
    if reader.peek() == "}":
        reader.advance()
    else:
        while True:
            key = reader.value()
            if not isinstance(key, str):
                raise reader.error("此处应为字段名")
            reader.expect(":")
            yield key, (reader.items() if key in SECTIONS else reader.value())
            if reader.peek() != ",":
                break
            reader.advance()
        reader.expect("}")
    if reader.peek():
        raise reader.error("文档结束后还有多余的内容")


class _JsonReader:
    """Walk one JSON document in a text stream, decoding values one at a time."""

    WHITESPACE = re.compile(r"[ \t\n\r]*")

    def __init__(self, source, chunk_size=1 << 20):
        self.source = source
        self.chunk_size = chunk_size
        self.buffer = ""
        self.pos = 0
        self.consumed = 0  # characters dropped from the front of the buffer
        self.at_end = False
        self.decoder = json.JSONDecoder()

    def _read_more(self):
        if self.at_end:
            return False
        self.consumed += self.pos
        self.buffer = self.buffer[self.pos :]
        self.pos = 0
        # Read at least as much as is pending, so a long value is decoded only a few times.
        try:
            text = self.source.read(max(self.chunk_size, len(self.buffer)))
        except UnicodeDecodeError as error:
            raise PortableError(f"文件不是 UTF-8 文本：{error}") from error
        if not text:
            self.at_end = True
            return False
        self.buffer += text
        return True

    def error(self, message):
        return PortableError(
            f"文件已损坏或不完整：{message}（第 {self.consumed + self.pos + 1} 个字符处）。"
        )

    def peek(self):
        """Return the next character that is not white space, or "" at the end of the file."""
        while True:
            self.pos = self.WHITESPACE.match(self.buffer, self.pos).end()
            if self.pos < len(self.buffer):
                return self.buffer[self.pos]
            if not self._read_more():
                return ""

    def advance(self):
        self.pos += 1

    def expect(self, char):
        found = self.peek()
        if found != char:
            raise self.error(f"应为 {char!r}，" + (f"却是 {found!r}" if found else "文件却已结束"))
        self.advance()

    def value(self):
        self.peek()
        while True:
            try:
                value, end = self.decoder.raw_decode(self.buffer, self.pos)
            except json.JSONDecodeError as error:
                if self._read_more():
                    continue
                raise self.error(f"无法解析 JSON（{error.msg}）") from error
            # A number that fills the buffer may go on in the text not read yet.
            if end == len(self.buffer) and self._read_more():
                continue
            self.pos = end
            return value

    def items(self):
        """Yield the items of the array that starts here."""
        self.expect("[")
        if self.peek() == "]":
            self.advance()
            return
        while True:
            yield self.value()
            if self.peek() != ",":
                break
            self.advance()
        self.expect("]")


# Marks an accessor's field as one the item must have.
_REQUIRED = object()


class _Row:
    """One item of a section, whose accessors raise PortableError naming the item and field."""

    def __init__(self, data, label):
        if isinstance(data, dict) and "id" in data:
            label = f"{label}（id {data['id']!r}）"
        self.label = label
        if not isinstance(data, dict):
            raise self.error("不是 JSON 对象")
        self.data = data

    def error(self, message):
        return PortableError(f"{self.label}：{message}。")

    def _get(self, key, default, kind, nullable=False):
        if key not in self.data:
            if default is _REQUIRED:
                raise self.error(f"缺少字段 {key}")
            return default
        value = self.data[key]
        if value is None and nullable:
            return None
        # JSON true is a Python int, but it is neither an id nor a count.
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise self.error(f"字段 {key} 的值 {value!r} 类型不对")
        return value

    def text(self, key, default=_REQUIRED, nullable=False):
        return self._get(key, default, str, nullable)

    def flag(self, key, default=False):
        return self._get(key, default, bool)

    def integer(self, key, default=_REQUIRED, nullable=False, minimum=1):
        value = self._get(key, default, int, nullable)
        if value is not None and value < minimum:
            raise self.error(f"字段 {key} 的值 {value!r} 应不小于 {minimum}")
        return value

    def list(self, key):
        values = self._get(key, [], list)
        if not all(isinstance(value, str) for value in values):
            raise self.error(f"字段 {key} 应为字符串列表")
        return values

    def choice(self, key, choices):
        value = self.text(key)
        if value not in choices:
            raise self.error(f"字段 {key} 的值 {value!r} 不是 {'、'.join(choices)} 之一")
        return value

    def moment(self, key, default=_REQUIRED):
        if key not in self.data and default is not _REQUIRED:
            return default
        value = self.text(key)
        try:
            moment = parse_datetime(value)
        except ValueError:
            moment = None
        if moment is None or timezone.is_naive(moment):
            raise self.error(f"字段 {key} 的值 {value!r} 不是带时区的 ISO 8601 时间")
        return moment

    def ref(self, key, known, section, optional=False):
        """Return the id of the row that this item names in `key` (a username or slug)."""
        name = self._get(key, None if optional else _REQUIRED, str, nullable=optional)
        return None if name is None else self.ref_value(name, known, section)

    def ref_value(self, name, known, section):
        if name not in known:
            raise self.error(f"{name!r} 不在文件的 {section} 里")
        return known[name]
