"""Drafts and scheduled posts are invisible to readers everywhere; staff can preview them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from blog.models import Post
from tests.factories import make_post, make_tag


@pytest.fixture
def hidden_posts(post):
    tag = make_tag(name="隐藏", slug="hidden")
    post.tags.add(tag)
    draft = make_post(
        title="草稿文章不可见", status=Post.Status.DRAFT, category=post.category, tags=[tag]
    )
    scheduled = make_post(
        title="定时文章不可见",
        published_at=timezone.now() + timedelta(days=3),
        category=post.category,
        tags=[tag],
    )
    return draft, scheduled


def test_published_queryset_excludes_drafts_and_future_posts(post, hidden_posts):
    assert list(Post.objects.published()) == [post]


@pytest.mark.parametrize(
    "url_name, kwargs",
    [
        ("blog:home", {}),
        ("blog:category", {"slug": "math"}),
        ("blog:tag", {"slug": "hidden"}),
        ("blog:search", {"keywords": "不可见"}),
        ("blog:content", {}),
        ("blog:feed", {}),
        ("blog:feed_atom", {}),
    ],
)
def test_hidden_posts_do_not_appear_in_listings_search_or_feeds(
    client, hidden_posts, url_name, kwargs
):
    body = client.get(reverse(url_name, kwargs=kwargs)).content.decode()
    assert "草稿文章不可见" not in body
    assert "定时文章不可见" not in body


def test_hidden_posts_are_not_in_the_sitemap(client, post, hidden_posts):
    body = client.get("/sitemap.xml").content.decode()
    assert post.get_absolute_url() in body
    for hidden in hidden_posts:
        assert f"{hidden.get_absolute_url()}<" not in body


def test_hidden_posts_are_not_counted_in_the_sidebar_or_month_archive(client, post, hidden_posts):
    future = hidden_posts[1].published_at
    response = client.get(
        reverse("blog:month", kwargs={"year": future.year, "month": future.month})
    )
    if (future.year, future.month) != (post.published_at.year, post.published_at.month):
        assert response.status_code == 404
    sidebar = client.get("/").content.decode()
    assert '数学</span> <span class="count">(1)</span></a>' in sidebar


def test_hidden_posts_are_skipped_by_previous_and_next(
    client, post, hidden_posts, author, category
):
    older = make_post(
        title="更早的文章", category=category, published_at=post.published_at - timedelta(days=5)
    )
    hidden_posts[0].published_at = post.published_at - timedelta(days=2)
    hidden_posts[0].save()
    assert post.get_previous_public() == older
    assert post.get_next_public() is None


@pytest.mark.parametrize("which", [0, 1])
def test_hidden_post_url_is_404_for_readers(client, hidden_posts, which):
    response = client.get(hidden_posts[which].get_absolute_url())
    assert response.status_code == 404


def test_staff_can_preview_a_draft_without_counting_a_view(client, author, hidden_posts):
    draft = hidden_posts[0]
    client.force_login(author)
    response = client.get(draft.get_absolute_url())
    assert response.status_code == 200
    assert "草稿预览" in response.content.decode()
    draft.refresh_from_db()
    assert draft.views == 0
