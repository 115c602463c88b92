"""Comment endpoints: post a comment, preview it, identicons, confirm and end notifications."""

import hashlib

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from blog.models import Post
from core.network import client_ip
from pages.models import Page

from . import author_mail, services, subscriptions, targets, visitor
from .forms import CommentForm
from .models import Comment
from .rendering import UnrenderableComment, render_comment


def _form_page(request, target, form, *, status=400, preview_html=None, retry_after=None):
    context = {
        "post": target,
        "comment_form_url": targets.comment_form_url(target),
        "form": form,
        "preview_html": preview_html,
    }
    response = render(request, "comments/form_page.html", context, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_POST
def post_comment(request, pk):
    """Validate and store a comment on a post, then send the commenter to it."""
    return _post_comment(request, get_object_or_404(Post.objects.published(), pk=pk))


@require_POST
def post_comment_on_page(request, pk):
    """Validate and store a comment on a standalone page (a guestbook's), then show it."""
    return _post_comment(request, get_object_or_404(Page.objects.published(), pk=pk))


def _post_comment(request, post):
    form = CommentForm(request.POST, target=post, user=request.user)
    if "preview" in request.POST:
        return _preview_page(request, post, form)
    if not form.is_valid():
        return _form_page(request, post, form)
    data = form.cleaned_data
    try:
        posted = services.post_comment(
            target=post,
            parent=data["parent"],
            author_name=data["author_name"].strip(),
            author_email=data["author_email"],
            author_url=data["author_url"],
            body=data["body"],
            ip_address=client_ip(request),
            user_agent=request.headers.get("User-Agent", ""),
            notify_on_reply=data["notify_on_reply"],
            user=request.user,
        )
    except services.RateLimited as error:
        form.add_error(None, error.message)
        return _form_page(request, post, form, status=429, retry_after=error.retry_after)
    except (services.CommentRejected, UnrenderableComment) as error:
        form.add_error(None, getattr(error, "message", str(error)))
        return _form_page(request, post, form)
    comment = posted.comment
    response = redirect(comment.get_absolute_url())
    visitor.remember(request, response, fields=data, comment=comment)
    return response


def _preview_page(request, post, form):
    """Show the comment as it will look, with the form kept (the no-JavaScript preview)."""
    body = request.POST.get("body", "")
    try:
        preview_html = render_comment(body) if body.strip() else ""
    except UnrenderableComment as error:
        form.add_error("body", str(error))
        preview_html = ""
    form.is_valid()  # show field errors next to the preview, but never save
    return _form_page(request, post, form, status=200, preview_html=preview_html)


@require_POST
def preview(request):
    """Return the comment body as sanitized HTML, for the in-page 预览效果 button.

    A body the form would refuse (too long) is refused here too, with the form's words:
    a preview must never show what posting would not accept.
    """
    body = request.POST.get("body", "")
    try:
        CommentForm.base_fields["body"].run_validators(body)
        html = render_comment(body)
    except ValidationError as error:
        return _plain_400(" ".join(error.messages))
    except UnrenderableComment as error:
        return _plain_400(str(error))
    return HttpResponse(html, content_type="text/html; charset=utf-8")


def _plain_400(message):
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


IDENTICON_COLORS = ["#4c7cc2", "#c2564c", "#4ca37a", "#a3794c", "#7a4ca3", "#4c9ea3", "#a34c86"]


@cache_control(public=True, max_age=30 * 24 * 60 * 60, immutable=True)
def identicon(request, digest):
    """A symmetric 5×5 pattern drawn from the email hash: an avatar that needs no network."""
    if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise Http404
    bits = bin(int(hashlib.sha256(digest.encode()).hexdigest(), 16))[2:].zfill(256)
    color = IDENTICON_COLORS[int(digest[:2], 16) % len(IDENTICON_COLORS)]
    cells = []
    for row in range(5):
        for col in range(3):
            if bits[row * 3 + col] == "1":
                for x in {col, 4 - col}:
                    cells.append(f'<rect x="{x}" y="{row}" width="1" height="1"/>')
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="-0.5 -0.5 6 6" width="48" height="48">'
        f'<rect x="-0.5" y="-0.5" width="6" height="6" fill="#f0f0f0"/><g fill="{color}">'
        + "".join(cells)
        + "</g></svg>"
    )
    return HttpResponse(svg, content_type="image/svg+xml")


def _subscription_link(request, token, *, find, act, template):
    """Ask, then act on the subscription a mailed link names (a GET never changes anything,
    as mail scanners follow links)."""
    try:
        subscription = find(token)
    except subscriptions.LinkExpired:
        return render(request, template, {"expired": True}, status=400)
    if subscription is None:
        return render(request, template, {"invalid": True}, status=400)
    done = request.method == "POST"
    if done:
        act(subscription=subscription)
    return render(request, template, {"done": done})


def confirm_subscription(request, token):
    """Confirm that the owner of an address wants reply notifications."""
    return _subscription_link(
        request,
        token,
        find=subscriptions.subscription_to_confirm,
        act=subscriptions.confirm,
        template="comments/confirm_subscription.html",
    )


def unsubscribe(request, token):
    """Stop reply notifications for the subscription the link names."""
    return _subscription_link(
        request,
        token,
        find=subscriptions.subscription_to_end,
        act=subscriptions.unsubscribe,
        template="comments/unsubscribe.html",
    )


def comment_permalink(request, pk):
    """Send a link to a comment to the page that shows its thread."""
    comment = get_object_or_404(Comment.objects.visible().on_public_targets(), pk=pk)
    return redirect(comment.get_absolute_url())


def moderate_by_link(request, token):
    """Approve, mark as spam or go to reply to a comment from a signed link in the author's mail.

    The link alone is not enough: it works only for a logged-in staff user allowed to change
    comments, and only for COMMENTS_MODERATION_LINK_DAYS days.
    """
    try:
        comment_id, action = author_mail.read_link_token(token)
    except signing.SignatureExpired:
        return render(request, "comments/moderation_link.html", {"expired": True}, status=400)
    except signing.BadSignature:
        return render(request, "comments/moderation_link.html", {"invalid": True}, status=400)
    if not (request.user.is_authenticated and request.user.is_staff):
        return redirect_to_login(request.get_full_path(), reverse("admin:login"))
    if not request.user.has_perm("comments.change_comment"):
        return render(request, "comments/moderation_link.html", {"forbidden": True}, status=403)
    comment = get_object_or_404(Comment, pk=comment_id)
    change_url = reverse("admin:comments_comment_change", args=[comment.pk])
    if action == "reply":
        return redirect(change_url + "#reply")
    status = Comment.Status.APPROVED if action == "approve" else Comment.Status.SPAM
    services.moderate(comments=Comment.objects.filter(pk=comment.pk), status=status)
    messages.success(
        request,
        _("已将 %(name)s 的评论设为“%(status)s”。")
        % {"name": comment.author_name, "status": Comment.Status(status).label},
    )
    return redirect(change_url)
