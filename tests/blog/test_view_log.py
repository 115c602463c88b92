"""Tallied views are also appended to a log file of the worker's own (blog/view_log.py): a
worker killed outright, or a write that fails, loses no view, and none is counted twice."""

import fcntl
import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from urllib.request import Request, urlopen

import pytest
from django.db import DatabaseError

from blog import readers
from blog.checks import view_log_directory_writable
from blog.models import Post, PostDailyViews, WrittenViewLog
from blog.view_log import parse_views
from blog.view_tally import ViewTally
from tests.conftest import GunicornServer

BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/120 Safari/537.36"
DAY = date(2030, 1, 1)


def views_of(post):
    return Post.objects.values_list("views", flat=True).get(pk=post.pk)


def daily_views_of(post):
    return dict(PostDailyViews.objects.filter(post=post).values_list("day", "views"))


def log_files(directory):
    return sorted(path.name for path in Path(directory).glob("*.views"))


@pytest.fixture
def log_dir(settings, tmp_path):
    settings.BLOG_VIEWS_LOG_DIR = tmp_path
    settings.BLOG_VIEWS_FLUSH_SECONDS = 60
    return tmp_path


def worker(write=readers.add_views):
    """A worker's tally and log, written only when the test says so."""
    return ViewTally(readers.public_views, write, log=readers.new_view_log(), in_background=False)


def killed(tally):
    """The worker dies outright: its files stay behind, unlocked."""
    current = tally._log.seal()
    if current is not None:
        current.release()


def test_each_tallied_view_is_in_the_workers_log_until_written(log_dir, post):
    tally = worker()
    for day in (DAY, DAY, date(2030, 1, 2)):
        tally.count(post.pk, day, every=60)
    (name,) = log_files(log_dir)
    body = (log_dir / name).read_bytes().partition(b"\n")[2]
    assert parse_views(body) == {post.pk: {DAY: 2, date(2030, 1, 2): 1}}
    tally.flush()
    assert views_of(post) == 3
    assert log_files(log_dir) == []
    assert not WrittenViewLog.objects.exists()


def test_the_views_of_a_worker_killed_outright_are_written_by_another(log_dir, post):
    dead = worker()
    for _ in range(3):
        dead.count(post.pk, DAY, every=60)
    killed(dead)
    survivor = worker()
    survivor.flush()
    assert (views_of(post), daily_views_of(post)) == (3, {DAY: 3})
    assert log_files(log_dir) == []
    survivor.flush()
    assert views_of(post) == 3


def test_a_file_whose_views_were_committed_is_removed_without_counting_them_again(log_dir, post):
    dead = worker()
    dead.count(post.pk, DAY, every=60)
    file = dead._log.seal()
    readers.add_views({post.pk: {DAY: 1}}, file.name)  # committed, then the worker died
    file.release()
    worker().flush()
    assert views_of(post) == 1
    assert log_files(log_dir) == []
    assert not WrittenViewLog.objects.exists()


def test_a_failed_write_leaves_its_views_in_their_file_for_the_next_write(log_dir, post):
    failures = [DatabaseError("connection refused")]

    def write_after_an_outage(views, log_name):
        if failures:
            raise failures.pop()
        return readers.add_views(views, log_name)

    tally = worker(write_after_an_outage)
    tally.count(post.pk, DAY, every=60)
    # The write fails, and so does the file's adoption right after: the outage goes on.
    failures.append(DatabaseError("connection refused"))
    tally.flush()
    assert views_of(post) == 0
    assert len(log_files(log_dir)) == 1
    tally.count(post.pk, DAY, every=60)
    tally.flush()
    assert (views_of(post), daily_views_of(post)) == (2, {DAY: 2})
    assert log_files(log_dir) == []


@pytest.mark.django_db(transaction=True)  # outside a transaction, reads go to replicas
def test_whether_a_file_was_written_is_asked_of_the_primary(log_dir, post, settings):
    dead = worker()
    dead.count(post.pk, DAY, every=60)
    file = dead._log.seal()
    readers.add_views({post.pk: {DAY: 1}}, file.name)
    file.release()
    settings.DATABASE_REPLICAS = ["a-replica-that-has-not-caught-up"]  # reads would go there
    worker().flush()
    settings.DATABASE_REPLICAS = []
    assert views_of(post) == 1


def test_a_write_that_committed_but_reported_a_failure_is_not_counted_twice(log_dir, post):
    def write_and_lose_the_reply(views, log_name):
        readers.add_views(views, log_name)
        tally._write = readers.add_views
        raise DatabaseError("server closed the connection unexpectedly")

    tally = worker(write_and_lose_the_reply)
    tally.count(post.pk, DAY, every=60)
    tally.flush()
    assert views_of(post) == 1
    assert log_files(log_dir) == []


def test_a_file_a_live_worker_holds_is_left_to_it(log_dir, post):
    alive = worker()
    alive.count(post.pk, DAY, every=60)
    other = worker()
    other.flush()
    assert views_of(post) == 0
    alive.flush()
    assert views_of(post) == 1


def test_a_file_is_adopted_by_one_worker_at_a_time(log_dir, post):
    dead = worker()
    dead.count(post.pk, DAY, every=60)
    killed(dead)
    first = readers.new_view_log().orphans()
    adopted = next(first)
    assert list(readers.new_view_log().orphans()) == []
    adopted.file.release()
    first.close()


def test_a_file_written_by_another_worker_while_waiting_for_it_is_not_written_again(
    log_dir, post, monkeypatch
):
    dead = worker()
    dead.count(post.pk, DAY, every=60)
    killed(dead)
    take_lock = fcntl.flock

    def another_worker_adopts_it_first(fd, operation):
        monkeypatch.setattr(fcntl, "flock", take_lock)
        worker().flush()  # adopts, writes and removes the file this worker has just opened
        take_lock(fd, operation)

    monkeypatch.setattr(fcntl, "flock", another_worker_adopts_it_first)
    worker().flush()
    assert views_of(post) == 1


def test_a_file_for_another_database_is_left_alone(log_dir, post):
    stranger = log_dir / "0123456789abcdef.views"
    stranger.write_bytes(b"blog view log 1 another-database\n%d 2030-01-01\n" % post.pk)
    worker().flush()
    assert views_of(post) == 0
    assert stranger.exists()


def test_a_line_cut_short_by_a_power_loss_is_skipped():
    body = b"7 2030-01-01\n7 2030-01-01\n8 2030-01-02\n1\n12 2030-0"
    assert parse_views(body) == {7: {DAY: 2}, 8: {date(2030, 1, 2): 1}}


def test_views_are_still_tallied_when_no_log_file_can_be_made(settings, tmp_path, post, caplog):
    settings.BLOG_VIEWS_LOG_DIR = tmp_path / "a-file"
    settings.BLOG_VIEWS_LOG_DIR.write_text("not a directory")
    tally = worker()
    attempts = []
    open_new = tally._log._open_new
    tally._log._open_new = lambda: attempts.append(1) or open_new()
    assert [tally.count(post.pk, DAY, every=60) for _ in range(3)] == [1, 2, 3]
    assert caplog.text.count("views are tallied in memory only") == 1
    assert len(attempts) == 1  # tried again at the next write, not on every view
    tally.flush()
    assert views_of(post) == 3
    tally.count(post.pk, DAY, every=60)
    assert len(attempts) == 2


def test_a_view_is_still_counted_when_its_line_cannot_be_written(log_dir, post, caplog):
    tally = worker()
    tally.count(post.pk, DAY, every=60)
    full_disk = os.open("/dev/full", os.O_WRONLY)  # every write: ENOSPC
    os.dup2(full_disk, tally._log._current.fd)
    os.close(full_disk)
    assert [tally.count(post.pk, DAY, every=60) for _ in range(2)] == [2, 3]
    assert caplog.text.count("views are tallied in memory only") == 1
    tally.flush()
    assert views_of(post) == 3
    assert log_files(log_dir) == []


def _children(pid):
    return [int(child) for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]


@pytest.mark.django_db(transaction=True)
def test_no_view_is_lost_when_every_worker_is_killed_outright(post):
    """120 concurrent new readers through three workers that never write their tally; every
    process is then killed with SIGKILL. The next server's workers write all 120, once."""
    server = GunicornServer(BLOG_VIEWS_FLUSH_SECONDS="3600")

    def read(server):
        url = server.url + post.get_absolute_url()
        with urlopen(Request(url, headers={"User-Agent": BROWSER}), timeout=30) as response:
            return response.status

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(read, [server] * 120))
    # Workers first: a worker whose master dies shuts down gracefully and writes its tally.
    for worker_pid in _children(server.process.pid):
        os.kill(worker_pid, signal.SIGKILL)
    server.process.kill()
    server.stop()
    assert statuses == [200] * 120
    assert views_of(post) == 0

    server = GunicornServer(BLOG_VIEWS_FLUSH_SECONDS="0.2")
    try:
        assert read(server) == 200  # a worker's first counted view starts its writes
        deadline = time.monotonic() + 10
        while views_of(post) < 121 and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(0.5)  # time enough for a second write, if anything were counted twice
        written = views_of(post)
    finally:
        server.stop()
    assert written == 121
    assert sum(daily_views_of(post).values()) == 121
    assert not WrittenViewLog.objects.exists()


def test_the_system_check_warns_when_the_log_directory_cannot_be_written(settings, tmp_path):
    settings.BLOG_VIEWS_FLUSH_SECONDS = 1
    settings.BLOG_VIEWS_LOG_DIR = tmp_path / "not-yet" / "view-logs"
    assert view_log_directory_writable(None) == []  # made at the first view
    settings.BLOG_VIEWS_LOG_DIR = tmp_path / "a-file" / "view-logs"
    (tmp_path / "a-file").write_text("not a directory")
    assert [warning.id for warning in view_log_directory_writable(None)] == ["blog.W001"]
    settings.BLOG_VIEWS_FLUSH_SECONDS = 0  # every view written as it happens: no log
    assert view_log_directory_writable(None) == []
