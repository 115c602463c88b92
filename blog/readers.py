"""Count a post's readers: one atomic statement per counted view, none for reloads or bots."""

import re
import time

from django.conf import settings
from django.db import connection
from django.utils import timezone

from .models import Post, PostDailyViews

COOKIE_NAME = "viewed"
# A reader keeps their most recent posts in the cookie; older ones fall out.
COOKIE_MAX_POSTS = 50

CRAWLER_USER_AGENT = re.compile(
    r"bot\b|bot/|crawl|spider|slurp|archiver|facebookexternalhit|embedly|preview|"
    r"baiduspider|yandex|sogou|bytespider|petalbot|ahrefs|semrush|mj12|dotbot|"
    r"scrapy|heritrix|ia_archiver",
    re.IGNORECASE,
)


def is_crawler(user_agent):
    return bool(user_agent) and bool(CRAWLER_USER_AGENT.search(user_agent))


def parse_viewed_cookie(value, now):
    """Read `id:timestamp` pairs, keeping only those seen within the dedupe window."""
    window = settings.BLOG_VIEW_DEDUPE_SECONDS
    viewed = {}
    for pair in (value or "").split("."):
        post_id, _, seen_at = pair.partition(":")
        if post_id.isdigit() and seen_at.isdigit() and now - int(seen_at) < window:
            viewed[int(post_id)] = int(seen_at)
    return viewed


def increment_views(posts, post_id):
    """Add one view to a post among `posts` and to its row for today; return the new count.

    None if the post is not among `posts`. SQL does both additions, so concurrent readers
    never overwrite each other's views:
    - PostgreSQL: one statement. The UPDATE of the post's total feeds, through a data-modifying
      CTE, an INSERT ... ON CONFLICT DO UPDATE of (post, today); both happen or neither, and
      concurrent upserts of one row queue on its lock, so N views add exactly N to each.
    - SQLite: the same two statements one after the other (SQLite has no data-modifying
      CTEs); its single writer serializes them, so no view is lost there either.
    The filter makes a draft or unknown id count nothing, not even today's row.
    """
    query = posts.filter(pk=post_id).query
    where, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    quote = connection.ops.quote_name
    posts_table, daily_table = quote(Post._meta.db_table), quote(PostDailyViews._meta.db_table)
    today = timezone.localdate()
    count_total = f"UPDATE {posts_table} SET views = views + 1 WHERE {where} RETURNING id, views"
    count_today = (
        f"INSERT INTO {daily_table} AS daily (post_id, day, views) {{rows}} "
        "ON CONFLICT (post_id, day) DO UPDATE SET views = daily.views + 1"
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"WITH counted AS ({count_total}), today AS ("
                + count_today.format(rows="SELECT id, %s, 1 FROM counted")
                + ") SELECT views FROM counted",
                [*params, today],
            )
            row = cursor.fetchone()
        else:
            cursor.execute(count_total, params)
            row = cursor.fetchone()
            if row:
                cursor.execute(count_today.format(rows="VALUES (%s, %s, 1)"), [row[0], today])
    return row[-1] if row else None


class ViewCounter:
    """Decide whether this request counts as a new reader of a post, and remember it."""

    def __init__(self, request, post_id):
        self.post_id = post_id
        self.now = int(time.time())
        self.viewed = parse_viewed_cookie(request.COOKIES.get(COOKIE_NAME), self.now)
        self.should_count = post_id not in self.viewed and not is_crawler(
            request.headers.get("User-Agent", "")
        )

    def count(self, current_views):
        """Return the count to show, adding this view when it is a new reader's."""
        if not self.should_count:
            return current_views
        counted = increment_views(Post.objects.all(), self.post_id)
        return current_views if counted is None else counted

    def count_public(self, public_posts):
        """Count a view of a public post in one statement; None if the post is not public."""
        if self.should_count:
            return increment_views(public_posts, self.post_id)
        return public_posts.filter(pk=self.post_id).values_list("views", flat=True).first()

    def remember(self, response):
        if not self.should_count:
            return
        self.viewed[self.post_id] = self.now
        recent = sorted(self.viewed.items(), key=lambda item: item[1])[-COOKIE_MAX_POSTS:]
        response.set_cookie(
            COOKIE_NAME,
            ".".join(f"{post_id}:{seen}" for post_id, seen in recent),
            max_age=settings.BLOG_VIEW_DEDUPE_SECONDS,
            httponly=True,
            samesite="Lax",
            secure=settings.SESSION_COOKIE_SECURE,
        )
