"""The figures on the author's dashboard, each counted in SQL."""

from datetime import timedelta

from django.db.models import Count, Sum
from django.db.models.functions import TruncDate
from django.utils import timezone

from blog.models import Post, PostDailyViews
from comments.models import Comment

PERIODS = (30, 90, 365)


def days_back(days, *, today=None):
    """The `days` dates ending today (the site's local date), oldest first."""
    today = today or timezone.localdate()
    return [today - timedelta(days=offset) for offset in range(days - 1, -1, -1)]


def views_per_day(days, *, today=None):
    """[(date, views)] for each of the last `days` days, days without views included."""
    dates = days_back(days, today=today)
    counted = PostDailyViews.objects.per_day(since=dates[0])
    return [(day, counted.get(day, 0)) for day in dates]


def comments_per_day(days, *, today=None):
    """[(date, comments)] for each of the last `days` days, spam and removed ones left out."""
    dates = days_back(days, today=today)
    start = timezone.make_aware(timezone.datetime.combine(dates[0], timezone.datetime.min.time()))
    rows = (
        Comment.objects.filter(created_at__gte=start)
        .exclude(status__in=[Comment.Status.SPAM, Comment.Status.REMOVED])
        .annotate(day=TruncDate("created_at", tzinfo=timezone.get_current_timezone()))
        .values("day")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counted = {row["day"]: row["n"] for row in rows}
    return [(day, counted.get(day, 0)) for day in dates]


def top_posts_since(since, limit=10):
    """Posts with the most views from `since` on: [{"post_id", "title", "views"}]."""
    return list(
        PostDailyViews.objects.filter(day__gte=since)
        .values("post_id", "post__title")
        .annotate(total=Sum("views"))
        .order_by("-total", "post_id")[:limit]
    )


def top_posts_all_time(limit=10):
    """Posts with the most views ever, each with its baseline (views before daily counts)."""
    posts = list(Post.objects.order_by("-views", "-id").only("id", "title", "views")[:limit])
    daily = dict(
        PostDailyViews.objects.filter(post__in=posts)
        .values("post_id")
        .annotate(total=Sum("views"))
        .values_list("post_id", "total")
    )
    for post in posts:
        post.daily_total = daily.get(post.pk, 0)
        post.baseline = max(post.views - post.daily_total, 0)
    return posts


def totals():
    """All-time views, the part counted day by day, and the baseline before or imported."""
    all_time = Post.objects.aggregate(n=Sum("views"))["n"] or 0
    daily = PostDailyViews.objects.aggregate(n=Sum("views"))["n"] or 0
    return {"all_time": all_time, "daily": daily, "baseline": max(all_time - daily, 0)}


def first_counted_day():
    return PostDailyViews.objects.order_by("day").values_list("day", flat=True).first()


def waiting_comments():
    return Comment.objects.filter(status=Comment.Status.PENDING).count()


def newest_comments(limit=10):
    return list(
        Comment.objects.exclude(status=Comment.Status.REMOVED)
        .select_related("post")
        .order_by("-created_at", "-pk")[:limit]
    )


def daily_rows(since):
    """(date, post id, title, views) rows from `since` on, for the CSV download."""
    return (
        PostDailyViews.objects.filter(day__gte=since)
        .order_by("day", "post_id")
        .values_list("day", "post_id", "post__title", "views")
        .iterator(chunk_size=2000)
    )
