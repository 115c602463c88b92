"""Reads go to a streaming replica, writes to the primary, and a writer reads their own writes.

A private primary and a hot standby (pg_basebackup -R) serve the blog through gunicorn.
Pausing WAL replay on the standby freezes what it shows, which makes every claim
observable from the outside: a page showing the frozen data was read from the replica,
one showing newer data was read from the primary.
"""

import time
import uuid

import pytest

from tests.conftest import GunicornServer
from tests.pgcluster import (
    Browser,
    ClusterDirectory,
    comment_data,
    comment_form_fields,
    prepare_blog_database,
    unavailable_reason,
    wait_until,
)

pytestmark = pytest.mark.skipif(unavailable_reason() is not None, reason=str(unavailable_reason()))

OLD_TITLE = "梯度下降的几何意义"
NEW_TITLE = "只在主库上改过的标题"


@pytest.fixture
def clusters():
    directory = ClusterDirectory()
    yield directory
    directory.cleanup()


@pytest.fixture
def primary_and_replica(clusters):
    primary = clusters.new_cluster("primary").start()
    post_id = prepare_blog_database(primary, "blog", title=OLD_TITLE)
    replica = clusters.adopt(primary.make_streaming_replica())
    replica.wait_until(
        lambda: (
            replica.scalar("SELECT title FROM blog_post WHERE id = %s", [post_id], "blog")
            == OLD_TITLE
        ),
        timeout=30,
        message="the seeded post replicated",
    )
    return primary, replica, post_id


@pytest.fixture
def site(primary_and_replica):
    primary, replica, _ = primary_and_replica
    server = GunicornServer(
        workers=2,
        DATABASE_URL=primary.url("blog"),
        DATABASE_REPLICA_URLS=replica.url("blog"),
        COMMENTS_MIN_SECONDS="0",
        COMMENTS_RATE_LIMITS="",
        COMMENTS_MODERATION="approve_all",
        REDIS_URL="",
    )
    yield server
    server.stop()


def app_connections(cluster):
    """Client connections to the blog database other than this test's own."""
    return cluster.scalar(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = 'blog' "
        "AND backend_type = 'client backend' AND pid <> pg_backend_pid()",
    )


def test_reads_use_the_replica_and_a_commenter_reads_their_own_comment(primary_and_replica, site):
    primary, replica, post_id = primary_and_replica
    post_path = f"/archives/{post_id}"
    reader = Browser(site.url, cookies=False)
    log = f"(gunicorn log: data/gunicorn-{site.port}.log)"

    first = reader.get("/")
    assert first.status == 200, log
    assert OLD_TITLE in first.body
    assert reader.get(post_path).status == 200
    # Server-side evidence: gunicorn holds pooled connections to the replica's blog database.
    assert app_connections(replica) >= 1

    # (a) Freeze the replica, then change the title (and the content version) on the primary.
    replica.pause_replay()
    with primary.connect("blog") as conn, conn.transaction():
        conn.execute("UPDATE blog_post SET title = %s WHERE id = %s", [NEW_TITLE, post_id])
        conn.execute("UPDATE core_contentversion SET number = number + 1")
    time.sleep(0.5)  # ample time to replay it, were replay not paused
    assert (
        replica.scalar("SELECT title FROM blog_post WHERE id = %s", [post_id], "blog") == OLD_TITLE
    )
    for _ in range(6):  # a few times, so every worker answers
        for path in ("/", post_path):
            page = reader.get(path)
            assert page.status == 200, log
            assert OLD_TITLE in page.body, f"{path} was not read from the replica"
            assert NEW_TITLE not in page.body, f"{path} was read from the primary"

    # (b) A comment posted through the site lands on the primary while the replica is frozen.
    commenter = Browser(site.url)
    form_page = commenter.get(post_path)
    assert form_page.status == 200
    token = uuid.uuid4().hex
    body = f"复制延迟测试 {token}"
    posted = commenter.post(
        f"/archives/{post_id}/comment", comment_data(comment_form_fields(form_page.body), body)
    )
    assert posted.status == 302, (posted.status, posted.body[:2000], log)
    assert commenter.cookie("pin_primary") == "1"
    on_primary = primary.query(
        "SELECT status FROM comments_comment WHERE post_id = %s AND body = %s",
        [post_id, body],
        "blog",
    )
    assert on_primary == [("approved",)]
    assert not replica.query("SELECT 1 FROM comments_comment WHERE body = %s", [body], "blog")

    # (c) Read-your-writes: the commenter's next page comes from the primary...
    own_view = commenter.get(post_path)
    assert own_view.status == 200
    assert token in own_view.body, "the commenter does not see their own comment"
    assert NEW_TITLE in own_view.body
    # ...because of the pin cookie: the same browser without it reads the frozen replica,
    unpinned = commenter.copy(without={"pin_primary"}).get(post_path)
    assert unpinned.status == 200
    assert token not in unpinned.body
    assert OLD_TITLE in unpinned.body
    # as does any other reader.
    stranger = reader.get(post_path)
    assert stranger.status == 200
    assert token not in stranger.body

    # Once replay resumes, everyone sees the comment and the new title.
    replica.resume_replay()

    def everyone_sees_it():
        page = reader.get(post_path)
        return page.status == 200 and token in page.body and NEW_TITLE in page.body

    wait_until(everyone_sees_it, timeout=15, interval=0.2, message="replica caught up")
    assert NEW_TITLE in reader.get("/").body
