"""RSS 2.0 and Atom feeds of the newest published posts."""

import re
from urllib.parse import urljoin

import lxml.html
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from core import site

from .models import Post


class LatestPostsFeed(Feed):
    # The posts' language, whatever the interface language of whoever fetches the feed.
    language = settings.SITE_CONTENT_LANGUAGE

    def title(self):
        return site.identity().name

    def description(self):
        return site.identity().description

    def link(self):
        return settings.SITE_URL + reverse("blog:home")

    def feed_url(self):
        return settings.SITE_URL + reverse("blog:feed")

    def items(self):
        return (
            Post.objects.published()
            .select_related("author", "category")
            .prefetch_related("tags")
            .order_by("-published_at", "-id")[: settings.BLOG_FEED_ITEMS]
        )

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        # Feed readers show entries away from the site: every address must stand on its own.
        return absolute_links(item.body_html, item.absolute_url)

    def item_link(self, item):
        return item.absolute_url

    def item_guid(self, item):
        return item.absolute_url

    def item_author_name(self, item):
        return item.author_name

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.updated_at

    def item_categories(self, item):
        return [item.category.name, *(tag.name for tag in item.tags.all())]


class LatestPostsAtomFeed(LatestPostsFeed):
    feed_type = Atom1Feed

    def subtitle(self):
        return site.identity().description

    def feed_url(self):
        return settings.SITE_URL + reverse("blog:feed_atom")


_SRCSET_ITEM = re.compile(r"\s*(\S+)(\s+[^,]+)?")


def absolute_links(body_html, base_url):
    """The body with every link and picture address (srcset too) made absolute on base_url."""
    if not body_html.strip():
        return body_html
    root = lxml.html.fragment_fromstring(body_html, create_parent="div")
    root.make_links_absolute(base_url, resolve_base_href=False)
    for element in root.iter():
        srcset = element.get("srcset") if isinstance(element.tag, str) else None
        if srcset:
            element.set(
                "srcset", ", ".join(_absolute_candidate(c, base_url) for c in srcset.split(","))
            )
    return ((root.text and _escape_text(root.text)) or "") + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in root
    )


def _absolute_candidate(candidate, base_url):
    match = _SRCSET_ITEM.match(candidate)
    if not match:
        return candidate.strip()
    return urljoin(base_url, match.group(1)) + (match.group(2) or "")


def _escape_text(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
