"""What earlier imports brought: which item of which source became which object here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedItemQuerySet(models.QuerySet):
    def of(self, source, kind, source_ids):
        """Map these items of one source and kind to their records, by source id."""
        records = self.filter(source=source, kind=kind, source_id__in=[str(i) for i in source_ids])
        return {record.source_id: record for record in records}


class ImportedItem(models.Model):
    """One item of an imported site (a post, a comment) and the object it became here.

    A second import of the same source finds its items here: an item whose fingerprint (a
    hash of what the source said about it) is unchanged is skipped, a changed one updated,
    so re-running an import duplicates nothing and keeps edits made here to unchanged items.
    """

    class Kind(models.TextChoices):
        POST = "post", _("文章")
        COMMENT = "comment", _("评论")
        PAGE = "page", _("页面")
        ATTACHMENT = "attachment", _("附件")

    source = models.CharField(_("来源"), max_length=300)
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    source_id = models.CharField(_("来源中的 id"), max_length=100)
    object_id = models.BigIntegerField(_("本站的 id"))
    fingerprint = models.CharField(max_length=64)
    imported_at = models.DateTimeField(_("导入时间"), auto_now=True)

    objects = ImportedItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("导入记录")
        verbose_name_plural = _("导入记录")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "kind", "source_id"], name="imported_item_unique"
            )
        ]

    def __str__(self):
        return f"{self.source} {self.kind} {self.source_id} → {self.object_id}"
