from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    name = "comments"
    verbose_name = _("评论")

    def ready(self):
        from core import pagecache

        from .forms import issue_timestamp

        # Cached post pages carry the comment form with this placeholder for its timestamp.
        pagecache.register_filler(
            "comment-timestamp", lambda request, post_id: issue_timestamp(int(post_id))
        )
