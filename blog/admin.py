from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST
from reversion.admin import VersionAdmin

from core.admin import PublishedAtBoxesMixin
from core.guards import as_id
from core.mathjax.status import math_status

from . import editor, revisions
from .models import Category, Post, Tag

revisions.register()


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
class PostAdmin(PublishedAtBoxesMixin, editor.EditorAdminMixin, VersionAdmin):
    list_display = [
        "title",
        "status_shown",
        "category",
        "body_format",
        "is_pinned",
        "views",
        "comment_count",
        "updated_at",
    ]
    list_filter = [
        "status",
        "body_format",
        "is_pinned",
        "comments_open",
        "category",
        "published_at",
    ]
    search_fields = ["title", "body"]
    date_hierarchy = "published_at"
    # Django's two-list tag picker: labelled, usable by keyboard and screen reader (the
    # select2 autocomplete leaves its search box unlabelled).
    filter_horizontal = ["tags"]
    readonly_fields = ["math_status", "views", "updated_at"]
    list_select_related = ["author", "category"]
    fields = [
        "title",
        "body_format",
        "body",
        "math_status",
        "category",
        "tags",
        "status",
        "published_at",
        "is_pinned",
        "comments_open",
        "author",
        "views",
        "updated_at",
    ]
    change_form_template = "admin/blog/post/change_form.html"
    object_history_template = "admin/blog/post/object_history.html"

    @admin.display(description=_("公式排版"))
    def math_status(self, post):
        return math_status(post)

    @admin.display(description=_("状态"), ordering="status")
    def status_shown(self, post):
        if post.status == Post.Status.PUBLISHED and post.published_at > timezone.now():
            when = timezone.localtime(post.published_at).strftime("%Y-%m-%d %H:%M")
            return format_html('<span class="scheduled">{}</span>', _("定时 %s") % when)
        return post.get_status_display()

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        initial.setdefault("author", request.user.pk)
        return initial

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("preview/", view(self.preview_view), name="blog_post_preview"),
            *self.editor_urls(),
            path("autosave/", view(self.autosave_view), name="blog_post_autosave_new"),
            path("<int:object_id>/autosave/", view(self.autosave_view), name="blog_post_autosave"),
            path(
                "<int:object_id>/history/<str:kind>/<int:entry_id>/diff/",
                view(self.diff_view),
                name="blog_post_history_diff",
            ),
            path(
                "<int:object_id>/history/<str:kind>/<int:entry_id>/restore/",
                view(self.restore_view),
                name="blog_post_history_restore",
            ),
            *super().get_urls(),
        ]

    # The editor.

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        post = obj if obj is not None and obj.pk else None
        slot = revisions.unsaved_autosave(author=request.user, post=post)
        context.update(
            editor.change_form_context(
                frame_url=reverse("admin:blog_post_editor_frame"),
                render_url=reverse("admin:blog_post_editor_render"),
                autosave_url=reverse("admin:blog_post_autosave", args=[post.pk])
                if post
                else reverse("admin:blog_post_autosave_new"),
                history_url=reverse("admin:blog_post_history", args=[post.pk]) if post else "",
                autosave={
                    "title": slot.title,
                    "body": slot.body,
                    "saved_at": timezone.localtime(slot.saved_at).strftime("%Y-%m-%d %H:%M:%S"),
                }
                if slot
                else None,
            )
        )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if obj.math_error:
            self.message_user(request, math_status(obj), messages.WARNING)
        # What was autosaved is in the post now (for a new post, the slot had no post yet).
        revisions.discard_autosave(author=request.user, post=obj)
        if not change:
            revisions.discard_autosave(author=request.user, post=None)

    @method_decorator(require_POST)
    def autosave_view(self, request, object_id=None):
        """Keep the text being typed in the author's autosave slot; the post is not touched."""
        post = None
        if object_id is not None:
            post = get_object_or_404(Post, pk=object_id)
            if not self.has_change_permission(request, post):
                raise PermissionDenied
        elif not self.has_add_permission(request):
            raise PermissionDenied
        body = request.POST.get("body", "")
        if len(body) > editor.MAX_BODY:
            return HttpResponseBadRequest(gettext("正文太长。"))
        slot = revisions.autosave(
            author=request.user, post=post, title=request.POST.get("title", ""), body=body
        )
        saved_at = timezone.localtime(slot.saved_at).strftime("%H:%M:%S")
        return JsonResponse({"saved_at": saved_at})

    # History: explicit saves and the autosave slot, with a diff and a restore for each.

    def history_view(self, request, object_id, extra_context=None):
        post = self._post_or_404(request, object_id, change=False)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": post,
            "title": gettext("《%s》的修订历史") % post.title,
            "entries": revisions.timeline(post),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        # django-reversion's own revert rewrites the whole row (the reader count with it):
        # send its links to our diff page, whose restore writes the text only.
        return redirect("admin:blog_post_history_diff", as_id(object_id), "save", as_id(version_id))

    def recover_view(self, request, version_id, extra_context=None):
        # django-reversion passes the id on as text; one past 2^63 - 1 would fail its query.
        return super().recover_view(request, str(as_id(version_id)), extra_context)

    def diff_view(self, request, object_id, kind, entry_id):
        post = self._post_or_404(request, object_id, change=False)
        entry = revisions.find_entry(post, kind, entry_id)
        if entry is None:
            raise Http404
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "object": post,
            "entry": entry,
            "title": gettext("与当前文章比较"),
            "diff": revisions.diff_table(entry, post),
            "can_restore": self.has_change_permission(request, post),
        }
        return TemplateResponse(request, "admin/blog/post/revision_diff.html", context)

    @method_decorator(require_POST)
    def restore_view(self, request, object_id, kind, entry_id):
        post = self._post_or_404(request, object_id, change=True)
        entry = revisions.find_entry(post, kind, entry_id)
        if entry is None:
            raise Http404
        revisions.restore(post=post, entry=entry, user=request.user)
        when = timezone.localtime(entry.at).strftime("%Y-%m-%d %H:%M")
        self.message_user(request, gettext("已恢复到 %s 的版本。") % when, messages.SUCCESS)
        return redirect("admin:blog_post_change", post.pk)

    def _post_or_404(self, request, object_id, *, change):
        post = get_object_or_404(Post, pk=as_id(object_id))
        allowed = (
            self.has_change_permission(request, post)
            if change
            else self.has_view_or_change_permission(request, post)
        )
        if not allowed:
            raise PermissionDenied
        return post

    # The plain preview (no JavaScript needed): the body rendered into a frame.

    @method_decorator(xframe_options_sameorigin)
    def preview_view(self, request):
        """Show the body as the post page will, rendered by the same code."""
        if not self.has_view_or_change_permission(request):
            return render(request, "admin/blog/post/preview.html", status=403)
        body_format = request.POST.get("body_format", Post.Format.MARKDOWN)
        if body_format not in Post.Format.values:
            body_format = Post.Format.MARKDOWN
        body_html, _excerpt = Post(
            body=request.POST.get("body", ""), body_format=body_format
        ).render_body()
        return render(
            request,
            "admin/blog/post/preview.html",
            {"title": request.POST.get("title", "") or _("（无标题）"), "body_html": body_html},
        )
