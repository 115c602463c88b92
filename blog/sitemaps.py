"""sitemap.xml: the home page and every published post, with absolute links on SITE_URL."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from .models import Post


class SiteUrlSitemap(Sitemap):
    """Build links on SITE_URL rather than on whatever Host header the request carried."""

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PostSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.8
    limit = 5000

    def items(self):
        return Post.objects.published().only("id", "updated_at").order_by("-id")

    def lastmod(self, post):
        return post.updated_at


class StaticPagesSitemap(SiteUrlSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["blog:home", "blog:content"]

    def location(self, name):
        return reverse(name)


SITEMAPS = {"posts": PostSitemap, "pages": StaticPagesSitemap}
