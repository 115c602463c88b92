"""Template tags through which a host page shows comments: the thread, the form, the sidebar.

The hosts (the blog's post page, a standalone page) know nothing of comments beyond these
tags: they include `{% comment_section post_or_page page_number %}` where the discussion goes.
"""

from django import template
from django.conf import settings

from core import pagecache

from .. import targets
from ..forms import CommentForm
from ..models import Comment, comment_page_url, identicon_url
from ..threads import thread_page
from ..visitor import own_comment_ids, remembered_author

register = template.Library()

# Stands for a picture's digest in the list's identicon address; comments.js puts it in.
IDENTICON_DIGEST = "DIGEST"


@register.inclusion_tag("comments/section.html", takes_context=True)
def comment_section(context, target, page_number=1):
    """Render one page of the post's or page's threads, their pager and the comment form.

    When the page is being built for the shared cache, nothing of this visitor's goes in:
    not their pending comments, not their remembered name; the form's signed timestamp is
    filled in per request.
    """
    request = context["request"]
    shared = pagecache.is_shared_build()
    page, threads = thread_page(
        target, page_number, own_comment_ids=[] if shared else own_comment_ids(request)
    )
    reply_id = request.GET.get("replyTo", "")
    reply_to = None
    if reply_id.isdigit():
        reply_to = Comment.objects.visible().on(target).filter(pk=int(reply_id)).first()
    initial = {"timestamp": pagecache.deferred(request, "comment-timestamp", targets.key(target))}
    if not shared:
        initial.update(_known_author(request))
    if reply_to is not None:
        initial["parent"] = reply_to.pk
    return {
        "request": request,
        "post": target,
        "comment_form_url": targets.comment_form_url(target),
        "comment_page": page,
        "comment_threads": threads,
        "comment_pager": _pager(target, page),
        "comment_form": CommentForm(
            target=target, initial=initial, user=None if shared else request.user
        ),
        "reply_to": reply_to,
        # Where a Gravatar picture that fails to load is replaced from (comments.js): said once
        # for the list, not beside each picture with the picture's digest repeated.
        "identicon_url": identicon_url(IDENTICON_DIGEST) if settings.COMMENTS_GRAVATAR else "",
        "CONTENT_LANGUAGE": settings.SITE_CONTENT_LANGUAGE,
    }


def _known_author(request):
    """The commenter's remembered details, or the logged-in user's."""
    known = remembered_author(request)
    user = request.user
    if user.is_authenticated:
        known.setdefault("author_name", user.get_full_name() or user.get_username())
        known.setdefault("author_email", user.email)
    return known


def _pager(target, page):
    if page.paginator.num_pages <= 1:
        return []
    return [
        {"number": n, "url": comment_page_url(target, (n - 1) * page.paginator.per_page)}
        for n in page.paginator.page_range
    ]


@register.inclusion_tag("comments/recent.html")
def recent_comments():
    """Render the 最近评论 sidebar list."""
    return {
        "comments": Comment.objects.recent(10),
        "CONTENT_LANGUAGE": settings.SITE_CONTENT_LANGUAGE,
    }
