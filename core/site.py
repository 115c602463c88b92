"""The site's identity: name, description, licence, citation key, reprint note, tip codes, footer.

The author edits it in the admin (one SiteSettings row); the environment (settings.SITE_*)
gives the values until then, and for any field left empty. Saving the row changes the
content version (PAGE_CACHE_INVALIDATED_BY), so every cached page shows the change at once.
"""

from dataclasses import dataclass

from django.conf import settings

from .models import SiteSettings

ROW_ID = 1


@dataclass(frozen=True)
class Identity:
    name: str
    description: str
    license_name: str
    license_url: str
    citation_key: str
    reprint_note: str
    reprint_link: str
    reprint_link_title: str
    tip_wechat_url: str
    tip_alipay_url: str
    footer_text: str
    icon_name: str  # the uploaded icon's file name in storage, "" for the generated one
    theme_color: str

    @property
    def has_tips(self):
        return bool(self.tip_wechat_url or self.tip_alipay_url)


def row() -> SiteSettings:
    """The settings row, created with the environment's values the first time it is asked for."""
    found, _created = SiteSettings.objects.get_or_create(pk=ROW_ID, defaults=_from_environment())
    return found


def identity() -> Identity:
    """The site's identity as readers see it now (one query)."""
    stored = SiteSettings.objects.filter(pk=ROW_ID).first() or SiteSettings()
    env = _from_environment()

    def value(name):
        return getattr(stored, name) or env.get(name, "")

    return Identity(
        name=value("name"),
        description=value("description"),
        license_name=value("license_name"),
        license_url=value("license_url"),
        citation_key=value("citation_key"),
        reprint_note=stored.reprint_note,
        reprint_link=stored.reprint_link,
        reprint_link_title=stored.reprint_link_title,
        tip_wechat_url=stored.tip_wechat.url if stored.tip_wechat else "",
        tip_alipay_url=stored.tip_alipay.url if stored.tip_alipay else "",
        footer_text=stored.footer_text,
        icon_name=stored.icon.name if stored.icon else "",
        theme_color=stored.theme_color or SiteSettings._meta.get_field("theme_color").default,
    )


def _from_environment():
    return {
        "name": settings.SITE_NAME,
        "description": settings.SITE_DESCRIPTION,
        "license_name": settings.SITE_LICENSE_NAME,
        "license_url": settings.SITE_LICENSE_URL,
        "citation_key": settings.SITE_CITATION_KEY,
    }
