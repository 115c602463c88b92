"""sitemap.xml lists the home page, posts and every listing of posts, each with when it changed."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext

from blog.models import Post
from blog.sitemaps import SITEMAPS
from tests.factories import make_category, make_post, make_tag

SHANGHAI = ZoneInfo("Asia/Shanghai")


def entries(client):
    """Map each <loc> of the sitemap to its <lastmod> (None when absent)."""
    xml = client.get("/sitemap.xml").content.decode()
    found = {}
    for url in re.findall(r"<url>(.*?)</url>", xml, re.S):
        loc = re.search(r"<loc>(.*?)</loc>", url).group(1)
        lastmod = re.search(r"<lastmod>(.*?)</lastmod>", url)
        found[loc.removeprefix("http://testserver")] = lastmod and lastmod.group(1)
    return found


def updated(post, at):
    Post.objects.filter(pk=post.pk).update(updated_at=at)


@pytest.fixture
def site(author, settings):
    settings.SITE_URL = "http://testserver"
    physics, optimization = make_category(slug="physics"), make_tag(slug="optimization")
    older = make_post(
        author=author,
        category=physics,
        tags=[optimization],
        published_at=datetime(2020, 4, 3, 10, tzinfo=SHANGHAI),
    )
    newer = make_post(
        author=author,
        category=physics,
        published_at=datetime(2020, 4, 20, 10, tzinfo=SHANGHAI),
    )
    updated(older, datetime(2024, 1, 5, 8, tzinfo=SHANGHAI))
    updated(newer, datetime(2023, 6, 1, 8, tzinfo=SHANGHAI))
    return physics, optimization, older, newer


def test_category_tag_and_month_pages_are_listed_with_their_newest_posts_update(client, site):
    found = entries(client)
    assert found["/category/physics/"] == "2024-01-05"
    assert found["/tag/optimization/"] == "2024-01-05"
    assert found["/2020/4/"] == "2024-01-05"


def test_a_listing_lastmod_follows_the_update_of_any_of_its_posts(client, site):
    *_, newer = site
    updated(newer, datetime(2025, 3, 9, 8, tzinfo=SHANGHAI))
    found = entries(client)
    assert found["/category/physics/"] == "2025-03-09"
    assert found["/tag/optimization/"] == "2024-01-05"  # the newer post has no tag


def test_posts_and_home_are_listed_with_their_last_update(client, site):
    _, _, older, newer = site
    found = entries(client)
    assert found[f"/archives/{older.pk}"] == "2024-01-05"
    assert found[f"/archives/{newer.pk}"] == "2023-06-01"
    assert found["/"] == "2024-01-05"
    assert found["/content.html"] == "2024-01-05"


def test_months_are_those_of_the_authors_timezone(client, author, category, settings):
    settings.SITE_URL = "http://testserver"
    # 1 May 00:30 in Shanghai is still 30 April in UTC.
    make_post(
        author=author, category=category, published_at=datetime(2021, 5, 1, 0, 30, tzinfo=SHANGHAI)
    )
    found = entries(client)
    assert "/2021/5/" in found
    assert "/2021/4/" not in found
    assert client.get("/2021/5/").status_code == 200


def test_listings_with_no_public_post_are_left_out(client, site, author):
    empty_category, empty_tag = make_category(slug="empty"), make_tag(slug="unused")
    draft = make_post(
        author=author,
        category=empty_category,
        tags=[empty_tag],
        status=Post.Status.DRAFT,
        published_at=datetime(2019, 1, 1, tzinfo=SHANGHAI),
    )
    make_post(
        author=author,
        category=empty_category,
        tags=[empty_tag],
        published_at=datetime.now(SHANGHAI) + timedelta(days=3),
    )
    found = entries(client)
    assert "/category/empty/" not in found
    assert "/tag/unused/" not in found
    assert "/2019/1/" not in found
    assert f"/archives/{draft.pk}" not in found


def test_a_drafts_update_does_not_change_a_listings_lastmod(client, site, author):
    physics, *_ = site
    draft = make_post(author=author, category=physics, status=Post.Status.DRAFT)
    updated(draft, datetime(2026, 1, 1, tzinfo=SHANGHAI))
    assert entries(client)["/category/physics/"] == "2024-01-05"


def test_every_listed_page_answers(client, site):
    for loc in entries(client):
        assert client.get(loc).status_code == 200, loc


def test_a_new_post_shows_up_in_the_cached_sitemap(client, site, author):
    physics, *_ = site
    entries(client)  # cache it
    make_post(author=author, category=physics, published_at=datetime(2022, 8, 1, tzinfo=SHANGHAI))
    assert "/2022/8/" in entries(client)


def test_sitemap_sections_are_named_so_another_app_can_add_its_own():
    assert set(SITEMAPS) == {"site", "posts", "categories", "tags", "months"}


def test_the_sitemap_costs_the_same_number_of_queries_whatever_the_site_holds(client, site, author):
    def queries():
        caches["pages"].clear()
        with CaptureQueriesContext(connection) as captured:
            client.get("/sitemap.xml")
        return len(captured)

    small = queries()
    for number in range(10):
        make_post(
            author=author,
            category=make_category(),
            tags=[make_tag(), make_tag()],
            published_at=datetime(2010 + number, 1 + number, 2, tzinfo=SHANGHAI),
        )
    assert queries() == small
