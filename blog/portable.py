"""The blog's sections of the site file (core/sitefile): categories, tags and posts.

    categories   name, slug, description
    tags         name, slug
    posts        id, title, author (username), category (slug), tags (slugs), status,
                 published_at, updated_at, views, body (as the author wrote it), and since
                 version 2 body_format (markdown or html), is_pinned, comments_open

What the site derives is left out and rebuilt on import: body_html, excerpt_html, search words
and vectors, comment counts. Posts keep their ids, which appear in links (/archives/<id>) and
citation keys.
"""

from collections.abc import Iterable, Iterator
from itertools import islice

from django.core.management.color import no_style
from django.db import connection
from django.db.models import Prefetch

from core.mathjax import stylesheet
from core.sitefile import Loading, Row

from .models import Category, Post, Tag

CHUNK_SIZE = 2000
# Posts carry whole articles and their rendered HTML, so they are written in smaller batches.
POST_BATCH_SIZE = 500


def export_categories() -> Iterator[dict]:
    categories = Category.objects.order_by("pk").values("name", "slug", "description")
    yield from categories.iterator(CHUNK_SIZE)


def export_tags() -> Iterator[dict]:
    yield from Tag.objects.order_by("pk").values("name", "slug").iterator(CHUNK_SIZE)


def export_posts() -> Iterator[dict]:
    posts = (
        Post.objects.select_related("author", "category")
        .only(
            "title",
            "body",
            "status",
            "published_at",
            "updated_at",
            "views",
            "body_format",
            "is_pinned",
            "comments_open",
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
            "published_at": post.published_at.isoformat(),
            "updated_at": post.updated_at.isoformat(),
            "views": post.views,
            "body_format": post.body_format,
            "is_pinned": post.is_pinned,
            "comments_open": post.comments_open,
            "body": post.body,
        }


def load_categories(rows: Iterable[Row], loading: Loading) -> None:
    known = loading.ids["categories"]
    for row in rows:
        slug = _new_slug(row, known)
        category, _ = Category.objects.update_or_create(
            slug=slug,
            defaults={"name": row.text("name"), "description": row.text("description", "")},
        )
        known[slug] = category.pk
    loading.counts["categories"] = len(known)


def load_tags(rows: Iterable[Row], loading: Loading) -> None:
    known = loading.ids["tags"]
    for row in rows:
        slug = _new_slug(row, known)
        tag, _ = Tag.objects.update_or_create(slug=slug, defaults={"name": row.text("name")})
        known[slug] = tag.pk
    loading.counts["tags"] = len(known)


def _new_slug(row, known):
    slug = row.text("slug")
    if not slug or slug in known:
        raise row.error(f"别名 {slug!r} 为空或重复")
    return slug


def load_posts(rows: Iterable[Row], loading: Loading) -> None:
    """Insert the posts with their exported ids, rendered as Post.save() would render them."""
    post_ids = loading.ids["posts"]
    tagging = Post.tags.through
    for batch in _batches(rows, POST_BATCH_SIZE):
        posts, updated_at, links = [], {}, []
        for row in batch:
            post = Post(
                pk=row.integer("id"),
                title=row.text("title"),
                author_id=row.ref("author", loading.ids["users"], "users"),
                category_id=row.ref("category", loading.ids["categories"], "categories"),
                status=row.choice("status", Post.Status.values),
                published_at=row.moment("published_at"),
                views=row.integer("views", default=0, minimum=0),
                body=row.text("body"),
                # Files of version 1 have only Markdown bodies, no pinned or closed posts.
                body_format=row.choice("body_format", Post.Format.values, default="markdown"),
                is_pinned=row.flag("is_pinned"),
                comments_open=row.flag("comments_open", True),
            )
            if post.pk in post_ids:
                raise row.error(f"文章 id {post.pk} 重复")
            post_ids[post.pk] = post.pk
            updated_at[post.pk] = row.moment("updated_at", default=post.published_at)
            tags = loading.ids["tags"]
            tag_ids = {row.ref_value(slug, tags, "tags") for slug in row.list("tags")}
            links.extend(tagging(post_id=post.pk, tag_id=tag_id) for tag_id in tag_ids)
            post.render()  # what Post.save() would do; bulk_create skips save()
            posts.append(post)
        Post.objects.bulk_create(posts)
        stylesheet.add(*(post.math_css for post in posts))
        # bulk_create stamped updated_at (auto_now); put back the exported times.
        for post in posts:
            post.updated_at = updated_at[post.pk]
        Post.objects.bulk_update(posts, ["updated_at"], batch_size=500)
        tagging.objects.bulk_create(links)
    # Rows were inserted with their exported ids; new posts must come after them.
    _reset_sequence(Post)
    Post.objects.filter(pk__in=list(post_ids)).refresh_search_vectors()
    loading.counts["posts"] = len(post_ids)


def _reset_sequence(model):
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [model]):
            cursor.execute(sql)


def _batches(items, size):
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch
