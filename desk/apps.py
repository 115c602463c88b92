from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeskConfig(AppConfig):
    """The author's desk in the admin: readers and comments day by day."""

    name = "desk"
    verbose_name = _("写作台")
