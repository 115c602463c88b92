"""sitemap.xml: the blog's pages that hold posts, each with the time its content last changed.

Every section is keyed in SITEMAPS; another app adds its own section there (config/urls.py
serves them all in one sitemap.xml). Links are absolute on SITE_URL.
"""

from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.urls import reverse
from django.utils import timezone

from core.sitemaps import SiteUrlSitemap

from .models import Category, Post, Tag


class PostSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Post.objects.published().only("id", "updated_at").order_by("-id")

    def lastmod(self, post):
        return post.updated_at


class ListingSitemap(SiteUrlSitemap):
    """Listings of posts; an entry's lastmod is the latest update among its public posts."""

    changefreq = "weekly"
    priority = 0.5

    def lastmod(self, item):
        return item.lastmod


class TaxonomySitemap(ListingSitemap):
    model = None  # Category or Tag

    def items(self):
        # The filter on the relation comes before the annotation, so Max() sees public posts only.
        return (
            self.model.objects.filter(posts__in=Post.objects.published())
            .annotate(lastmod=Max("posts__updated_at"))
            .only("slug")
            .order_by("slug")
        )


class CategorySitemap(TaxonomySitemap):
    model = Category


class TagSitemap(TaxonomySitemap):
    model = Tag


class Month:
    """One month's listing, /<yyyy>/<mm>/."""

    def __init__(self, first_day, lastmod):
        self.year, self.month, self.lastmod = first_day.year, first_day.month, lastmod

    def get_absolute_url(self):
        return reverse("blog:month", kwargs={"year": self.year, "month": self.month})


class MonthSitemap(ListingSitemap):
    def items(self):
        months = (
            Post.objects.published()
            .order_by()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(lastmod=Max("updated_at"))
            .order_by("-month")
        )
        return [Month(timezone.localtime(row["month"]), row["lastmod"]) for row in months]


class SitePagesSitemap(SiteUrlSitemap):
    """The home page and the whole-site index: they change whenever any post does."""

    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["blog:home", "blog:content"]

    def location(self, name):
        return reverse(name)

    def lastmod(self, name):
        if not hasattr(self, "_newest_update"):
            self._newest_update = Post.objects.published().aggregate(at=Max("updated_at"))["at"]
        return self._newest_update


SITEMAPS = {
    "site": SitePagesSitemap,
    "posts": PostSitemap,
    "categories": CategorySitemap,
    "tags": TagSitemap,
    "months": MonthSitemap,
}
