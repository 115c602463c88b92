from django.conf import settings
from django.core.files.storage import default_storage
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from blog.models import Post
from pages.models import Page


class MediaFileQuerySet(models.QuerySet):
    def images(self):
        return self.filter(kind=MediaFile.Kind.IMAGE)

    def for_url(self, url):
        """The file a URL of its original or of one of its sizes points to, if any."""
        name = url.split("?", 1)[0].split("#", 1)[0].rstrip("/").rsplit("/", 1)[-1]
        if not name or "." not in name:
            return self.none()
        # Sizes are named after their original: <digest>-<stem>-<width>w.<ext>.
        digest = name.split("-", 1)[0]
        return self.filter(sha256__startswith=digest) if len(digest) == 16 else self.none()


class MediaFile(models.Model):
    """An uploaded picture or document, stored under a name made from its content's hash."""

    class Kind(models.TextChoices):
        IMAGE = "image", _("图片")
        DOCUMENT = "document", _("文档")

    file = models.FileField(_("文件"), max_length=255, unique=True)
    original_name = models.CharField(_("原文件名"), max_length=255)
    caption = models.CharField(
        _("说明"),
        max_length=300,
        blank=True,
        help_text=_("插入文章时作为图片的替代文字和图注。"),
    )
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    content_type = models.CharField(_("内容类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    width = models.PositiveIntegerField(_("宽"), null=True, blank=True)
    height = models.PositiveIntegerField(_("高"), null=True, blank=True)
    # Of the bytes as stored (after cleaning), so uploading the same picture twice finds it.
    sha256 = models.CharField(max_length=64, unique=True, editable=False)
    # The smaller sizes made at upload: [{"name", "width", "height"}], widest first.
    variants = models.JSONField(default=list, editable=False)
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("上传者"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = MediaFileQuerySet.as_manager()

    class Meta:
        verbose_name = _("图片或文件")
        verbose_name_plural = _("图片与文件")
        ordering = ["-uploaded_at", "-id"]

    def __str__(self):
        return self.original_name

    @property
    def url(self):
        return self.file.url

    @property
    def is_image(self):
        return self.kind == self.Kind.IMAGE

    def stored_names(self):
        return [self.file.name, *(variant["name"] for variant in self.variants)]

    def srcset(self):
        """(url, width) of every size of the picture, the original last."""
        sizes = [(default_storage.url(v["name"]), v["width"]) for v in reversed(self.variants)]
        if self.width:
            sizes.append((self.url, self.width))
        return sizes

    def thumbnail_url(self):
        return default_storage.url(self.variants[-1]["name"]) if self.variants else self.url

    def posts_using(self):
        """The posts whose body names this file (its original or any of its sizes)."""
        return Post.objects.filter(body__contains=self._name_prefix()).order_by("-published_at")

    def pages_using(self):
        """The standalone pages (About, Links...) whose body names this file."""
        return Page.objects.filter(body__contains=self._name_prefix()).order_by("title")

    def _name_prefix(self):
        # Every stored name starts with the same 16 hex digits of the content's hash, which
        # read the same in a URL whether the rest of the name is percent-encoded or not.
        return f"{self.sha256[:16]}-"


@receiver(post_delete, sender=MediaFile)
def delete_stored_files(sender, instance, **kwargs):
    """Remove the bytes once the row is surely gone (a rolled-back delete keeps both)."""
    names = instance.stored_names()
    transaction.on_commit(lambda: [default_storage.delete(name) for name in names])
