"""One-row tables: the content version the page cache is keyed on, and the site's settings."""

from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentVersion(models.Model):
    """One row whose number changes whenever anything readers see changes.

    Cached pages are keyed by this number, so a write that changes it (in its own
    transaction) retires every cached page at once, in every process.
    """

    number = models.BigIntegerField(default=1)
    # The earliest moment something scheduled becomes public: when it passes, the number is
    # changed by the first request that notices, since no write will.
    next_change_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("内容版本")
        verbose_name_plural = _("内容版本")

    def __str__(self):
        return str(self.number)


class SiteSettings(models.Model):
    """The site's identity as the author edits it in the admin: one row (core/site.py reads it).

    Until the row exists, the environment's values (settings.SITE_*) stand in for it; an
    empty field falls back to its environment value too.
    """

    name = models.CharField(_("站点名称"), max_length=100, blank=True)
    description = models.CharField(
        _("站点描述"), max_length=300, blank=True, help_text=_("显示在站名下方和搜索结果中。")
    )
    license_name = models.CharField(
        _("许可协议"), max_length=100, blank=True, help_text=_("如 CC BY-NC-ND 4.0。")
    )
    license_url = models.URLField(_("协议全文链接"), blank=True)
    citation_key = models.SlugField(
        _("引用键前缀"),
        max_length=50,
        blank=True,
        help_text=_("BibTeX 引用键的前缀，如 kexuefm 得到 @online{kexuefm-42, …}。"),
    )
    reprint_note = models.TextField(
        _("转载说明"),
        blank=True,
        help_text=_("显示在每篇文章末尾的引用框中；留空则只显示许可协议。"),
    )
    reprint_link = models.CharField(
        _("转载事宜页面"),
        max_length=200,
        blank=True,
        help_text=_("更详细的转载说明所在的网址，如 /faq.html。"),
    )
    reprint_link_title = models.CharField(
        _("转载事宜页面标题"), max_length=100, blank=True, help_text=_("如“科学空间 FAQ”。")
    )
    tip_wechat = models.ImageField(_("微信打赏二维码"), upload_to="site/", blank=True)
    tip_alipay = models.ImageField(_("支付宝打赏二维码"), upload_to="site/", blank=True)
    footer_text = models.TextField(
        _("页脚文字"), blank=True, help_text=_("显示在每页底部，如备案号；纯文本。")
    )
    icon = models.ImageField(
        _("站点图标"),
        upload_to="site/",
        blank=True,
        help_text=_("正方形图片，至少 512×512 像素；据此生成 favicon 和各尺寸图标。"),
    )
    theme_color = models.CharField(
        _("主题色"),
        max_length=7,
        default="#1f6fb2",
        validators=[RegexValidator(r"^#[0-9a-fA-F]{6}$", _("请填写 #RRGGBB 形式的颜色。"))],
        help_text=_("浏览器工具栏和默认图标的颜色，如 #1f6fb2。"),
    )
    updated_at = models.DateTimeField(_("最后更新"), auto_now=True)

    class Meta:
        verbose_name = _("站点设置")
        verbose_name_plural = _("站点设置")

    def __str__(self):
        return str(_("站点设置"))
