from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from blog.sitemaps import SITEMAPS as BLOG_SITEMAPS
from blog.views import RobotsView
from config.views import healthz, switch_language
from core.pagecache import cached_view
from pages.sitemaps import PageSitemap

# The blog's sections of sitemap.xml, and the standalone pages'.
SITEMAPS = {**BLOG_SITEMAPS, "pages": PageSitemap}

admin.site.site_header = admin.site.site_title = settings.SITE_NAME

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", cached_view(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("healthz", healthz, name="healthz"),
    path("language/<str:code>/", switch_language, name="switch_language"),
    path("", include("media.urls")),
    path("", include("comments.urls")),
    path("", include("blog.urls")),
    # After the blog: /content.html is the blog's, any other /<slug>.html a page.
    path("", include("pages.urls")),
]

handler404 = "config.views.page_not_found"
