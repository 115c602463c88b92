"""Writes of pages from outside the admin: what an importer calls to create or update a page."""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.utils.text import slugify

from .models import RESERVED_SLUGS, Page

SLUG_LENGTH = Page._meta.get_field("slug").max_length


@dataclass(frozen=True)
class ImportedPage:
    page: Page
    created: bool  # False when a page with this slug was updated instead


def free_slug(wanted: str, *, fallback: str) -> str:
    """A slug this site accepts for a new page: `wanted` cleaned, else `fallback`, made unique."""
    slug = slugify(wanted or "", allow_unicode=True)[:SLUG_LENGTH].strip("-") or fallback
    base, number = slug, 2
    while slug in RESERVED_SLUGS or Page.objects.filter(slug=slug).exists():
        suffix = f"-{number}"
        slug = base[: SLUG_LENGTH - len(suffix)] + suffix
        number += 1
    return slug


@transaction.atomic
def import_page(
    *,
    slug: str,
    title: str,
    body: str,
    body_format: str = Page.Format.MARKDOWN,
    author_id: int,
    status: str = Page.Status.PUBLISHED,
    published_at: datetime | None = None,
    updated_at: datetime | None = None,
    order: int = 0,
    in_navigation: bool = False,
    comments_open: bool = False,
) -> ImportedPage:
    """Create the page with this slug, or update it if an earlier import made it.

    The body is rendered by the same save-time pipeline as the admin's pages and posts (HTML
    bodies sanitized). Comments go in afterwards through
    `comments.importing.import_comments(page_id=page.pk, ...)`.
    """
    if body_format not in Page.Format.values:
        raise ValueError(f"unknown body format {body_format!r}")
    if status not in Page.Status.values:
        raise ValueError(f"unknown status {status!r}")
    page = Page.objects.filter(slug=slug).first()
    created = page is None
    if created:
        page = Page(slug=slug)
    page.title = title[: Page._meta.get_field("title").max_length]
    page.body = body
    page.body_format = body_format
    page.author_id = author_id
    page.status = status
    page.order = order
    page.in_navigation = in_navigation
    page.comments_open = comments_open
    if published_at is not None:
        page.published_at = published_at
    page.save()
    if updated_at is not None:
        # updated_at is stamped on save (auto_now); keep the source's own modification time.
        Page.objects.filter(pk=page.pk).update(updated_at=updated_at)
        page.updated_at = updated_at
    return ImportedPage(page, created)
