"""The pages section of the site file (core/sitefile), since format version 3.

    pages   id, title, slug, author (username), status, order, in_navigation, comments_open,
            published_at, updated_at, body_format, body (as the author wrote it)

The rendered HTML and comment counts are rebuilt on import. Pages keep their ids, which
their comments refer to.
"""

from collections.abc import Iterable, Iterator

from django.core.management.color import no_style
from django.db import connection

from core.sitefile import Loading, Row

from .models import Page

CHUNK_SIZE = 500


def export_pages() -> Iterator[dict]:
    for page in Page.objects.select_related("author").order_by("pk").iterator(CHUNK_SIZE):
        yield {
            "id": page.pk,
            "title": page.title,
            "slug": page.slug,
            "author": page.author.username,
            "status": page.status,
            "order": page.order,
            "in_navigation": page.in_navigation,
            "comments_open": page.comments_open,
            "published_at": page.published_at.isoformat(),
            "updated_at": page.updated_at.isoformat(),
            "body_format": page.body_format,
            "body": page.body,
        }


def load_pages(rows: Iterable[Row], loading: Loading) -> None:
    """Insert the pages with their exported ids, rendered as Page.save() would render them."""
    page_ids = loading.ids["pages"]
    pages, updated_at, slugs = [], {}, set()
    for row in rows:
        page = Page(
            pk=row.integer("id"),
            title=row.text("title"),
            slug=row.text("slug"),
            author_id=row.ref("author", loading.ids["users"], "users"),
            status=row.choice("status", Page.Status.values),
            order=row.integer("order", default=0, minimum=-(2**31)),
            in_navigation=row.flag("in_navigation"),
            comments_open=row.flag("comments_open"),
            published_at=row.moment("published_at"),
            body_format=row.choice("body_format", Page.Format.values, default="markdown"),
            body=row.text("body", ""),
        )
        if page.pk in page_ids:
            raise row.error(f"页面 id {page.pk} 重复")
        if not page.slug or page.slug in slugs:
            raise row.error(f"页面别名 {page.slug!r} 为空或重复")
        slugs.add(page.slug)
        page_ids[page.pk] = page.pk
        updated_at[page.pk] = row.moment("updated_at", default=page.published_at)
        page.render()  # what Page.save() would do; bulk_create skips save()
        pages.append(page)
    Page.objects.bulk_create(pages, batch_size=CHUNK_SIZE)
    for page in pages:
        page.updated_at = updated_at[page.pk]
    Page.objects.bulk_update(pages, ["updated_at"], batch_size=CHUNK_SIZE)
    # Rows were inserted with their exported ids; new pages must come after them.
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Page]):
            cursor.execute(sql)
    loading.counts["pages"] = len(page_ids)
