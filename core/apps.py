from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("站点核心")

    def ready(self):
        from . import content_version, pagecache

        content_version.watch_models()
        pagecache.check_settings()
