"""The comments section of the site file (core/sitefile).

    comments   id, post (post id, or null), page (page id or null; since version 3: exactly
               one of post and page is set), parent (comment id or null), user (username
               or null), author_name, author_email, author_url, is_post_author, body,
               status, created_at, notify_on_reply, ip_address, user_agent

Comments are listed in tree order (threads in site order, each one depth-first), so a parent
always precedes its replies. On import, bodies go through the same renderer and sanitizer as
new comments, and trees are numbered by comments/trees.py as a rebuild would number them.
"""

from collections.abc import Iterable, Iterator

from django.core.management.color import no_style
from django.db import connection

from core.sitefile import Loading, Row

from .models import Comment
from .rendering import UnrenderableComment
from .services import refresh_comment_counts
from .trees import number_thread

CHUNK_SIZE = 2000
FIELDS = (
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


def export_comments() -> Iterator[dict]:
    comments = Comment.objects.order_by("tree_id", "lft").values(
        "id", "post_id", "page_id", "parent_id", "user__username", "created_at", *FIELDS
    )
    for comment in comments.iterator(CHUNK_SIZE):
        yield {
            "id": comment["id"],
            "post": comment["post_id"],
            "page": comment["page_id"],
            "parent": comment["parent_id"],
            "user": comment["user__username"],
            **{name: comment[name] for name in FIELDS},
            "created_at": comment["created_at"].isoformat(),
        }


def load_comments(rows: Iterable[Row], loading: Loading) -> None:
    """Insert the comments with their exported ids, a thread at a time, into an empty table."""
    known = {"post": loading.ids["posts"], "page": loading.ids["pages"]}
    thread, thread_posts, created_at, pending = [], {}, {}, []
    tree_id = count = 0
    commented = {"post": set(), "page": set()}
    for row in rows:
        comment = _comment(row, loading)
        if (comment.post_id is None) == (comment.page_id is None):
            raise row.error("评论须属于一篇文章或一个页面（post 与 page 恰好填一个）")
        kind = "post" if comment.post_id is not None else "page"
        target = (kind, comment.post_id or comment.page_id)
        if target[1] not in known[kind]:
            raise row.error(f"{kind} {target[1]} 不在文件的 {kind}s 里")
        if comment.parent_id is None:
            if thread:
                tree_id += 1
                number_thread(thread, tree_id=tree_id)
                pending.extend(thread)
            thread, thread_posts = [], {}
        elif comment.parent_id not in thread_posts:
            raise row.error(
                f"上级评论 {comment.parent_id} 不在它之前的同一讨论串里"
                "（评论须按树的顺序排列，上级在前）"
            )
        elif thread_posts[comment.parent_id] != target:
            raise row.error(f"上级评论 {comment.parent_id} 属于另一篇文章")
        thread.append(comment)
        thread_posts[comment.pk] = target
        loading.ids["comments"][comment.pk] = comment.pk
        created_at[comment.pk] = row.moment("created_at")
        commented[kind].add(target[1])
        count += 1
        if len(pending) >= CHUNK_SIZE:
            _save(pending, created_at)
            pending = []
    if thread:
        number_thread(thread, tree_id=tree_id + 1)
        pending.extend(thread)
    _save(pending, created_at)
    # Rows were inserted with their exported ids; new comments must come after them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Comment]):
            cursor.execute(sql)
    for batch in _chunks(sorted(commented["post"]), CHUNK_SIZE):
        refresh_comment_counts(batch)
    refresh_comment_counts((), commented["page"])
    loading.counts["comments"] = count


def _comment(row, loading):
    comment = Comment(
        pk=row.integer("id"),
        post_id=row.integer("post", default=None, nullable=True),
        page_id=row.integer("page", default=None, nullable=True),
        parent_id=row.integer("parent", default=None, nullable=True),
        user_id=row.ref("user", loading.ids["users"], "users", optional=True),
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
    try:
        comment.render()
    except UnrenderableComment as error:
        raise row.error(f"评论无法渲染：{error}") from error
    return comment


def _save(comments, created_at):
    Comment.objects.bulk_create(comments)
    # bulk_create stamped created_at (auto_now_add); put back the exported times.
    for comment in comments:
        comment.created_at = created_at.pop(comment.pk)
    Comment.objects.bulk_update(comments, ["created_at"], batch_size=500)


def _chunks(items, size):
    for start in range(0, len(items), size):
        yield items[start : start + size]
