"""Template tags the blog's pages use to show comments."""

from django import template

from ..models import Comment

register = template.Library()


@register.inclusion_tag("comments/recent.html")
def recent_comments():
    """Render the 最近评论 sidebar list."""
    return {"comments": Comment.objects.recent(10)}
