"""The dashboard: readers per day, top posts, comments, and the daily counts as CSV.

It lives on the admin page of the daily counts (the sidebar's 读者统计), so it appears where an
author looks, with the admin's login and permissions.
"""

import csv
from datetime import timedelta
from itertools import chain

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _

from blog.models import PostDailyViews

from . import charts, stats


class _Echo:
    def write(self, value):
        return value


@admin.register(PostDailyViews)
class DashboardAdmin(admin.ModelAdmin):
    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("", view(self.dashboard_view), name="desk_dashboard"),
            path("daily.csv", view(self.csv_view), name="desk_dashboard_csv"),
        ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _days(self, request):
        try:
            days = int(request.GET.get("days", 30))
        except ValueError:
            days = 30
        return days if days in stats.PERIODS else 30

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = self._days(request)
        views = stats.views_per_day(days)
        comments = stats.comments_per_day(days)
        today = timezone.localdate()
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("读者与评论"),
            "days": days,
            "periods": stats.PERIODS,
            "views_chart": charts.bar_chart(
                views, label=_("最近 %(days)d 天每天的阅读次数") % {"days": days}, unit=_("次")
            ),
            "views_in_period": sum(value for _, value in views),
            "comments_chart": charts.bar_chart(
                comments, label=_("最近 %(days)d 天每天的评论数") % {"days": days}, unit=_("条")
            ),
            "comments_in_period": sum(value for _, value in comments),
            "top_week": stats.top_posts_since(today - timedelta(days=6)),
            "top_all_time": stats.top_posts_all_time(),
            "totals": stats.totals(),
            "first_counted_day": stats.first_counted_day(),
            "waiting": stats.waiting_comments(),
            "newest_comments": stats.newest_comments(),
        }
        return TemplateResponse(request, "admin/desk/dashboard.html", context)

    def csv_view(self, request):
        """The daily counts of every post over the chosen period, one row per post and day."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = self._days(request)
        since = timezone.localdate() - timedelta(days=days - 1)
        writer = csv.writer(_Echo())
        header = [("date", "post_id", "title", "views")]
        counts = ((f"{d:%Y-%m-%d}", p, t, v) for d, p, t, v in stats.daily_rows(since))
        rows = (writer.writerow(row) for row in chain(header, counts))
        response = StreamingHttpResponse(rows, content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="daily-views-{days}d.csv"'
        return response
