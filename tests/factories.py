"""Builders for test data: each returns a saved object with sensible defaults."""

import itertools
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.utils import timezone

from blog.models import Category, Post, Tag

_sequence = itertools.count(1)


def make_user(**fields):
    n = next(_sequence)
    defaults = {"username": f"user{n}", "email": f"user{n}@example.com"}
    password = fields.pop("password", "secret-pass-123")
    user = get_user_model()(**{**defaults, **fields})
    user.set_password(password)
    user.save()
    return user


def make_author(**fields):
    return make_user(**{"first_name": "林一", "is_staff": True, "is_superuser": True, **fields})


def make_category(name=None, slug=None):
    n = next(_sequence)
    return Category.objects.create(name=name or f"分类{n}", slug=slug or f"category-{n}")


def make_tag(name=None, slug=None):
    n = next(_sequence)
    return Tag.objects.create(name=name or f"标签{n}", slug=slug or f"tag-{n}")


def make_post(*, tags=(), **fields):
    """Create a published post dated in the past unless told otherwise."""
    n = next(_sequence)
    if "author" not in fields:
        fields["author"] = make_author()
    if "category" not in fields:
        fields["category"] = make_category()
    defaults = {
        "title": f"测试文章{n}",
        "body": f"第{n}篇文章的第一段。\n\n<!--more-->\n\n正文的其余部分。",
        "status": Post.Status.PUBLISHED,
        "published_at": timezone.now() - timedelta(days=1, minutes=n),
    }
    post = Post.objects.create(**{**defaults, **fields})
    if tags:
        post.tags.set(tags)
    return post


def make_page(**fields):
    """Create a published standalone page."""
    from pages.models import Page

    n = next(_sequence)
    if "author" not in fields:
        fields["author"] = make_author()
    defaults = {
        "title": f"页面{n}",
        "slug": f"page-{n}",
        "body": f"第{n}个页面，$E = mc^2$。",
        "status": Page.Status.PUBLISHED,
    }
    return Page.objects.create(**{**defaults, **fields})


def make_comment(post, *, parent=None, status="approved", **fields):
    """Save a comment on a post (or a page) straight into its tree (no lock needed here)."""
    from comments import targets
    from comments.models import Comment

    n = next(_sequence)
    defaults = {
        "author_name": f"读者{n}",
        "author_email": f"reader{n}@example.com",
        "body": f"第{n}条评论。",
        "ip_address": "203.0.113.9",
    }
    comment = Comment(
        **{targets.field_of(post): post}, parent=parent, status=status, **{**defaults, **fields}
    )
    comment.save()
    return comment


def make_confirmed_subscription(email):
    """An address whose owner confirmed reply notifications (double opt-in done)."""
    from django.utils import timezone

    from comments.models import ReplySubscription

    return ReplySubscription.objects.create(
        email=email.strip().lower(),
        confirmation_sent_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
