"""What a comment belongs to: a blog post or a standalone page, and how to name either.

A comment has one of two foreign keys set (a check constraint says so), and each target's
threads are its own trees. Everything that depends on which kind a target is lives here:
the field that points at it, its key in signed forms, the address of its comment pages.
"""

from django.db.models import Q
from django.urls import reverse

from blog.models import Post
from pages.models import Page

Target = Post | Page

# The Comment field for each kind, and the word naming the kind in form keys ("post:42").
FIELD = {Post: "post", Page: "page"}
MODEL = {name: model for model, name in FIELD.items()}


def field_of(target: Target) -> str:
    return FIELD[type(target)]


def of(target: Target) -> Q:
    """The condition for comments on this target."""
    return Q(**{f"{field_of(target)}_id": target.pk})


def key(target: Target) -> str:
    """A short name for the target, e.g. "post:42" or "page:3"."""
    return f"{field_of(target)}:{target.pk}"


def public() -> Q:
    """The condition for comments whose target readers may see."""
    return Q(post__in=Post.objects.published().values("pk")) | Q(
        page__in=Page.objects.published().values("pk")
    )


def comment_page_url(target: Target, thread_position: int, per_page: int) -> str:
    """URL of the target's comment page showing the thread at this 0-based position."""
    page = thread_position // per_page + 1
    if page == 1:
        return target.get_absolute_url()
    if isinstance(target, Page):
        return reverse("pages:comment_page", kwargs={"slug": target.slug, "page": page})
    return reverse("blog:post_comment_page", kwargs={"pk": target.pk, "page": page})


def comment_form_url(target: Target) -> str:
    """Where the target's comment form posts."""
    if isinstance(target, Page):
        return reverse("comments:post_on_page", kwargs={"pk": target.pk})
    return reverse("comments:post", kwargs={"pk": target.pk})
