from django.contrib import admin
from django.db import models
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _

from . import site
from .models import SiteSettings


class PublishedAtBoxesMixin:
    """For a ModelAdmin with a `published_at` date and time: Django's split widget gives its
    two boxes one label between them; name each for screen readers."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "published_at":
            date, time = field.widget.widgets
            date.attrs["aria-label"] = _("发布日期")
            time.attrs["aria-label"] = _("发布时刻")
        return field


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    """One row: the list goes straight to it, and it can be neither added nor deleted."""

    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    fieldsets = [
        (None, {"fields": ["name", "description", "footer_text"]}),
        (
            _("版权与引用"),
            {
                "fields": [
                    "license_name",
                    "license_url",
                    "citation_key",
                    "reprint_note",
                    "reprint_link",
                    "reprint_link_title",
                ]
            },
        ),
        (_("打赏"), {"fields": ["tip_wechat", "tip_alipay"]}),
        (_("图标"), {"fields": ["icon", "theme_color"]}),
    ]

    def changelist_view(self, request, extra_context=None):
        return redirect("admin:core_sitesettings_change", site.row().pk)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
