"""`manage.py typeset_math`: typeset the math of every post, page and comment again, on the server.

Run after upgrading MathJax or changing its settings, after installing Node on a site that had
none, or to retry the posts and comments whose math failed (the admin shows why). Posts go
first, so comments' \\eqref links see the posts' labels as they are now. The site's math
stylesheet is rebuilt from what this run produced, and cached pages are retired once, at the end.
"""

import sys

from django.core.management.base import BaseCommand
from django.db import transaction
from tqdm import tqdm

from blog.models import Post
from comments.models import Comment
from comments.rendering import UnrenderableComment
from core import content_version, mathjax
from core.mathjax import stylesheet
from pages.models import Page

POST_FIELDS = ["search_title", "search_body"]  # besides Post.math_fields()
COMMENT_FIELDS = ["body_html", "snippet", "math_error"]


class Command(BaseCommand):
    help = "在服务器上重新排版全部文章和评论中的数学公式（升级 MathJax 或安装 Node 之后运行）。"

    def handle(self, *args, **options):
        show = options["verbosity"] > 0
        sheet = ""
        post_failures = comment_failures = unrenderable = 0
        posts = Post.objects.order_by("pk")
        for post in self._progress(posts, posts.count(), "篇文章", show):
            post.render()
            Post.objects.filter(pk=post.pk).update(
                **{name: getattr(post, name) for name in POST_FIELDS}, **post.math_fields()
            )
            sheet = mathjax.merge_css(sheet, post.math_css)
            post_failures += bool(post.math_error)
        Post.objects.all().refresh_search_vectors()

        pages = Page.objects.order_by("pk")
        for page in self._progress(pages, pages.count(), "个页面", show):
            page.render()
            Page.objects.filter(pk=page.pk).update(
                body_html=page.body_html, excerpt_html=page.excerpt_html, math_error=page.math_error
            )
            sheet = mathjax.merge_css(sheet, page.math_css)
            post_failures += bool(page.math_error)

        labels = dict(Post.objects.values_list("pk", "math_labels"))
        comments = Comment.objects.order_by("pk").only("pk", "post_id", "body")
        for comment in self._progress(comments, comments.count(), "条评论", show):
            try:
                comment.render(post_labels=labels.get(comment.post_id, {}))
            except UnrenderableComment:
                unrenderable += 1  # kept as it was stored
                continue
            Comment.objects.filter(pk=comment.pk).update(
                **{name: getattr(comment, name) for name in COMMENT_FIELDS}
            )
            sheet = mathjax.merge_css(sheet, comment.math_css)
            comment_failures += bool(comment.math_error)

        with transaction.atomic():
            stylesheet.replace(sheet)
            content_version.bump()
        self.stdout.write(
            f"已排版 {len(labels)} 篇文章和 {pages.count()} 个页面"
            f"（{post_failures} 篇未能在服务器上排版）、"
            f"{comments.count()} 条评论（{comment_failures} 条未能排版，"
            f"{unrenderable} 条无法渲染而保持原样）。"
        )

    @staticmethod
    def _progress(queryset, total, unit, show):
        return tqdm(
            queryset.iterator(chunk_size=200),
            total=total,
            unit=unit,
            file=sys.stderr,
            disable=not show or None,
        )
