from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.template.defaultfilters import filesizeformat
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import views
from .models import MediaFile
from .services import Rejected, store_file


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that takes several files (Django's documented way)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "media-drop"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(MultipleFileField, self).clean(item, initial) for item in data]
        return [super().clean(data, initial)]


class UploadForm(forms.Form):
    files = MultipleFileField(
        label=_("文件"),
        help_text=_("可一次选多个文件，或直接拖到这里。图片会自动生成多种尺寸。"),
    )
    caption = forms.CharField(label=_("说明"), max_length=300, required=False)


@admin.register(MediaFile)
class MediaFileAdmin(admin.ModelAdmin):
    list_display = ["preview", "original_name", "kind", "size_shown", "dimensions", "uploaded_at"]
    list_display_links = ["preview", "original_name"]
    list_filter = ["kind", "uploaded_at"]
    search_fields = ["original_name", "caption"]
    date_hierarchy = "uploaded_at"
    fields = [
        "preview",
        "original_name",
        "caption",
        "markdown",
        "sizes",
        "size_shown",
        "content_type",
        "uploaded_at",
        "uploaded_by",
        "used_by",
    ]
    # A stored file's bytes never change (its name is their hash): only the caption is edited.
    readonly_fields = [name for name in fields if name != "caption"]

    class Media:
        css = {"all": ["media/media-admin.css"]}

    def get_urls(self):
        # The editor's JSON endpoints answer 403 in JSON rather than the admin's login page.
        return [
            path("upload.json", views.upload, name="media_mediafile_upload_json"),
            path("pictures.json", views.library, name="media_mediafile_pictures_json"),
            *super().get_urls(),
        ]

    @admin.display(description=_("预览"))
    def preview(self, media):
        if media.is_image:
            return format_html(
                '<img src="{}" alt="" class="media-thumbnail" loading="lazy">',
                media.thumbnail_url(),
            )
        return format_html('<a href="{}">{}</a>', media.url, gettext("打开"))

    @admin.display(description=_("大小"), ordering="size")
    def size_shown(self, media):
        return filesizeformat(media.size)

    @admin.display(description=_("尺寸"))
    def dimensions(self, media):
        return f"{media.width} × {media.height}" if media.width else "—"

    @admin.display(description=_("插入文章"))
    def markdown(self, media):
        text = f"![{media.caption}]({media.url})" if media.is_image else f"[{media}]({media.url})"
        return format_html('<code class="media-markdown">{}</code>', text)

    @admin.display(description=_("生成的尺寸"))
    def sizes(self, media):
        if not media.variants:
            return "—"
        return format_html_join(
            ", ", '<a href="{}">{}w</a>', ((url, width) for url, width in media.srcset())
        )

    @admin.display(description=_("使用它的文章与页面"))
    def used_by(self, media):
        links = self._links_to_users(media)
        if not links:
            return gettext("没有文章或页面使用")
        return links

    def _links_to_users(self, media):
        """Links to the admin of every post, then every page, whose body names the file."""
        users = [
            *(("admin:blog_post_change", post) for post in media.posts_using()),
            *(("admin:pages_page_change", page) for page in media.pages_using()),
        ]
        return format_html_join(
            "、",
            '<a href="{}">《{}》</a>',
            ((reverse(change, args=[user.pk]), user.title) for change, user in users),
        )

    def add_view(self, request, form_url="", extra_context=None):
        """Several files at once, chosen or dropped; each is checked and stored on its own."""
        if not self.has_add_permission(request):
            return redirect("admin:media_mediafile_changelist")
        form = UploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            stored = 0
            for uploaded in form.cleaned_data["files"]:
                try:
                    store_file(
                        uploaded,
                        name=uploaded.name,
                        caption=form.cleaned_data["caption"],
                        uploaded_by=request.user,
                    )
                    stored += 1
                except Rejected as error:
                    messages.error(
                        request,
                        gettext("“%(name)s”未上传：%(reason)s")
                        % {"name": uploaded.name, "reason": error.message},
                    )
            if stored:
                messages.success(request, gettext("已上传 %(count)d 个文件。") % {"count": stored})
            return redirect("admin:media_mediafile_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("上传图片与文件"),
            "form": form,
            "opts": self.model._meta,
            "max_size": filesizeformat(settings.MEDIA_MAX_UPLOAD_BYTES),
        }
        return TemplateResponse(request, "admin/media/mediafile/upload.html", context)

    def get_deleted_objects(self, objs, request):
        """Warn, before deleting, about every post or page that still shows one of these files."""
        confirming = request.method == "GET" or (
            request.method == "POST" and "post" not in request.POST
        )
        if confirming:
            for media in objs:
                links = self._links_to_users(media)
                if links:
                    messages.warning(
                        request,
                        format_html(
                            "{} {}",
                            gettext(
                                "“%(name)s”仍被这些文章或页面使用，删除后其中的图片或链接会失效："
                            )
                            % {"name": media},
                            links,
                        ),
                    )
        return super().get_deleted_objects(objs, request)
