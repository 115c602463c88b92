"""Template tags for the admin and the author's mail: waiting comments, readable text."""

from django import template

from ..models import Comment

register = template.Library()


@register.filter
def readable_text(comment, limit=200):
    """The comment as plain text, never cut inside a formula."""
    return comment.readable_text(int(limit))


@register.simple_tag
def pending_comment_count():
    """How many comments wait for approval."""
    return Comment.objects.filter(status=Comment.Status.PENDING).count()
