from django.contrib import admin
from django.shortcuts import render
from django.urls import path
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin

from .models import Category, Post, Tag
from .rendering import render_markdown, strip_more_marker


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ["title", "author", "category", "status", "published_at", "views"]
    list_filter = ["status", "category", "published_at"]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    # Django's two-list tag picker: labelled, usable by keyboard and screen reader (the
    # select2 autocomplete leaves its search box unlabelled).
    filter_horizontal = ["tags"]
    readonly_fields = ["views", "updated_at"]
    list_select_related = ["author", "category"]
    fields = [
        "title",
        "body",
        "category",
        "tags",
        "status",
        "published_at",
        "author",
        "views",
        "updated_at",
    ]
    change_form_template = "admin/blog/post/change_form.html"

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "published_at":
            # The date and time boxes share one label; name each for screen readers.
            date, time = field.widget.widgets
            date.attrs["aria-label"] = _("发布日期")
            time.attrs["aria-label"] = _("发布时刻")
        return field

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def get_urls(self):
        preview = self.admin_site.admin_view(self.preview_view)
        return [path("preview/", preview, name="blog_post_preview"), *super().get_urls()]

    @method_decorator(xframe_options_sameorigin)
    def preview_view(self, request):
        """Show the body as the post page will, rendered by the same code."""
        if not self.has_view_or_change_permission(request):
            return render(request, "admin/blog/post/preview.html", status=403)
        body = request.POST.get("body", "")
        return render(
            request,
            "admin/blog/post/preview.html",
            {
                "title": request.POST.get("title", "") or _("（无标题）"),
                "body_html": render_markdown(strip_more_marker(body)),
            },
        )
