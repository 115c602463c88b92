"""The author's dashboard: readers per day as a chart, top posts, comments, CSV of the counts."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone

from blog.models import Post, PostDailyViews
from tests.factories import make_comment, make_post, make_user


@pytest.fixture
def admin_client(client, author):
    client.force_login(author)
    return client


@pytest.fixture
def counted(post, author, category):
    today = timezone.localdate()
    other = make_post(author=author, category=category, title="另一篇")
    PostDailyViews.objects.create(post=post, day=today, views=7)
    PostDailyViews.objects.create(post=post, day=today - timedelta(days=40), views=3)
    PostDailyViews.objects.create(post=other, day=today - timedelta(days=1), views=11)
    # `post` had 5000 imported views before daily counting: the baseline.
    Post.objects.filter(pk=post.pk).update(views=5000 + 10)
    Post.objects.filter(pk=other.pk).update(views=11)
    return post, other


def test_dashboard_charts_views_per_day_and_marks_the_baseline(admin_client, counted):
    html = admin_client.get("/admin/blog/postdailyviews/").content.decode()
    assert '<svg class="desk-chart"' in html
    assert html.count("<rect x=") == 60  # 30 days of views, 30 of comments
    assert "本期共 18 次" in html  # 7 + 11; the 40-day-old row is outside 30 days
    assert "另有 5000 次为基线" in html
    assert f"{timezone.localdate():%Y-%m-%d}: 7 次" in html


def test_longer_periods_include_older_days(admin_client, counted):
    html = admin_client.get("/admin/blog/postdailyviews/?days=90").content.decode()
    assert "本期共 21 次" in html
    assert admin_client.get("/admin/blog/postdailyviews/?days=abc").status_code == 200


def test_top_posts_this_week_and_of_all_time(admin_client, counted):
    post, _other = counted
    html = admin_client.get("/admin/blog/postdailyviews/").content.decode()
    week = html.split("本周最多阅读")[1].split("累计最多阅读")[0]
    assert week.index("另一篇") < week.index(post.title)
    all_time = html.split("累计最多阅读")[1]
    assert all_time.index(post.title) < all_time.index("另一篇")


def test_dashboard_shows_waiting_and_newest_comments(admin_client, post):
    make_comment(post, status="pending", body="等审核的 $x$")
    html = admin_client.get("/admin/blog/postdailyviews/").content.decode()
    assert "1 条等待审核" in html and "等审核的 $x$" in html


def test_csv_download_lists_each_post_and_day(admin_client, counted):
    post, _other = counted
    response = admin_client.get("/admin/blog/postdailyviews/daily.csv?days=365")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == ["date", "post_id", "title", "views"]
    assert len(rows) == 4
    assert [str(post.pk), post.title, "7"] == rows[-1][1:]


def test_dashboard_needs_a_staff_login_with_rights(client, db):
    assert client.get("/admin/blog/postdailyviews/").status_code == 302
    client.force_login(make_user(is_staff=True))
    assert client.get("/admin/blog/postdailyviews/").status_code == 403
