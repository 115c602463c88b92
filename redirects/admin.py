from django.contrib import admin

from .models import Redirect


@admin.register(Redirect)
class RedirectAdmin(admin.ModelAdmin):
    list_display = ["old_path", "new_path", "note", "created_at"]
    search_fields = ["old_path", "new_path", "note"]
    list_filter = ["created_at"]
    readonly_fields = ["created_at"]
    fields = ["old_path", "new_path", "note", "created_at"]
