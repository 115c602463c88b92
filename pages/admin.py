from django.contrib import admin, messages
from django.shortcuts import render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from blog import bodies, editor
from core.admin import PublishedAtBoxesMixin
from core.mathjax.status import math_status

from .models import Page


@admin.register(Page)
class PageAdmin(PublishedAtBoxesMixin, editor.EditorAdminMixin, admin.ModelAdmin):
    list_display = [
        "title",
        "slug",
        "status",
        "order",
        "in_navigation",
        "comments_open",
        "comment_count",
        "updated_at",
    ]
    list_editable = ["order", "in_navigation"]
    list_filter = ["status", "in_navigation", "comments_open"]
    search_fields = ["title", "slug", "body"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["math_status", "updated_at"]
    fields = [
        "title",
        "slug",
        "body_format",
        "body",
        "math_status",
        "status",
        "order",
        "in_navigation",
        "comments_open",
        "published_at",
        "author",
        "updated_at",
    ]
    change_form_template = "admin/pages/page/change_form.html"

    @admin.display(description=_("公式排版"))
    def math_status(self, page):
        return math_status(page)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.math_error:
            self.message_user(request, math_status(obj), messages.WARNING)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="pages_page_preview"),
            *self.editor_urls(),
            *super().get_urls(),
        ]

    # The body is written in the posts' editor, with its live preview; a page keeps no
    # autosaved draft and no revisions of its own.

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context.update(
            editor.change_form_context(
                frame_url=reverse("admin:pages_page_editor_frame"),
                render_url=reverse("admin:pages_page_editor_render"),
            )
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    @method_decorator(xframe_options_sameorigin)
    def preview_view(self, request):
        """Show the body as the page will, rendered by the same code as posts."""
        if not self.has_view_or_change_permission(request):
            return render(request, "admin/blog/post/preview.html", status=403)
        body_format = request.POST.get("body_format", Page.Format.MARKDOWN)
        if body_format not in Page.Format.values:
            body_format = Page.Format.MARKDOWN
        body_html, _excerpt = bodies.render_body(request.POST.get("body", ""), body_format)
        return render(
            request,
            "admin/blog/post/preview.html",
            {"title": request.POST.get("title", "") or _("（无标题）"), "body_html": body_html},
        )
