from django.contrib import admin, messages
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import services
from .models import Comment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = [
        "author_name",
        "author_email",
        "ip_address",
        "snippet",
        "post",
        "status",
        "created_at",
    ]
    list_filter = ["status", ("post", admin.RelatedOnlyFieldListFilter), "created_at"]
    search_fields = ["author_name", "author_email", "body", "ip_address"]
    list_select_related = ["post"]
    date_hierarchy = "created_at"
    actions = ["approve", "mark_spam", "remove"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    readonly_fields = [
        "post",
        "parent",
        "ip_address",
        "user_agent",
        "user",
        "is_post_author",
        "created_at",
    ]
    fields = [
        "post",
        "parent",
        "author_name",
        "author_email",
        "author_url",
        "body",
        "status",
        "notify_on_reply",
        "is_post_author",
        "user",
        "ip_address",
        "user_agent",
        "created_at",
    ]

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
