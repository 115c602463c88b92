from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("站点核心")

    def ready(self):
        from . import content_version, pagecache

        content_version.watch_models()
        pagecache.check_settings()
        post_migrate.connect(retire_pages_of_the_previous_code, sender=self)


def retire_pages_of_the_previous_code(using=DEFAULT_DB_ALIAS, **kwargs):
    """Every deploy migrates: pages cached by the code before it must not outlive it.

    A shared (Redis) page cache survives a restart, and its pages were built by the old
    templates and name the old hashed static files; a new content version retires them.
    """
    from . import content_version

    if using == DEFAULT_DB_ALIAS:
        content_version.bump()
