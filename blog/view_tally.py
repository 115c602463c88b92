"""Tally readers in a worker's memory and write the tally every second (the default).

Counting each view in the database as it happens (blog/readers.py, BLOG_VIEWS_FLUSH_SECONDS=0)
costs a statement, its commit and the database's CPU on every new reader's visit: on the
benchmark machine more than the rest of a cached post page. With BLOG_VIEWS_FLUSH_SECONDS > 0 a
worker adds the view to a dictionary instead, and a thread of its own writes every post's views,
and each day's, in one transaction per interval, and once more when the worker exits
(gunicorn's graceful stop, a `max_requests` restart, a timeout's abort).

Counts stay exact: each write adds its views (`views = views + n`), so workers never
overwrite each other. Each view is also appended to the worker's log file (blog/view_log.py),
written with the same transaction: the views of a worker killed outright, or of a write that
failed (the database is down), stay in their file until a worker writes them, exactly once.
Only the machine losing power can lose the last interval's views.

The count a reader is shown is the database's total as this worker last wrote or read it,
plus the views it has tallied since: it rises with every view a worker serves and catches up
with the other workers' views at each write, or by reading the total again once it is older
than the interval (a post this worker serves rarely).
"""

import atexit
import logging
import os
import threading
import time
from collections import Counter
from collections.abc import Callable, Mapping
from datetime import date

from django.db import DatabaseError, connections

from .view_log import ViewLog

logger = logging.getLogger(__name__)

Views = Mapping[int, Mapping[date, int]]  # post id → day → views
ReadTotal = Callable[[int], int | None]  # a public post's total; None if not public
# Add views, recording the log file they came from (if any) in the same transaction; the new
# totals of the posts still public.
WriteViews = Callable[[Views, str | None], dict[int, int]]


class ViewTally:
    """One worker's views not yet written, and the totals it last saw, per post."""

    def __init__(
        self,
        read_total: ReadTotal,
        write: WriteViews,
        *,
        log: ViewLog | None = None,
        in_background: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._read_total = read_total
        self._write = write
        self._log = log
        self._in_background = in_background
        self._clock = clock
        self._lock = threading.Lock()
        self._totals: dict[int, int] = {}  # public posts only
        self._read_at: dict[int, float] = {}  # when each total was last read or written
        self._pending: dict[int, Counter[date]] = {}
        self._writing: Counter[int] = Counter()  # shown while their write is under way
        self._flusher_pid: int | None = None

    def count(self, post_id: int, day: date, every: float) -> int | None:
        """Tally a view of a public post; the count to show, or None if the post is not public."""
        if self.total(post_id, every) is None:
            return None
        with self._lock:
            if post_id not in self._totals:  # a write found it no longer public just now
                return None
            self._pending.setdefault(post_id, Counter())[day] += 1
            if self._log is not None:
                self._log.append(post_id, day)
            shown = self._shown(post_id)
        if self._in_background:
            self._start_flushing(every)
        return shown

    def total(self, post_id: int, every: float) -> int | None:
        """The count to show a reader who is not counted; None if the post is not public."""
        with self._lock:
            if post_id in self._totals and not self._outdated(post_id, every):
                return self._shown(post_id)
        total = self._read_total(post_id)
        with self._lock:
            if total is None:
                self._totals.pop(post_id, None)
                return None
            if post_id not in self._writing:  # else the total read may hold the write or not
                self._remember(post_id, total)
            return self._shown(post_id) if post_id in self._totals else total

    def flush(self) -> None:
        """Write the views tallied so far, then any views left in log files by workers gone.

        Without a log, the views of a failed write stay in memory for the next one; with one,
        they stay in their file, which the next write adopts.
        """
        with self._lock:
            pending, self._pending = self._pending, {}
            log_file = self._log.seal() if self._log is not None else None
            for post_id, days in pending.items():
                self._writing[post_id] += days.total()
        if pending:
            self._write_pending(pending, log_file)
        if self._log is not None:
            self._write_orphans()

    def _write_pending(self, pending, log_file):
        written = None
        try:
            written = self._write(pending, log_file.name if log_file else None)
        except DatabaseError:
            logger.warning("reader counts not written, kept for the next try", exc_info=True)
        finally:
            with self._lock:
                self._settle(pending, written, keep=log_file is None)
            if log_file is not None and written is None:
                # Adopted by the next write, here or in another worker, which learns from the
                # database whether this write committed after all.
                log_file.release()
            elif log_file is not None:
                self._log.done(log_file)

    def _write_orphans(self):
        try:
            for orphan in self._log.orphans():
                try:
                    if not orphan.written:
                        self._write(orphan.views, orphan.file.name)
                except BaseException:
                    orphan.file.release()
                    raise
                self._log.done(orphan.file)
        except DatabaseError:
            logger.warning("views left by another worker not written yet", exc_info=True)

    def _settle(self, pending, written, keep):
        for post_id, days in pending.items():
            self._writing[post_id] -= days.total()
            if not self._writing[post_id]:
                del self._writing[post_id]
            if written is None:
                if keep:
                    self._pending.setdefault(post_id, Counter()).update(days)
            elif post_id in written:
                self._remember(post_id, written[post_id])
            else:  # no longer public: the next view reads it again and is refused
                self._totals.pop(post_id, None)

    def _remember(self, post_id, total):
        self._totals[post_id] = total
        self._read_at[post_id] = self._clock()

    def _outdated(self, post_id, every):
        return post_id not in self._writing and self._clock() - self._read_at[post_id] > every

    def _shown(self, post_id):
        pending = self._pending.get(post_id)
        return self._totals[post_id] + self._writing[post_id] + (pending.total() if pending else 0)

    def _start_flushing(self, every):
        # Per process: a gunicorn worker forked from a master that tallied would need its own.
        pid = os.getpid()
        if self._flusher_pid == pid:
            return
        with self._lock:
            if self._flusher_pid == pid:
                return
            self._flusher_pid = pid
        threading.Thread(
            target=self._flush_every, args=(every,), name="view-tally", daemon=True
        ).start()
        atexit.register(self.flush)

    def _flush_every(self, seconds):
        while True:
            time.sleep(seconds)
            try:
                self.flush()
            except Exception:  # the thread must outlive a bug in one write; the views are kept
                logger.exception("writing reader counts failed")
            finally:
                # Between writes the thread holds no connection (nor a slot of the pool).
                connections.close_all()
