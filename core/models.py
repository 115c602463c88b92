"""The one row the page cache is keyed on (see core/content_version.py)."""

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


class MathStylesheet(models.Model):
    """The one stylesheet of every formula typeset on the server (core/mathjax/stylesheet.py).

    Formulas typeset by MathJax need CSS rules for the characters and constructs they use;
    the site keeps the union of them all, so every page links one stylesheet that the
    browser caches across pages, named by a digest of its content.
    """

    css = models.TextField(default="")
    digest = models.CharField(max_length=16, default="")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("公式样式表")
        verbose_name_plural = _("公式样式表")

    def __str__(self):
        return self.digest
