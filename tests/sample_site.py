"""A sample site with every kind of page filled: the demo posts, discussions, an author to log in.

The accessibility checks and the English-interface test walk its pages.
"""

from dataclasses import dataclass

ADMIN_PASSWORD = "sample-admin-pass-1"
DEEP_THREAD = 12  # replies nested deeper than COMMENTS_MAX_DEPTH


@dataclass(frozen=True)
class SampleSite:
    """URLs of the sample site's pages: what every accessibility check visits."""

    math_post_url: str
    code_post_url: str
    category_url: str
    search_url: str
    admin_editor_url: str
    admin_page_editor_url: str
    admin_username: str

    def page_urls(self):
        return {
            "home": "/",
            "listing": self.category_url,
            "post": self.math_post_url,
            "code post": self.code_post_url,
            "content.html": "/content.html",
            "about page": "/about.html",
            "guestbook": "/guestbook.html",
            "search": self.search_url,
            "404": "/no-such-page/",
        }


def build_sample_site():
    """Fill the database with the demo posts, discussions (one thread 12 replies deep), an admin."""
    from django.db import transaction

    # django-mptt locks rows while it inserts (select_for_update): inside a transaction.
    with transaction.atomic():
        return _build()


def _build():
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.urls import reverse

    from comments.models import Comment
    from comments.services import refresh_comment_counts
    from pages.models import Page

    call_command("seed_demo", stdout=_Discard())
    author = get_user_model().objects.get(username="author")
    author.email = "author@example.com"
    author.set_password(ADMIN_PASSWORD)
    author.save()
    code_post = _post_with("```python")
    math_post = _post_with(r"\begin{equation}", excluding=code_post)

    def comment(post, parent=None, **fields):
        defaults = {
            "author_name": "读者",
            "author_email": "reader@example.com",
            "ip_address": "203.0.113.9",
            "status": "approved",
        }
        made = Comment(post=post, parent=parent, **{**defaults, **fields})
        made.save()
        return made

    first = comment(
        math_post,
        author_name="王五",
        author_url="https://example.com/wangwu",
        body=r"第二步换成极坐标时，雅可比行列式 $r$ 是怎么来的？"
        r"$$\int_0^{2\pi}\int_0^\infty e^{-r^2} r\,dr\,d\theta$$",
    )
    comment(
        math_post,
        parent=first,
        author_name="林一",
        user=author,
        body="面积元 $dx\\,dy = r\\,dr\\,d\\theta$。",
    )
    comment(math_post, author_name="赵六", body="写得很清楚，谢谢！`code` 也能显示。")
    parent = comment(math_post, author_name="孙七", body="一条很长的讨论从这里开始。")
    for depth in range(1, DEEP_THREAD + 1):
        parent = comment(
            math_post,
            parent=parent,
            author_name=f"第{depth}层",
            body=f"第 {depth} 层的回复：深层的回复也要有一栏能读的宽度，$a_{{{depth}}}^2 + b^2$。",
        )
    refresh_comment_counts([math_post.pk])
    category = math_post.category
    return SampleSite(
        math_post_url=math_post.get_absolute_url(),
        code_post_url=code_post.get_absolute_url(),
        category_url=category.get_absolute_url(),
        search_url=reverse("blog:search", kwargs={"keywords": "积分"}),
        admin_editor_url=reverse("admin:blog_post_change", args=[math_post.pk]),
        admin_page_editor_url=reverse(
            "admin:pages_page_change", args=[Page.objects.get(slug="about").pk]
        ),
        admin_username=author.get_username(),
    )


def _post_with(text, excluding=None):
    from blog.models import Post

    posts = Post.objects.published().filter(body__contains=text).order_by("published_at")
    if excluding is not None:
        posts = posts.exclude(pk=excluding.pk)
    return posts.first()


class _Discard:
    def write(self, *args, **kwargs):
        pass

    def flush(self):
        pass
