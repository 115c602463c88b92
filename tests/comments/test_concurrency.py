"""Comment trees stay valid when many comments arrive at once (real concurrent connections)."""

import random
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
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


BURSTS_START = datetime(2030, 1, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("limit", [1, 3])
def test_bursts_from_one_address_over_many_threads_store_exactly_what_the_limit_allows(
    author, category, settings, time_machine, limit
):
    """Five bursts of 20 at once, 16 s apart, from one address: new threads on three posts
    and replies into five different threads. Only the per-address lock makes this exact:
    the thread locks serialize each tree, never the address's comments across trees."""
    settings.COMMENTS_RATE_LIMITS = [(limit, 15)]
    posts = [make_post(author=author, category=category) for _ in range(3)]
    threads = [make_comment(posts[i % 3], ip_address="198.51.100.1") for i in range(5)]
    stored, refused = 0, 0

    def attempt(job):
        try:
            return services.post_comment(
                author_name="连发者",
                author_email="burst@example.com",
                ip_address="203.0.113.50",
                **job,
            ).created
        except services.RateLimited:
            return False
        finally:
            connection.close()

    for burst in range(5):
        time_machine.move_to(BURSTS_START + timedelta(seconds=16 * burst), tick=False)
        jobs = [
            {
                "target": thread.post if i % 2 else posts[i % 3],
                "parent": thread if i % 2 else None,
                "body": f"第{burst}轮第{i}条",
            }
            for i, thread in zip(range(20), threads * 4, strict=True)
        ]
        with ThreadPoolExecutor(max_workers=10) as pool:
            results = list(pool.map(attempt, jobs))
        stored += sum(results)
        refused += results.count(False)
    assert stored == 5 * limit, f"{stored} stored where {5 * limit} were allowed"
    assert refused == 100 - 5 * limit
    assert Comment.objects.filter(ip_address="203.0.113.50").count() == 5 * limit
    assert_trees_are_what_a_rebuild_would_make()
