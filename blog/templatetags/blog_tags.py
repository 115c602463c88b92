"""Template helpers for the blog: the sidebar and the English month of a date."""

from django import template
from django.db.models import Count, Q

from .. import dates
from ..models import Category, Post

register = template.Library()


@register.filter
def english_month(value):
    return dates.english_month(value) if value else ""


@register.inclusion_tag("includes/sidebar.html", takes_context=True)
def blog_sidebar(context):
    """Render the sidebar: search box, recent comments, categories and monthly archives."""
    published = Post.objects.published()
    categories = Category.objects.annotate(
        post_count=Count("posts", filter=Q(posts__in=published.values("pk")))
    ).filter(post_count__gt=0)
    return {
        "request": context.get("request"),
        "search_query": context.get("search_query", ""),
        "categories": categories,
        "months": published.month_counts(),
    }
