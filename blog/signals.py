"""Keep cached pages exact: every write readers could see bumps the content version."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from comments.signals import comments_changed

from .caching import bump_content_version
from .models import Category, Post, Tag


@receiver(post_save, sender=Post)
@receiver(post_delete, sender=Post)
@receiver(post_save, sender=Category)
@receiver(post_delete, sender=Category)
@receiver(post_save, sender=Tag)
@receiver(post_delete, sender=Tag)
def content_saved(sender, **kwargs):
    bump_content_version()


@receiver(m2m_changed, sender=Post.tags.through)
def post_tags_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump_content_version()


@receiver(comments_changed)
def visible_comments_changed(sender, post_ids, **kwargs):
    bump_content_version()
