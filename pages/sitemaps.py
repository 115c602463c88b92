"""sitemap.xml's section of standalone pages (config/urls.py adds it beside the blog's)."""

from core.sitemaps import SiteUrlSitemap

from .models import Page


class PageSitemap(SiteUrlSitemap):
    changefreq = "monthly"
    priority = 0.6

    def items(self):
        return Page.objects.published().only("slug", "updated_at").order_by("order", "pk")

    def lastmod(self, page):
        return page.updated_at
