"""Tree numbering for comments written in bulk: the same fields a rebuild would give."""

from types import SimpleNamespace

import pytest

from comments.models import Comment
from comments.trees import NotATree, number_thread
from tests.factories import make_comment


def nodes(*links):
    """Build thread nodes from (pk, parent pk) pairs."""
    return [SimpleNamespace(pk=pk, parent_id=parent) for pk, parent in links]


def test_numbering_matches_what_django_mptt_builds_comment_by_comment(post):
    root = make_comment(post)
    first = make_comment(post, parent=root)
    make_comment(post, parent=first)
    make_comment(post, parent=root)
    make_comment(post, parent=first)
    rows = list(Comment.objects.filter(tree_id=root.tree_id).order_by("pk"))
    thread = nodes(*((c.pk, c.parent_id) for c in rows))
    number_thread(thread, tree_id=root.tree_id)
    expected = [(c.tree_id, c.lft, c.rght, c.level) for c in rows]
    assert [(n.tree_id, n.lft, n.rght, n.level) for n in thread] == expected


def test_replies_to_one_comment_keep_their_given_order():
    thread = nodes((1, None), (3, 1), (2, 1))
    number_thread(thread, tree_id=7)
    assert [(n.pk, n.lft, n.rght) for n in thread] == [(1, 1, 6), (3, 2, 3), (2, 4, 5)]


def test_a_very_deep_thread_is_numbered_without_recursion():
    thread = nodes((1, None), *((pk, pk - 1) for pk in range(2, 5001)))
    number_thread(thread, tree_id=1)
    assert (thread[0].lft, thread[0].rght, thread[-1].level) == (1, 10000, 4999)


@pytest.mark.parametrize("links", [((1, 5),), ((1, None), (2, 9)), ((1, None), (2, 3), (3, 1))])
def test_comments_that_do_not_form_one_thread_are_refused(links):
    with pytest.raises(NotATree):
        number_thread(nodes(*links), tree_id=1)
