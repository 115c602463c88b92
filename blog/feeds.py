"""RSS 2.0 and Atom feeds of the newest published posts."""

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from core import mathjax

from .models import Post


class LatestPostsFeed(Feed):
    # The posts' language, whatever the interface language of whoever fetches the feed.
    language = settings.SITE_CONTENT_LANGUAGE

    def title(self):
        return settings.SITE_NAME

    def description(self):
        return settings.SITE_DESCRIPTION

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
        # Feed readers render MathML natively but not MathJax's HTML, which needs its CSS.
        return mathjax.as_mathml(item.body_html)

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
        return settings.SITE_DESCRIPTION

    def feed_url(self):
        return settings.SITE_URL + reverse("blog:feed_atom")
