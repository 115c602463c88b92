"""Query budgets: each page costs a small constant number of queries, whatever the content."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.factories import make_comment, make_post, make_tag

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) Chrome/120 Safari/537.36"

# Queries for a full render (nothing cached yet), by page. Each page reads the header's
# standalone pages (pages/templatetags), the site settings row (core/site.py: once for the
# page, again for the post's BibTeX key and for the feed's title and description) and the
# digest of the site's math stylesheet (core/mathjax/stylesheet.py) for the <head>.
BUDGETS = {
    "home": 10,
    "category": 11,
    "tag": 11,
    "month": 11,
    "search": 11,
    "content": 9,
    "feed": 5,
    "post": 19,
}


def queries(url, *, cached=False):
    if not cached:
        caches["pages"].clear()
    with CaptureQueriesContext(connection) as captured:
        response = Client(HTTP_USER_AGENT=BROWSER).get(url)
    assert response.status_code == 200, url
    return captured


def urls_for(post):
    local = post.published_at
    return {
        "home": "/",
        "category": f"/category/{post.category.slug}/",
        "tag": "/tag/shared/",
        "month": f"/{local.year}/{local.month:02d}/",
        "search": "/search/文章/",
        "content": "/content.html",
        "feed": "/feed/",
        "post": post.get_absolute_url(),
    }


def small_site(author, category):
    tag = make_tag(name="共享", slug="shared")
    post = make_post(author=author, category=category, title="文章", tags=[tag])
    make_comment(post)
    return post


def grow_site(author, category):
    """Add many posts, tags and a long comment thread to the small site."""
    from blog.models import Tag

    shared = Tag.objects.get(slug="shared")
    tags = [shared] + [make_tag() for _ in range(9)]
    posts = [
        make_post(author=author, category=category, title=f"文章{i}", tags=tags) for i in range(25)
    ]
    post = posts[-1]
    for _ in range(20):
        root = make_comment(post)
        node = root
        for _ in range(5):
            node = make_comment(post, parent=node)
    return post


@pytest.mark.parametrize("page", list(BUDGETS))
def test_page_costs_a_constant_number_of_queries(author, category, page):
    small = small_site(author, category)
    small_count = len(queries(urls_for(small)[page]))
    big = grow_site(author, category)
    big_count = len(queries(urls_for(big)[page]))
    # SQLite counts a view in two statements (blog/readers.py); PostgreSQL in one.
    extra = 1 if page == "post" and connection.vendor != "postgresql" else 0
    assert small_count == BUDGETS[page] + extra
    assert big_count == small_count


@pytest.mark.parametrize("async_commit", [False, True])
def test_a_counted_post_view_from_cache_costs_one_write(post, settings, async_commit):
    """The total and today's row in one statement on PostgreSQL; two in a row on SQLite.

    With BLOG_VIEWS_ASYNC_COMMIT the same statement also turns off, for its own transaction,
    the wait for the WAL flush: still one statement.
    """
    settings.BLOG_VIEWS_ASYNC_COMMIT = async_commit
    queries(post.get_absolute_url())  # fill the cache
    captured = queries(post.get_absolute_url(), cached=True)
    writes = [
        " ".join(q["sql"].split()).upper()
        for q in captured
        if not q["sql"].lstrip().upper().startswith("SELECT")
    ]
    if connection.vendor == "postgresql":
        assert len(writes) == 1
        first_cte = "WITH NO_WAIT AS" if async_commit else "WITH COUNTED AS (UPDATE"
        assert writes[0].startswith(first_cte)
        assert "INSERT INTO" in writes[0] and "ON CONFLICT" in writes[0]
    else:
        assert [write.split()[0] for write in writes] == ["UPDATE", "INSERT"]
    assert len(captured) == 1 + len(writes)  # the content version, then the count
