"""A post's history: a revision per explicit save (django-reversion), one rolling autosave slot.

Explicit saves in the admin are recorded by django-reversion (who, when, what changed). The
editor's autosaves never touch the post: they overwrite the author's one `PostAutosave` slot
for that post, so a long writing session leaves one entry, not hundreds. The timeline shows
both, and either can be restored; restoring writes the title and body only (never the reader
count, status or dates, which a reverted copy of the whole row would roll back).
"""

import difflib
from dataclasses import dataclass
from datetime import datetime

import reversion
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from reversion.models import Version

from .models import Post, PostAutosave

# What a revision keeps: the fields the author edits. Derived HTML, search words and the
# counters are left out; they are recomputed or live on.
REVISION_FIELDS = ["title", "body", "category", "tags", "status", "published_at", "author"]


def register():
    if not reversion.is_registered(Post):
        reversion.register(Post, fields=REVISION_FIELDS)


@dataclass(frozen=True)
class Entry:
    """One line of a post's history."""

    kind: str  # "save" or "autosave"
    pk: int
    at: datetime
    who: str
    note: str
    title: str
    body: str


def autosave(*, author, post: Post | None, title: str, body: str) -> PostAutosave:
    """Keep what the author is typing in their one slot for this post (never in the post)."""
    values = {"title": title[:200], "body": body, "saved_at": timezone.now()}
    for _attempt in range(2):
        try:
            with transaction.atomic():
                slot, _created = PostAutosave.objects.update_or_create(
                    post=post, author=author, defaults=values
                )
            return slot
        except IntegrityError:
            # Two autosaves raced to create the slot; the second try updates it.
            continue
    raise IntegrityError("autosave slot could not be written")


def unsaved_autosave(*, author, post: Post | None) -> PostAutosave | None:
    """The author's autosave for this post when it holds text the post does not."""
    slot = PostAutosave.objects.filter(post=post, author=author).first()
    if slot is None:
        return None
    if post is not None and (slot.title, slot.body) == (post.title, post.body):
        return None
    return slot


def discard_autosave(*, author, post: Post | None) -> None:
    PostAutosave.objects.filter(post=post, author=author).delete()


def timeline(post: Post) -> list[Entry]:
    """Saved revisions and autosaves of a post, newest first."""
    entries = [
        Entry(
            kind="autosave",
            pk=slot.pk,
            at=slot.saved_at,
            who=_display_name(slot.author),
            note=_("自动保存（未保存到文章）"),
            title=slot.title,
            body=slot.body,
        )
        for slot in post.autosaves.select_related("author")
        # A slot holding what the post already says has nothing to restore.
        if (slot.title, slot.body) != (post.title, post.body)
    ]
    for version in Version.objects.get_for_object(post).select_related("revision__user"):
        fields = version.field_dict
        entries.append(
            Entry(
                kind="save",
                pk=version.pk,
                at=version.revision.date_created,
                who=_display_name(version.revision.user),
                note=version.revision.get_comment(),
                title=fields.get("title", ""),
                body=fields.get("body", ""),
            )
        )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def find_entry(post: Post, kind: str, pk: int) -> Entry | None:
    return next((e for e in timeline(post) if e.kind == kind and e.pk == pk), None)


def restore(*, post: Post, entry: Entry, user) -> Post:
    """Make an earlier text the post's current one, recorded as a new revision."""
    with transaction.atomic(), reversion.create_revision():
        post.title = entry.title or post.title
        post.body = entry.body
        post.save()
        reversion.set_user(user)
        reversion.set_comment(
            _("恢复到 %(when)s 的版本")
            % {"when": timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")}
        )
        if entry.kind == "autosave":
            PostAutosave.objects.filter(pk=entry.pk).delete()
    return post


def diff_table(entry: Entry, post: Post) -> str:
    """Side-by-side HTML diff of an earlier text against the post's current one."""
    before = [f"# {entry.title}", "", *entry.body.splitlines()]
    after = [f"# {post.title}", "", *post.body.splitlines()]
    return difflib.HtmlDiff(wrapcolumn=70).make_table(
        before,
        after,
        fromdesc=_("所选版本"),
        todesc=_("当前文章"),
        context=True,
        numlines=3,
    )


def _display_name(user):
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
