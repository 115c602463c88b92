"""Third-party apps under a Chinese name in the admin's sidebar."""

from axes.apps import AppConfig as BaseAxesConfig
from django.utils.translation import gettext_lazy as _


class AxesConfig(BaseAxesConfig):
    # django-axes gives its app no verbose name, so the sidebar read "AXES".
    verbose_name = _("登录保护")
