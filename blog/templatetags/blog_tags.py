"""Template helpers for the blog: the sidebar and the English month of a date."""

from django import template
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.pagecache import cached_fragment

from .. import dates
from ..models import Category, Post

register = template.Library()


@register.filter
def english_month(value):
    return dates.english_month(value) if value else ""


@register.simple_tag
def blog_sidebar():
    """Render the sidebar (search, recent comments, categories, months), cached per version."""
    return mark_safe(cached_fragment("sidebar", _render_sidebar))


def _render_sidebar():
    published = Post.objects.published()
    categories = Category.objects.annotate(
        post_count=Count("posts", filter=Q(posts__in=published.values("pk")))
    ).filter(post_count__gt=0)
    return render_to_string(
        "includes/sidebar.html",
        {"categories": categories, "months": published.month_counts()},
    )
