"""Numbering comment trees: the nested-set fields (tree_id, lft, rght, level) of django-mptt.

New comments get theirs from django-mptt, under the locks taken in comments/services.py.
Comments written in bulk (an import, the benchmark's fill) are numbered here, the same way
`Comment.objects.rebuild()` would number them, without a query per comment.
"""

from collections.abc import Sequence
from typing import Protocol


class TreeNode(Protocol):
    pk: int
    parent_id: int | None
    tree_id: int
    lft: int
    rght: int
    level: int


class NotATree(ValueError):
    """The comments given do not form one thread: the message says which comment is amiss."""


def number_thread(comments: Sequence[TreeNode], *, tree_id: int) -> None:
    """Set the nested-set fields of one thread's comments, in place.

    The first comment is the thread's root; every other comment's parent must be among them.
    Replies to the same comment are ordered as they come in `comments` (oldest first keeps
    a thread in time order, as new replies go last).
    """
    if not comments:
        return
    root, *replies = comments
    if root.parent_id is not None:
        raise NotATree(f"评论 {root.pk} 不是讨论串的第一条（它回复的是 {root.parent_id}）")
    known = {root.pk}
    children = {}
    for comment in replies:
        if comment.parent_id not in known:
            raise NotATree(f"评论 {comment.pk} 回复的 {comment.parent_id} 不在这个讨论串里")
        known.add(comment.pk)
        children.setdefault(comment.parent_id, []).append(comment)

    number = 1
    # A depth-first walk without recursion: deep threads must not hit Python's stack limit.
    stack = [(root, 0, False)]
    while stack:
        comment, level, leaving = stack.pop()
        if leaving:
            comment.rght = number
            number += 1
            continue
        comment.tree_id, comment.level, comment.lft = tree_id, level, number
        number += 1
        stack.append((comment, level, True))
        stack.extend((child, level + 1, False) for child in reversed(children.get(comment.pk, [])))
