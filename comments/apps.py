from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("评论")

    def ready(self):
        from core import pagecache

        from .forms import issue_timestamp

        # Cached post and page views carry the comment form with this placeholder for its
        # timestamp; the argument names the target ("post:42"; a bare number is a post).
        pagecache.register_filler(
            "comment-timestamp",
            lambda request, key: issue_timestamp(key if ":" in key else f"post:{key}"),
        )
