"""Template helpers for the blog: the sidebar, dates and reader counts as pages show them."""

from django import template
from django.conf import settings
from django.db.models import Count, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from core.pagecache import cached_fragment

from .. import dates, labels, metadata
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


@register.inclusion_tag("includes/post_meta.html", takes_context=True)
def post_metadata(context, post):
    """Share cards, JSON-LD and Google Scholar's citation tags for the post page's head."""
    site = context["SITE"]
    logo = settings.SITE_URL + reverse("icon_png", kwargs={"size": 512})
    meta = metadata.of_post(post)
    return {
        "post": post,
        "meta": meta,
        "SITE": site,
        "logo": logo,
        "json_ld": metadata.blog_posting(post, meta, site_name=site.name, logo=logo),
    }
