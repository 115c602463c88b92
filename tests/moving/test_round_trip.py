"""Import, export, import into an empty site: the same site, still known to the importer."""

import pytest
from django.db import transaction

from blog.models import Category, Post, Tag
from comments.models import Comment
from moving.models import ImportedItem
from pages.models import Page
from redirects.models import Redirect

from . import typecho_site
from .conftest import run

pytestmark = pytest.mark.django_db

POST_FIELDS = (
    "pk",
    "title",
    "body",
    "body_format",
    "body_html",
    "excerpt_html",
    "status",
    "published_at",
    "updated_at",
    "views",
    "comment_count",
    "is_pinned",
    "comments_open",
)


def snapshot():
    posts = {
        post.pk: (
            *(getattr(post, name) for name in POST_FIELDS),
            post.author.username,
            post.category.slug,
            sorted(tag.slug for tag in post.tags.all()),
        )
        for post in Post.objects.select_related("author", "category").prefetch_related("tags")
    }
    pages = sorted(
        Page.objects.values_list(
            "pk",
            "slug",
            "title",
            "body",
            "body_format",
            "body_html",
            "status",
            "order",
            "in_navigation",
            "comments_open",
            "comment_count",
            "published_at",
            "updated_at",
            "author__username",
        )
    )
    comments = sorted(
        Comment.objects.values_list(
            "pk",
            "post_id",
            "page_id",
            "parent_id",
            "lft",
            "rght",
            "level",
            "body_html",
            "status",
            "created_at",
            "is_post_author",
            "author_url",
        )
    )
    redirects = sorted(Redirect.objects.values_list("old_path", "new_path"))
    imports = sorted(
        ImportedItem.objects.values_list("source", "kind", "source_id", "object_id", "fingerprint")
    )
    return posts, pages, comments, redirects, imports


def test_an_imported_site_survives_export_and_import_unchanged(export_file, tmp_path):
    run("import_wordpress", export_file)
    run("import_typecho", typecho_site.build_sqlite(tmp_path / "typecho.db"))
    before = snapshot()
    assert all(before)
    assert Comment.objects.filter(page__isnull=False).exists()
    site_file = tmp_path / "site.json"
    run("export_site", site_file)

    with transaction.atomic():
        Comment.objects.all().delete()
        Post.objects.all().delete()
        Page.objects.all().delete()
        Redirect.objects.all().delete()
        ImportedItem.objects.all().delete()
        Category.objects.all().delete()
        Tag.objects.all().delete()
    output = run("import_site", site_file)

    assert "导入完成" in output
    assert snapshot() == before
    again = run("import_wordpress", export_file)
    assert "文章：新建 0，更新 0，未变跳过 6" in again and "评论：新建 0" in again
    assert "页面：新建 0，更新 0，未变跳过 1" in again
