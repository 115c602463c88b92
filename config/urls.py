from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path
from django.utils.functional import lazy

from blog.sitemaps import SITEMAPS as BLOG_SITEMAPS
from blog.views import RobotsView
from config.views import healthz, switch_language
from core import site
from core import views as core_views
from core.pagecache import cached_view
from pages.sitemaps import PageSitemap

# The blog's sections of sitemap.xml, and the standalone pages'.
SITEMAPS = {**BLOG_SITEMAPS, "pages": PageSitemap}

# The admin's header follows the site settings row (read when a page is drawn).
admin.site.site_header = admin.site.site_title = lazy(lambda: site.identity().name, str)()

urlpatterns = [
    path(settings.ADMIN_URL, admin.site.urls),
    path("sitemap.xml", cached_view(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
    path("robots.txt", RobotsView.as_view(), name="robots"),
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("icon.svg", core_views.icon_svg, name="icon_svg"),
    path("icon-<int:size>.png", core_views.icon_png, name="icon_png"),
    path("manifest.webmanifest", core_views.manifest, name="manifest"),
    path("language/<str:code>/", switch_language, name="switch_language"),
    path("", include("media.urls")),
    path("", include("comments.urls")),
    path("", include("blog.urls")),
    # After the blog: /content.html is the blog's, any other /<slug>.html a page.
    path("", include("pages.urls")),
]

handler404 = "config.views.page_not_found"
