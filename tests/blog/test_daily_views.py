"""Readers day by day: each counted view also adds one to the post's row for today."""

from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime
from urllib.request import Request, urlopen
from zoneinfo import ZoneInfo

from blog.models import Post, PostDailyViews
from tests.factories import make_post

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"


def today_views(post):
    row = PostDailyViews.objects.filter(post=post).order_by("-day").first()
    return (row.day, row.views) if row else None


def test_a_counted_view_adds_one_to_the_total_and_to_today(client, post, time_machine):
    time_machine.move_to(datetime(2027, 3, 1, 23, 30, tzinfo=ZoneInfo("Asia/Shanghai")))
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    client.cookies.clear()
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert today_views(post) == (date(2027, 3, 1), 2)
    assert Post.objects.get(pk=post.pk).views == 2


def test_the_day_is_the_sites_local_date(client, post, time_machine):
    # 17:00 UTC is already the next day in Asia/Shanghai.
    time_machine.move_to(datetime(2027, 3, 1, 17, 0, tzinfo=ZoneInfo("UTC")))
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert today_views(post) == (date(2027, 3, 2), 1)


def test_a_reload_and_a_draft_add_no_daily_views(client, author, category, post):
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)  # the cookie skips it
    draft = make_post(author=author, category=category, status=Post.Status.DRAFT)
    client.get(draft.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    assert PostDailyViews.objects.get(post=post).views == 1
    assert not PostDailyViews.objects.filter(post=draft).exists()


def test_imported_views_stay_a_baseline_under_the_daily_rows(client, post):
    Post.objects.filter(pk=post.pk).update(views=5000)  # as an import sets it
    client.get(post.get_absolute_url(), HTTP_USER_AGENT=BROWSER)
    post.refresh_from_db()
    assert post.views == 5001
    assert PostDailyViews.objects.get(post=post).views == 1  # the series starts today


def test_concurrent_views_raise_todays_row_and_the_total_by_exactly_n(gunicorn_server, post):
    """N concurrent counted views through several workers: today's row +N, the total +N."""
    Post.objects.filter(pk=post.pk).update(views=1000)
    requests = 200
    url = gunicorn_server.url + post.get_absolute_url()

    def read(_):
        with urlopen(Request(url, headers={"User-Agent": BROWSER}), timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=32) as pool:
        statuses = list(pool.map(read, range(requests)))
    assert statuses == [200] * requests
    assert Post.objects.get(pk=post.pk).views == 1000 + requests
    rows = list(PostDailyViews.objects.filter(post=post).values_list("views", flat=True))
    assert sum(rows) == requests and len(rows) <= 2  # two only if midnight passed meanwhile
