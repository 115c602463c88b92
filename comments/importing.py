"""Comments brought from another blog engine: rendered and sanitized as new ones, threads numbered.

The composing command gives the comments of one post at a time, each with its key in the
source and the key of the comment it answers. Bodies come as the source stored them (HTML
or plain text); they become Markdown here and go through the one comment renderer and
sanitizer. New threads take tree ids above every existing one, under the site-wide
new-thread lock of comments/services.py (taken once for the whole import, which is one
transaction); new replies to threads already here renumber those threads under their lock.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

import lxml.html
from django.db.models import Max
from lxml import etree

from .models import Comment
from .rendering import UnrenderableComment
from .services import lock_new_threads, lock_thread, refresh_comment_counts
from .trees import number_thread

FIELDS = (
    "author_name",
    "author_email",
    "author_url",
    "ip_address",
    "user_agent",
    "body",
    "status",
    "user_id",
    "is_post_author",
)


@dataclass
class CommentFields:
    """One comment as the source gives it, in this site's terms."""

    key: str
    parent_key: str | None
    author_name: str
    author_email: str
    author_url: str
    ip_address: str | None
    user_agent: str
    body: str  # Markdown (see markdown_from_html)
    status: str
    created_at: datetime
    user_id: int | None = None
    is_post_author: bool = False
    existing_pk: int | None = None  # the comment an earlier import made of it
    changed: bool = True  # whether the source says something new about it


@dataclass
class ImportedComments:
    """What became of one post's comments: keys to ids, and what was done to each."""

    ids: dict[str, int] = field(default_factory=dict)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    reattached: list[str] = field(default_factory=list)  # answered a comment the source lacks
    unrenderable: list[str] = field(default_factory=list)
    deleted_here: list[str] = field(default_factory=list)  # deleted here since the last import


class NewThreads:
    """Tree ids for new threads, above every existing one; holds the new-thread lock."""

    def __init__(self):
        lock_new_threads()
        self.last = Comment.objects.aggregate(top=Max("tree_id"))["top"] or 0

    def next(self):
        self.last += 1
        return self.last


def import_comments(
    *,
    post_id: int | None = None,
    page_id: int | None = None,
    comments: Sequence[CommentFields],
    threads: NewThreads,
) -> ImportedComments:
    """Store one post's or page's comments (oldest first), keeping their threads.

    Give exactly one of post_id and page_id; return what was done to each comment.
    """
    if (post_id is None) == (page_id is None):
        raise ValueError("import_comments needs exactly one of post_id and page_id")
    result = ImportedComments()
    existing = Comment.objects.in_bulk([c.existing_pk for c in comments if c.existing_pk])
    by_key = {}
    new = []
    for source in comments:
        current = existing.get(source.existing_pk) if source.existing_pk else None
        if source.existing_pk and current is None:
            result.deleted_here.append(source.key)
            continue
        if current is not None:
            by_key[source.key] = current
            result.ids[source.key] = current.pk
            if source.changed and _update(current, source):
                result.updated.append(source.key)
            else:
                result.unchanged.append(source.key)
            continue
        comment = _new_comment(post_id, page_id, source)
        if not _render(comment):
            result.unrenderable.append(source.key)
            continue
        comment._source = source
        by_key[source.key] = comment
        new.append(comment)
    if new:
        _place(new, by_key, threads, result)
    return result


def _new_comment(post_id, page_id, source):
    comment = Comment(post_id=post_id, page_id=page_id, created_at=source.created_at)
    for name in FIELDS:
        setattr(comment, name, getattr(source, name))
    return comment


def _render(comment, attempts=3):
    """Render as a new comment is rendered; a render cut off by the renderer's time limit on a
    busy machine (it counts wall time) is tried again before the comment is given up."""
    for _attempt in range(attempts):
        try:
            comment.render()
        except UnrenderableComment:
            continue
        return True
    return False


def _update(comment, source):
    changed = [name for name in FIELDS if getattr(comment, name) != getattr(source, name)]
    if comment.created_at != source.created_at:
        changed.append("created_at")
    if not changed:
        return False
    for name in changed:
        setattr(comment, name, getattr(source, name))
    if "body" in changed:
        if not _render(comment):
            return False
        changed.append("body_html")
    Comment.objects.filter(pk=comment.pk).update(
        **{name: getattr(comment, name) for name in changed}
    )
    return True


def _place(new, by_key, threads, result):
    """Give the new comments their parents and tree numbers, then insert them."""
    # Temporary negative ids tie new replies to new parents until the database gives real ones.
    for index, comment in enumerate(new):
        comment.pk = -(index + 1)
    for comment in new:
        parent_key = comment._source.parent_key
        parent = _answered(parent_key, by_key)
        if parent_key and parent is None:
            result.reattached.append(comment._source.key)
        comment.parent_id = parent.pk if parent is not None else None
        comment._parent = parent
    for comment in new:
        if _in_a_cycle(comment):
            # The source's parent links go round in a circle: this one starts the thread.
            comment.parent_id, comment._parent = None, None
            result.reattached.append(comment._source.key)

    new_threads, grown_trees = [], {}
    for comment in new:
        root = _root(comment)
        if root.pk is not None and root.pk > 0:
            grown_trees.setdefault(root.tree_id, []).append(comment)
        elif comment.parent_id is None:
            new_threads.append(comment)

    for root in sorted(new_threads, key=lambda c: (c.created_at, -c.pk)):
        thread = _in_thread_order(root, new)
        number_thread(thread, tree_id=threads.next())
    for tree_id, replies in grown_trees.items():
        _renumber_tree(tree_id, replies, new)

    _insert(new, result)


def _answered(parent_key, by_key):
    """The comment a reply answers, or None when the source lacks it (the reply starts a thread)."""
    return by_key.get(parent_key) if parent_key else None


def _in_a_cycle(comment):
    seen = set()
    current = comment._parent
    while current is not None:
        if current is comment:
            return True
        if id(current) in seen:
            return False  # a circle further up, broken when its own members come
        seen.add(id(current))
        current = getattr(current, "_parent", None)
    return False


def _root(comment):
    while getattr(comment, "_parent", None) is not None:
        comment = comment._parent
    return comment


def _children(new):
    children = {}
    for comment in new:
        if comment.parent_id is not None:
            children.setdefault(comment.parent_id, []).append(comment)
    for replies in children.values():
        replies.sort(key=lambda c: (c.created_at, -c.pk))
    return children


def _in_thread_order(root, new):
    """The thread under `root`, depth first, replies to each comment oldest first."""
    children = _children(new)
    ordered, stack = [], [root]
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.pk, [])))
    return ordered


def _renumber_tree(tree_id, replies, new):
    """Add new replies to a thread already here: its comments keep their order, new ones last."""
    lock_thread(tree_id)
    existing = list(Comment.objects.filter(tree_id=tree_id).order_by("lft"))
    children = {}
    for comment in existing:
        if comment.parent_id is not None:
            children.setdefault(comment.parent_id, []).append(comment)
    new_children = _children(new)
    for parent_id, added in new_children.items():
        children.setdefault(parent_id, []).extend(added)
    root = next(comment for comment in existing if comment.parent_id is None)
    ordered, stack = [], [root]
    while stack:
        comment = stack.pop()
        ordered.append(comment)
        stack.extend(reversed(children.get(comment.pk, [])))
    number_thread(ordered, tree_id=tree_id)
    Comment.objects.bulk_update(existing, ["lft", "rght", "level"], batch_size=500)


def _insert(new, result):
    """Insert level by level, so each reply is written knowing its parent's real id."""
    real = {}
    for level in sorted({comment.level for comment in new}):
        batch = [comment for comment in new if comment.level == level]
        for comment in batch:
            comment._temporary = comment.pk
            comment.pk = None
            if comment.parent_id is not None and comment.parent_id < 0:
                comment.parent_id = real[comment.parent_id]
        Comment.objects.bulk_create(batch)
        for comment in batch:
            real[comment._temporary] = comment.pk
            result.ids[comment._source.key] = comment.pk
            result.created.append(comment._source.key)
        # bulk_create stamps created_at (auto_now_add); put back the source's times.
        for comment in batch:
            comment.created_at = comment._source.created_at
        Comment.objects.bulk_update(batch, ["created_at"], batch_size=500)


def refresh_counts(post_ids, page_ids=()):
    """Recount the visible comments of these posts and pages (in batches, under row locks)."""
    ids = sorted(post_ids)
    for start in range(0, len(ids), 1000):
        refresh_comment_counts(ids[start : start + 1000])
    refresh_comment_counts((), page_ids)


# Bodies -----------------------------------------------------------------------------------

_MARKUP = re.compile(r"<[A-Za-z/!]|&[#\w]+;")


def markdown_from_html(text):
    """The Markdown a commenter would have typed for this stored comment (HTML or plain text).

    WordPress and Typecho keep a comment's text with its line breaks and a little HTML
    (links, emphasis, quotes, code); Markdown says the same, and the comment renderer turns
    line breaks into <br> as those engines did. Math is text either way and stays as it is.
    """
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n")
    if not _MARKUP.search(text):
        return text.strip()
    try:
        root = lxml.html.fragment_fromstring(text, create_parent="div")
    except etree.ParserError:
        return text.strip()
    return re.sub(r"\n{3,}", "\n\n", _markdown_of(root)).strip()


def _markdown_of(element):
    parts = [element.text or ""]
    for child in element:
        parts.append(_markdown_of_element(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _markdown_of_element(element):
    tag = element.tag if isinstance(element.tag, str) else ""
    inner = _markdown_of(element)
    if tag in ("script", "style") or not tag:
        return ""
    if tag == "a":
        href = (element.get("href") or "").strip()
        label = inner.strip() or href
        if re.match(r"(https?://|mailto:)", href, re.IGNORECASE):
            return href if label == href else f"[{label}]({href})"
        return inner
    if tag in ("strong", "b"):
        return f"**{inner}**" if inner.strip() else inner
    if tag in ("em", "i"):
        return f"*{inner}*" if inner.strip() else inner
    if tag == "code":
        return f"`{inner}`"
    if tag == "pre":
        return f"\n\n```\n{element.text_content().strip(chr(10))}\n```\n\n"
    if tag == "br":
        return "\n"
    if tag == "img":
        source = element.get("src", "")
        return f"![{element.get('alt', '')}]({source})" if source else ""
    if tag == "blockquote":
        quoted = "\n".join(f"> {line}" for line in inner.strip().split("\n"))
        return f"\n\n{quoted}\n\n"
    if tag == "li":
        return f"\n- {inner.strip()}"
    if tag in ("p", "div", "ul", "ol"):
        return f"\n\n{inner.strip()}\n\n"
    return inner
