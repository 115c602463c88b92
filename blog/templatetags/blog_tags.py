"""Template helpers for the blog: the sidebar, dates and reader counts as pages show them."""

from django import template
from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from core.pagecache import cached_fragment

from .. import dates, labels
from ..models import Category, Post

register = template.Library()


@register.filter
def english_month(value):
    return dates.english_month(value) if value else ""


@register.filter
def readers(value):
    """`58632位读者` / `58,632 readers`; a placeholder (a count filled in later) passes through."""
    return labels.readers(value) if isinstance(value, int) else value


@register.simple_tag
def blog_sidebar(with_search=True):
    """Render the sidebar (search, recent comments, categories, months), cached per version.

    The search page has a search form of its own, so its sidebar leaves that widget out: a
    page holds one search landmark.
    """
    name = "sidebar" if with_search else "sidebar-without-search"
    return mark_safe(cached_fragment(name, lambda: _render_sidebar(with_search)))


def _render_sidebar(with_search):
    published = Post.objects.published()
    categories = Category.objects.annotate(
        post_count=Count("posts", filter=Q(posts__in=published.values("pk")))
    ).filter(post_count__gt=0)
    return render_to_string(
        "includes/sidebar.html",
        {
            "categories": categories,
            "months": published.month_counts(),
            "with_search": with_search,
            "CONTENT_LANGUAGE": settings.SITE_CONTENT_LANGUAGE,
        },
    )
