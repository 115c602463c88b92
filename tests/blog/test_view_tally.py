"""With BLOG_VIEWS_FLUSH_SECONDS a worker tallies reader counts in memory and writes them every
few seconds: no database work per view, the same exact counts once written, nothing lost to a
failed write or a graceful stop."""

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from urllib.request import Request, urlopen

import pytest
from django.db import DatabaseError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from blog import readers
from blog.models import Post, PostDailyViews
from blog.view_tally import ViewTally
from tests.conftest import GunicornServer

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
DAY = date(2030, 1, 1)


def views_of(post):
    return Post.objects.values_list("views", flat=True).get(pk=post.pk)


def daily_views_of(post):
    return sum(PostDailyViews.objects.filter(post=post).values_list("views", flat=True))


def new_reader_sees(post):
    """A new reader's page: what it says about the count."""
    html = Client().get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    return html.split("位读者")[0].rsplit(">", 1)[-1] + "位读者"


@pytest.fixture
def tally(settings, monkeypatch):
    """This test's own tally, written only when the test says so."""
    settings.BLOG_VIEWS_FLUSH_SECONDS = 60
    own = ViewTally(readers.public_views, readers.add_views, in_background=False)
    monkeypatch.setattr(readers, "tally", own)
    return own


def test_views_reach_the_database_when_the_tally_is_written(tally, post):
    assert [new_reader_sees(post) for _ in range(3)] == ["1位读者", "2位读者", "3位读者"]
    assert (views_of(post), daily_views_of(post)) == (0, 0)
    tally.flush()
    assert (views_of(post), daily_views_of(post)) == (3, 3)
    assert new_reader_sees(post) == "4位读者"


def test_a_tallied_view_neither_reads_nor_writes_the_post(tally, post):
    new_reader_sees(post)  # the first view reads the post's total
    with CaptureQueriesContext(connection) as captured:
        assert new_reader_sees(post) == "2位读者"
    assert not [query for query in captured if "blog_post" in query["sql"]]


def test_the_count_adds_to_views_written_by_other_workers(tally, post):
    Post.objects.filter(pk=post.pk).update(views=100)
    assert new_reader_sees(post) == "101位读者"
    Post.objects.filter(pk=post.pk).update(views=200)  # another worker wrote its tally
    tally.flush()
    assert views_of(post) == 201
    assert new_reader_sees(post) == "202位读者"


def test_a_returning_reader_sees_the_tallied_count_without_a_query(tally, post):
    reader = Client()
    reader.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    new_reader_sees(post)
    with CaptureQueriesContext(connection) as captured:
        html = reader.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER).content.decode()
    assert "2位读者" in html
    assert not [query for query in captured if "blog_post" in query["sql"]]


def test_views_of_a_post_no_longer_public_are_dropped_and_its_page_refused(tally, post):
    new_reader_sees(post)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.DRAFT)  # behind the cache's back
    tally.flush()
    assert (views_of(post), daily_views_of(post)) == (0, 0)
    assert tally.count(post.pk, DAY, every=60) is None


def test_each_day_gets_its_own_views(tally, post):
    for day in (DAY, DAY, date(2030, 1, 2)):
        tally.count(post.pk, day, every=60)
    tally.flush()
    days = dict(PostDailyViews.objects.filter(post=post).values_list("day", "views"))
    assert days == {DAY: 2, date(2030, 1, 2): 1}


class FlakyDatabase:
    """Posts at 10 views; the first write fails as an outage would."""

    def __init__(self):
        self.written = []
        self.failures = 1

    def read_total(self, post_id):
        return 10

    def write(self, views, log_name=None):
        if self.failures:
            self.failures -= 1
            raise DatabaseError("connection refused")
        self.written.append({post_id: dict(days) for post_id, days in views.items()})
        return {post_id: 10 + sum(days.values()) for post_id, days in views.items()}


def test_views_of_a_failed_write_are_kept_for_the_next():
    database = FlakyDatabase()
    tally = ViewTally(database.read_total, database.write, in_background=False)
    tally.count(7, DAY, every=60)
    tally.flush()  # fails
    tally.count(7, DAY, every=60)
    assert tally.total(7, every=60) == 12
    tally.flush()
    assert database.written == [{7: {DAY: 2}}]
    assert tally.total(7, every=60) == 12


def test_a_post_served_rarely_shows_the_views_other_workers_wrote_since():
    totals = {7: 10}
    now = [0.0]
    tally = ViewTally(
        totals.get, lambda views, log_name: {}, in_background=False, clock=lambda: now[0]
    )
    assert tally.count(7, DAY, every=60) == 11
    totals[7] = 500  # other workers wrote theirs
    now[0] = 30.0
    assert tally.total(7, every=60) == 11  # read half a minute ago: still current enough
    now[0] = 61.0
    assert tally.total(7, every=60) == 501  # their 490 and this worker's unwritten view
    del totals[7]  # unpublished
    now[0] = 122.0
    assert tally.total(7, every=60) is None
    assert tally.count(7, DAY, every=60) is None


def test_the_count_shown_never_goes_back_while_a_write_is_under_way():
    database = FlakyDatabase()
    database.failures = 0
    tally = ViewTally(database.read_total, database.write, in_background=False)
    shown = []

    def write_while_readers_arrive(views, log_name=None):
        shown.append(tally.count(7, DAY, every=60))  # a reader arrives mid-write
        return database.write(views, log_name)

    tally._write = write_while_readers_arrive
    tally.count(7, DAY, every=60)
    tally.flush()
    assert shown == [12]
    assert tally.total(7, every=60) == 12  # 10 + the written view + the one still in the tally


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("interval", ["0.2", "3600"], ids=["written every 0.2 s", "at exit"])
def test_no_view_is_lost_when_workers_tally_them(post, interval):
    """200 concurrent new readers through three workers add exactly 200, day by day too:
    written by each worker's thread, or at the latest when the server stops gracefully."""
    server = GunicornServer(BLOG_VIEWS_FLUSH_SECONDS=interval)
    url = server.url + post.get_absolute_url()

    def read(_):
        with urlopen(Request(url, headers={"User-Agent": BROWSER}), timeout=30) as response:
            return response.status

    try:
        with ThreadPoolExecutor(max_workers=32) as pool:
            statuses = list(pool.map(read, range(200)))
        deadline = time.monotonic() + 10
        while interval == "0.2" and views_of(post) < 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        written_while_serving = views_of(post)
    finally:
        server.stop()
    assert statuses == [200] * 200
    assert written_while_serving == (200 if interval == "0.2" else 0)
    assert (views_of(post), daily_views_of(post)) == (200, 200)
