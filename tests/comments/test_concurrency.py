"""Comment trees stay valid when many comments arrive at once (real concurrent connections)."""

import random
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import pytest
from django.db import connection

from comments import services
from comments.models import Comment
from comments.trees import number_thread
from tests.factories import make_comment, make_post

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def approve_everything(settings):
    settings.COMMENTS_MODERATION = "approve_all"


def post_from_own_connection(**kwargs):
    """Post a comment from a worker thread, which gets a database connection of its own."""
    try:
        return services.post_comment(
            author_name="并发读者", author_email="reader@example.com", ip_address=None, **kwargs
        ).comment.pk
    finally:
        connection.close()


def assert_trees_are_what_a_rebuild_would_make():
    """Recompute every tree from parent links alone (children in insertion order) and compare."""
    rows = list(Comment.objects.values("pk", "parent_id", "tree_id", "lft", "rght", "level"))
    parent_of = {row["pk"]: row["parent_id"] for row in rows}

    def root_of(pk):
        while parent_of[pk] is not None:
            pk = parent_of[pk]
        return pk

    threads = {}
    for pk in sorted(parent_of):  # ids grow with time: a parent always precedes its replies
        threads.setdefault(root_of(pk), []).append(SimpleNamespace(pk=pk, parent_id=parent_of[pk]))
    roots = sorted(threads)
    actual_tree_ids = {row["pk"]: row["tree_id"] for row in rows}
    expected = {}
    for root in roots:
        number_thread(threads[root], tree_id=actual_tree_ids[root])
        for node in threads[root]:
            expected[node.pk] = {
                "lft": node.lft,
                "rght": node.rght,
                "level": node.level,
                "tree_id": node.tree_id,
            }
    actual = {
        row["pk"]: {key: row[key] for key in ("lft", "rght", "level", "tree_id")} for row in rows
    }
    assert actual == expected
    root_tree_ids = [actual_tree_ids[root] for root in roots]
    assert len(set(root_tree_ids)) == len(roots), "two threads share a tree"
    assert root_tree_ids == sorted(root_tree_ids), "a new thread renumbered older ones"


def test_concurrent_replies_into_one_thread_all_land_in_a_valid_tree(author, category):
    post = make_post(author=author, category=category)
    root = make_comment(post)
    branches = [make_comment(post, parent=root) for _ in range(4)]
    parents = [root, *branches]
    rng = random.Random(7)
    jobs = [
        {"target": post, "parent": rng.choice(parents), "body": f"并发回复 {i}"} for i in range(100)
    ]
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(lambda job: post_from_own_connection(**job), jobs))
    assert len(set(ids)) == 100
    assert Comment.objects.filter(tree_id=root.tree_id).count() == 105
    assert_trees_are_what_a_rebuild_would_make()
    post.refresh_from_db()
    assert post.comment_count == 105


def test_concurrent_new_threads_over_several_posts_never_share_a_tree(author, category):
    posts = [make_post(author=author, category=category) for _ in range(5)]
    existing = make_comment(posts[0])
    make_comment(posts[0], parent=existing)
    jobs = [
        {"target": posts[i % len(posts)], "parent": None, "body": f"新的讨论 {i}"}
        for i in range(100)
    ]
    with ThreadPoolExecutor(max_workers=16) as pool:
        ids = list(pool.map(lambda job: post_from_own_connection(**job), jobs))
    assert len(set(ids)) == 100
    assert Comment.objects.filter(level=0).count() == 101
    assert_trees_are_what_a_rebuild_would_make()
    for post in posts:
        post.refresh_from_db()
        assert post.comment_count == Comment.objects.filter(post=post).count()
