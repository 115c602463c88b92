from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import models
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from core.guards import as_id
from core.mathjax.status import math_status
from core.network import client_ip

from . import services
from .models import Comment
from .rendering import UnrenderableComment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "author_name",
        "author_email",
        "text",
        "post_link",
        "answers",
        "status",
        "held_reason",
        "created_at",
        "ip_address",
    ]
    list_filter = [
        "status",
        "held_reason",
        ("post", admin.RelatedOnlyFieldListFilter),
        ("page", admin.RelatedOnlyFieldListFilter),
        "created_at",
    ]
    search_fields = ["author_name", "author_email", "body", "ip_address"]
    list_select_related = ["post", "page", "parent"]
    date_hierarchy = "created_at"
    actions = ["approve", "mark_spam", "remove"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "post",
        "page",
        "parent",
        "ip_address",
        "user_agent",
        "user",
        "is_post_author",
        "held_reason",
        "created_at",
        "math_status",
    ]
    fields = [
        "post",
        "page",
        "parent",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "math_status",
        "status",
        "held_reason",
        "notify_on_reply",
        "is_post_author",
        "user",
        "ip_address",
        "user_agent",
        "created_at",
    ]

    @admin.display(description=_("公式排版"))
    def math_status(self, comment):
        return math_status(comment)

    @admin.display(description=_("评论"))
    def text(self, comment):
        # The stored plain-text snippet (comments/snippets.py): math readable, never cut inside.
        return comment.snippet

    @admin.display(description=_("文章或页面"), ordering="post__title")
    def post_link(self, comment):
        target = comment.target
        return format_html('<a href="{}">{}</a>', target.get_absolute_url(), target)

    @admin.display(description=_("回复的评论"))
    def answers(self, comment):
        if comment.parent is None:
            return "—"
        return format_html(
            '<a href="{}" title="{}">@{}</a>',
            reverse("admin:comments_comment_change", args=[comment.parent_id]),
            comment.parent.readable_text(80),
            comment.parent.author_name,
        )

    def get_urls(self):
        reply = self.admin_site.admin_view(self.reply_view)
        return [
            path("<int:object_id>/reply/", reply, name="comments_comment_reply"),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            "reply_url": reverse("admin:comments_comment_reply", args=[as_id(object_id)]),
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @method_decorator(require_POST)
    def reply_view(self, request, object_id):
        """Answer a comment as the logged-in author, through the same service as the site form."""
        comment = get_object_or_404(Comment.objects.select_related("post", "page"), pk=object_id)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        body = request.POST.get("body", "")
        try:
            posted = services.reply_as_staff(
                comment=comment,
                user=request.user,
                body=body,
                ip_address=client_ip(request),
                user_agent=request.headers.get("User-Agent", ""),
            )
        except (services.CommentRejected, UnrenderableComment) as error:
            context = {
                **self.admin_site.each_context(request),
                "original": comment,
                "reply_body": body,
                "error": getattr(error, "message", str(error)),
                "reply_url": request.path,
                "title": gettext("回复评论"),
                "opts": self.opts,
            }
            return render(request, "admin/comments/comment/reply_error.html", context, status=400)
        self.message_user(
            request,
            gettext("回复已发表：%(url)s") % {"url": posted.comment.get_absolute_url()},
            messages.SUCCESS,
        )
        return redirect("admin:comments_comment_change", comment.pk)

    def has_add_permission(self, request):
        # Comments enter through the site's form and its service, which keeps the trees valid.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)  # save() re-renders the HTML
        services.comment_edited(comment=obj)

    def delete_model(self, request, obj):
        services.delete_comments(comments=Comment.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.delete_comments(comments=queryset)

    def _moderate(self, request, queryset, status, done_message):
        count = services.moderate(comments=queryset, status=status)
        self.message_user(request, done_message(count), messages.SUCCESS)

    @admin.action(description=_("通过所选评论"))
    def approve(self, request, queryset):
        self._moderate(
            request,
            queryset,
            Comment.Status.APPROVED,
            lambda n: ngettext("已通过 %d 条评论。", "已通过 %d 条评论。", n) % n,
        )

    @admin.action(description=_("标记为垃圾评论"))
    def mark_spam(self, request, queryset):
        self._moderate(
            request,
            queryset,
            Comment.Status.SPAM,
            lambda n: (
                ngettext("已将 %d 条评论标记为垃圾评论。", "已将 %d 条评论标记为垃圾评论。", n) % n
            ),
        )

    @admin.action(description=_("删除所选评论（隐藏）"))
    def remove(self, request, queryset):
        self._moderate(
            request,
            queryset,
            Comment.Status.REMOVED,
            lambda n: ngettext("已删除 %d 条评论。", "已删除 %d 条评论。", n) % n,
        )
