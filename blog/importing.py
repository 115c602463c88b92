"""Posts, categories and tags brought from another blog engine, saved as the site saves its own.

The composing command (moving/importing) reads the source and decides what each item becomes;
this module writes the blog's rows: a post goes through Post.save(), so an imported body is
rendered by the same save-time pipeline as one written here (Markdown or HTML).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Max
from django.utils.text import slugify

from .models import Category, Post, Tag

SLUG_LENGTH = Category._meta.get_field("slug").max_length
NAME_LENGTH = Category._meta.get_field("name").max_length


@dataclass
class PostFields:
    """What a source says about a post, in this site's terms."""

    title: str
    body: str
    body_format: str
    author_id: int
    category_id: int
    tag_ids: list[int]
    status: str
    published_at: datetime
    updated_at: datetime
    views: int
    is_pinned: bool
    comments_open: bool


def clean_slug(value, fallback):
    """A slug this site accepts (letters, digits, `-`, `_`; 50 characters), else `fallback`."""
    slug = slugify(value or "", allow_unicode=True)[:SLUG_LENGTH].strip("-")
    return slug or fallback


def ensure_term(model, *, name, slug, description=""):
    """Return the category or tag with this slug, creating it (under a free name) if needed."""
    term = model.objects.filter(slug=slug).first()
    if term is not None:
        return term, False
    name = (name or slug).strip()[:NAME_LENGTH] or slug
    if model.objects.filter(name=name).exists():
        # Two terms may share a name in the source (children of different parents).
        name = f"{name[: NAME_LENGTH - len(slug) - 3]} ({slug})"
    fields = {"name": name, "slug": slug}
    if model is Category:
        fields["description"] = description
    return model.objects.create(**fields), True


def ensure_category(**fields):
    return ensure_term(Category, **fields)


def ensure_tag(**fields):
    return ensure_term(Tag, **fields)


class PostIds:
    """Hand out post ids: the source's own when free here, else new ones above every id in use."""

    def __init__(self, highest_source_id=0):
        highest_here = Post.objects.aggregate(top=Max("pk"))["top"] or 0
        self.next_new = max(highest_here, highest_source_id or 0) + 1
        self.taken = set()

    def choose(self, wanted):
        if wanted and wanted not in self.taken and not Post.objects.filter(pk=wanted).exists():
            self.taken.add(wanted)
            return wanted
        chosen = self.next_new
        self.next_new += 1
        self.taken.add(chosen)
        return chosen


def create_post(*, post_id: int, fields: PostFields) -> Post:
    """Insert a post under this id, rendered and indexed as Post.save() does."""
    post = Post(pk=post_id)
    _assign(post, fields)
    post.save(force_insert=True)
    _finish(post, fields)
    return post


def update_post(post: Post, fields: PostFields) -> Post:
    _assign(post, fields)
    post.save()
    _finish(post, fields)
    return post


def _assign(post, fields):
    for name in (
        "title",
        "body",
        "body_format",
        "author_id",
        "category_id",
        "status",
        "published_at",
        "views",
        "is_pinned",
        "comments_open",
    ):
        setattr(post, name, getattr(fields, name))


def _finish(post, fields):
    post.tags.set(fields.tag_ids)
    # updated_at is stamped on save (auto_now); keep the source's own modification time.
    Post.objects.filter(pk=post.pk).update(updated_at=fields.updated_at)


def reset_post_ids():
    """Let posts written here later take ids above the imported ones."""
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Post]):
            cursor.execute(sql)


def posts_by_id(ids: Iterable[int]):
    return Post.objects.in_bulk(list(ids))
