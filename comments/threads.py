"""Build one page of a post's or page's comment threads from a constant number of queries."""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils.translation import gettext as _

from core import mathjax

from .models import Comment, is_visible_q


@dataclass
class ThreadNode:
    comment: Comment
    children: list = field(default_factory=list)
    # Set when the reply is shown at the maximum depth rather than under its own parent.
    reply_to: Comment | None = None
    placeholder: bool = False  # a hidden comment kept only so its visible replies have a home
    # The body as this page shows it: its formulas may draw glyphs defined by an earlier one.
    shared_html: str | None = None

    @property
    def body_html(self):
        return self.comment.body_html if self.shared_html is None else self.shared_html

    @property
    def pending(self):
        return self.comment.status == Comment.Status.PENDING


def thread_page(target, page_number, *, own_comment_ids=()):
    """Return (page, nodes): the paginator page of top-level threads and their trees."""
    own_comment_ids = set(own_comment_ids)
    has_visible_reply = Exists(
        Comment.objects.visible().filter(tree_id=OuterRef("tree_id"), level__gt=0)
    )
    roots = (
        Comment.objects.threads_of(target)
        .filter(is_visible_q() | Q(pk__in=own_comment_ids) | Q(has_visible_reply))
        .only("id", "tree_id")
    )
    paginator = Paginator(roots, settings.COMMENTS_THREADS_PER_PAGE, allow_empty_first_page=True)
    try:
        page = paginator.page(page_number)
    except (EmptyPage, PageNotAnInteger) as error:
        raise Http404(_("没有这一页评论。")) from error
    tree_ids = [root.tree_id for root in page.object_list]
    comments = Comment.objects.filter(tree_id__in=tree_ids).order_by("tree_id", "lft")
    return page, share_glyphs(build_trees(comments, own_comment_ids), above=target.body_html)


def build_trees(comments, own_comment_ids=()):
    """Arrange comments (in tree order) into nested nodes, capped at the display depth."""
    max_depth = settings.COMMENTS_MAX_DEPTH
    shown = {}
    roots = []
    for comment in comments:
        visible = comment.is_visible or (
            comment.pk in own_comment_ids and comment.status == Comment.Status.PENDING
        )
        node = ThreadNode(comment, placeholder=not visible)
        if comment.parent_id is None:
            roots.append(node)
        else:
            parent = shown.get(comment.parent_id)
            if parent is None:
                continue  # its parent's whole subtree is hidden
            home = parent
            # Replies deeper than the display allows hang under the deepest shown ancestor.
            while home.comment.level >= max_depth - 1 and home.comment.parent_id in shown:
                home = shown[home.comment.parent_id]
            if home is not parent:
                node.reply_to = parent.comment
            home.children.append(node)
        shown[comment.pk] = node
    return [node for node in roots if _prune(node)]


def share_glyphs(nodes, above=""):
    """Let the comments shown define each glyph of their math once (mathjax.GlyphSharing).

    In the order the page shows them (each comment, then its replies), and only those whose
    body is shown: a placeholder's outlines would not be on the page. `above` is the HTML the
    page shows unchanged with them (the post's or page's body): a glyph it defines is drawn
    from there, and a long post defines most of those its comments use.
    """
    sharing = mathjax.GlyphSharing()
    sharing.shown_unchanged(above)

    def visit(node):
        if not node.placeholder:
            node.shared_html = sharing.share(node.comment.body_html)
        for child in node.children:
            visit(child)

    for node in nodes:
        visit(node)
    return nodes


def _prune(node):
    """Drop placeholders with nothing visible below them; True if the node stays."""
    node.children = [child for child in node.children if _prune(child)]
    return not node.placeholder or bool(node.children)
