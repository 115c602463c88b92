"""Count a post's readers: one atomic statement per new reader's view, and only browsers count.

A view counts when it is a GET from a person's browser: HEAD requests, crawlers, uptime
monitors, feed fetchers, link-preview bots, HTTP libraries (curl, python-requests...) and
headless browsers are recognized by the crawler-user-agents list (a maintained catalogue of
over 1,500 patterns, updated from PyPI, not by hand) and never inflate the number.
"""

import logging
import time
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import psycopg
import re2
from crawleruseragents import CRAWLER_USER_AGENTS_DATA
from django.conf import settings
from django.db import connection, connections, router, transaction
from django.db.models.functions import Now
from django.utils import timezone

from core.pagecache import Visit

from . import labels
from .models import Post, PostDailyViews, WrittenViewLog
from .view_log import ViewLog, database_key
from .view_tally import Views, ViewTally

logger = logging.getLogger(__name__)

COOKIE_NAME = "viewed"
# A reader keeps their most recent posts in the cookie; older ones fall out.
COOKIE_MAX_POSTS = 50

# Browsers send a User-Agent of 100 to 300 characters; a longer one is a tool or an attack, and
# bounding it bounds both the matching time and the memory of the verdict cache.
MAX_BROWSER_USER_AGENT = 512
# Distinct User-Agents seen often enough to matter are a few thousand at most; each verdict
# kept costs well under a kilobyte.
USER_AGENT_VERDICTS_CACHED = 4096


# RE2's default 8 MiB runs out on the list's automaton for some agents (curl's): it then logs
# an error and falls back to a slower engine on every call. With 32 MiB it never does; the
# workers' memory grows by about 4 MiB.
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.max_mem = 32 << 20


@cache
def _non_browser_agents():
    """One RE2 pattern for the whole list: linear time in the User-Agent, whatever it holds.

    Python's own `re` backtracks on some of the list's patterns (a 2,000-character User-Agent
    took 40 ms); RE2 answers in microseconds and compiles the list in a few milliseconds.
    """
    patterns = [agent["pattern"] for agent in CRAWLER_USER_AGENTS_DATA]
    try:
        return re2.compile(_any_of(patterns), _RE2_OPTIONS)
    except re2.error:
        # A future list may hold a pattern RE2 cannot read: count with the others rather
        # than fail every post view (tests/blog/test_reader_count.py checks the pinned list).
        readable = [pattern for pattern in patterns if _re2_reads(pattern)]
        logger.warning("%d user-agent patterns skipped", len(patterns) - len(readable))
        return re2.compile(_any_of(readable), _RE2_OPTIONS)


def _any_of(patterns):
    return "|".join(f"(?:{pattern})" for pattern in patterns)


def _re2_reads(pattern):
    try:
        re2.compile(pattern)
    except re2.error:
        return False
    return True


def is_browser(user_agent: str) -> bool:
    """Whether a User-Agent is a person's browser rather than a crawler, monitor or tool."""
    if not user_agent.strip() or len(user_agent) > MAX_BROWSER_USER_AGENT:
        return False
    return _unlisted(user_agent)


@lru_cache(maxsize=USER_AGENT_VERDICTS_CACHED)
def _unlisted(user_agent: str) -> bool:
    # Cached: the same few browsers' strings come back on every post view.
    return _non_browser_agents().search(user_agent) is None


def counts_as_reader(request) -> bool:
    """Whether this request may count as a reader at all: a browser's GET."""
    return request.method == "GET" and is_browser(request.META.get("HTTP_USER_AGENT", ""))


def parse_viewed_cookie(value, now):
    """Read `id:timestamp` pairs, keeping only those seen within the dedupe window."""
    window = settings.BLOG_VIEW_DEDUPE_SECONDS
    viewed = {}
    for pair in (value or "").split("."):
        post_id, _, seen_at = pair.partition(":")
        if post_id.isdigit() and seen_at.isdigit() and now - int(seen_at) < window:
            viewed[int(post_id)] = int(seen_at)
    return viewed


# A CTE that spares the statement's own transaction the wait for its WAL flush, as SET LOCAL
# would, without a round trip of its own.
SKIP_FLUSH_WAIT = "no_wait AS (SELECT set_config('synchronous_commit', 'off', true)), "


@dataclass(frozen=True)
class CountingSql:
    """The statements that count and read a public post's views; parameters: `params`, then
    the post's id (and today's date, for the counting statements). The `add_` statements
    write a tally (blog/view_tally.py): n views, then `params` and the post's id; the post's
    id, the day and n views."""

    count_total: str
    count_today: str | None  # None where count_total also counts today (PostgreSQL)
    read: str
    add_total: str
    add_today: str
    params: tuple


@lru_cache(maxsize=8)
def counting_sql(vendor: str, no_wait: bool) -> CountingSql:
    """Build the statements once per process: the ORM spent 300 µs a view compiling them.

    "Public" is Post.objects.published() judged by the database's clock, so the condition's
    SQL and parameters are the same on every call.
    """
    query = Post.objects.published(at=Now()).query
    where, params = query.where.as_sql(query.get_compiler(connection=connection), connection)
    quote = connection.ops.quote_name
    posts_table, daily_table = quote(Post._meta.db_table), quote(PostDailyViews._meta.db_table)
    public_post = f"{where} AND {posts_table}.{quote(Post._meta.pk.column)} = %s"
    count_total = (
        f"UPDATE {posts_table} SET views = views + 1 WHERE {public_post} RETURNING id, views"
    )
    count_today = (
        f"INSERT INTO {daily_table} AS daily (post_id, day, views) {{rows}} "
        "ON CONFLICT (post_id, day) DO UPDATE SET views = daily.views + 1"
    )
    read = f"SELECT views FROM {posts_table} WHERE {public_post}"
    add_total = f"UPDATE {posts_table} SET views = views + %s WHERE {public_post} RETURNING views"
    add_today = (
        f"INSERT INTO {daily_table} AS daily (post_id, day, views) VALUES (%s, %s, %s) "
        "ON CONFLICT (post_id, day) DO UPDATE SET views = daily.views + excluded.views"
    )
    adding = {"add_total": add_total, "add_today": add_today, "params": params}
    if vendor != "postgresql":
        return CountingSql(
            count_total, count_today.format(rows="VALUES (%s, %s, 1)"), read, **adding
        )
    both = (
        f"WITH {SKIP_FLUSH_WAIT if no_wait else ''}counted AS ({count_total}), today AS ("
        + count_today.format(rows="SELECT id, %s, 1 FROM counted")
        + ") SELECT views FROM counted"
        + (", no_wait" if no_wait else "")  # joined, so that the setting is evaluated
    )
    return CountingSql(both, None, read, **adding)


def increment_views(post_id):
    """Add one view to a public post and to its row for today; return the new count.

    None if the post is not public (a draft, a future date or an unknown id): then nothing is
    counted, not even today's row. SQL does both additions, so concurrent readers never
    overwrite each other's views:
    - PostgreSQL: one statement. The UPDATE of the post's total feeds, through a data-modifying
      CTE, an INSERT ... ON CONFLICT DO UPDATE of (post, today); both happen or neither, and
      concurrent upserts of one row queue on its lock, so N views add exactly N to each.
      It runs in autocommit mode: one round trip. With BLOG_VIEWS_ASYNC_COMMIT (opt-in) it
      commits without waiting for its WAL record to reach the disk (`synchronous_commit =
      off` for that transaction only, set by the statement itself): the flush cost 3 ms per
      view on the benchmark machine, more than the rest of the page. Counts stay exact and
      consistent; a crash of the database server (not of the app) may forget the last
      fraction of a second of views.
    - SQLite: the same two statements one after the other (SQLite has no data-modifying
      CTEs); its single writer serializes them, so no view is lost there either.
    """
    sql = counting_sql(connection.vendor, settings.BLOG_VIEWS_ASYNC_COMMIT)
    today = timezone.localdate()
    with _repeated_statement_cursor() as cursor:
        if sql.count_today is None:
            # One statement is one transaction (autocommit): one round trip, no BEGIN/COMMIT.
            cursor.execute(sql.count_total, [*sql.params, post_id, today])
            row = cursor.fetchone()
        else:
            cursor.execute(sql.count_total, [*sql.params, post_id])
            row = cursor.fetchone()
            if row:
                cursor.execute(sql.count_today, [row[0], today])
    return row[-1] if row else None


def _repeated_statement_cursor():
    """A cursor for a statement run on every counted view.

    Django binds parameters in the client on PostgreSQL, so the server parses and plans the
    counting statement anew each time. This cursor binds them on the server, and psycopg then
    prepares the statement after a few runs on each connection (prepare_threshold): the
    database's CPU per counted view is halved (docs/performance.md, seventh look). It is still
    Django's cursor wrapper: errors, query logging and execute wrappers work as for any other.
    """
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.ensure_connection()
    binding_on_server = psycopg.Cursor(connection.connection)
    if connection.queries_logged:
        return connection.make_debug_cursor(binding_on_server)
    return connection.make_cursor(binding_on_server)


def public_views(post_id):
    """A public post's count as it stands, read where the router sends reads; None if not public."""
    reader = connections[router.db_for_read(Post)]
    sql = counting_sql(reader.vendor, settings.BLOG_VIEWS_ASYNC_COMMIT)
    with reader.cursor() as cursor:
        cursor.execute(sql.read, [*sql.params, post_id])
        row = cursor.fetchone()
    return row[0] if row else None


def add_views(views: Views, log_name: str | None = None) -> dict[int, int]:
    """Write a worker's tally: each post's views and each day's, in one transaction.

    With the name of the log file that holds the same views, which is recorded in that
    transaction (WrittenViewLog): a file's views are written once, or the transaction fails.
    Returns the new totals of the posts still public; views of a post that is no longer public
    are dropped, as counting them one by one would have refused them.
    """
    sql = counting_sql(connection.vendor, False)
    totals = {}
    with transaction.atomic(), connection.cursor() as cursor:
        if log_name is not None:
            WrittenViewLog.objects.create(name=log_name)
        # Every worker writes its posts in the same order, so two writes never deadlock.
        for post_id in sorted(views):
            days = views[post_id]
            cursor.execute(sql.add_total, [sum(days.values()), *sql.params, post_id])
            row = cursor.fetchone()
            if row is None:
                continue
            totals[post_id] = row[0]
            for day, added in sorted(days.items()):
                cursor.execute(sql.add_today, [post_id, day, added])
    return totals


def new_view_log() -> ViewLog:
    """Log files of a worker's tallied views, in BLOG_VIEWS_LOG_DIR, for the default database."""
    return ViewLog(
        directory=lambda: Path(settings.BLOG_VIEWS_LOG_DIR),
        database=lambda: database_key(connection.settings_dict),
        is_written=lambda name: _written_logs().filter(name=name).exists(),
        forget=lambda name: _written_logs().filter(name=name).delete(),
    )


def _written_logs():
    # Asked where the views are written: a replica may not have the name yet, and a file it
    # called unwritten would be counted twice.
    return WrittenViewLog.objects.using(router.db_for_write(WrittenViewLog))


# This worker's tally, used when BLOG_VIEWS_FLUSH_SECONDS > 0.
tally = ViewTally(read_total=public_views, write=add_views, log=new_view_log())


class ViewCounter:
    """Decide whether this request counts as a new reader of a post, and remember it."""

    def __init__(self, request, post_id):
        self.post_id = post_id
        self.now = int(time.time())
        self.viewed = parse_viewed_cookie(request.COOKIES.get(COOKIE_NAME), self.now)
        self.should_count = post_id not in self.viewed and counts_as_reader(request)

    def count_public(self):
        """Count a view of a public post; None if the post is not public.

        In one statement as it happens, or with BLOG_VIEWS_FLUSH_SECONDS in the worker's tally.
        """
        every = settings.BLOG_VIEWS_FLUSH_SECONDS
        if every > 0:
            if self.should_count:
                return tally.count(self.post_id, timezone.localdate(), every)
            return tally.total(self.post_id, every)
        if self.should_count:
            return increment_views(self.post_id)
        return public_views(self.post_id)

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


@dataclass(frozen=True)
class PostReaders:
    """A post page's per-request work: count the reader, show the count, remember the post.

    The page cache stores this with the page (core.pagecache.Visitor), so a cached post page
    is counted the same whether its view serves it or the cache's fast path does.
    """

    post_id: int

    def visit(self, request) -> Visit | None:
        """Count this view; None if the post is not public (no count, the view decides)."""
        counter = ViewCounter(request, self.post_id)
        views = counter.count_public()
        if views is None:
            return None
        return Visit(values={"views": labels.readers(views)}, finish=counter.remember)
