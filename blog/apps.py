from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BlogConfig(AppConfig):
    name = "blog"
    verbose_name = _("博客")

    def ready(self):
        from . import checks  # noqa: F401  (registers them)
