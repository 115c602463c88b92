"""Tally readers in a worker's memory and write the tally every few seconds (opt-in).

Counting each view in the database as it happens (blog/readers.py) costs a statement, its
commit and the database's CPU on every new reader's visit: on the benchmark machine more than
the rest of a cached post page. With BLOG_VIEWS_FLUSH_SECONDS > 0 a worker adds the view to a
dictionary instead, and a thread of its own writes every post's views, and each day's, in one
transaction per interval, and once more when the worker exits (gunicorn's graceful stop, a
`max_requests` restart, a timeout's abort).

Counts stay exact: each write adds its views (`views = views + n`), so workers never
overwrite each other, and a write that fails (the database is down) is kept and tried again.
What can be lost is the last interval of a worker killed outright (SIGKILL, the machine
losing power), which is why this is off by default.

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

logger = logging.getLogger(__name__)

Views = Mapping[int, Mapping[date, int]]  # post id → day → views
ReadTotal = Callable[[int], int | None]  # a public post's total; None if not public
WriteViews = Callable[[Views], dict[int, int]]  # add views; the new totals of public posts


class ViewTally:
    """One worker's views not yet written, and the totals it last saw, per post."""

    def __init__(
        self,
        read_total: ReadTotal,
        write: WriteViews,
        *,
        in_background: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._read_total = read_total
        self._write = write
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
        """Write the views tallied so far; if the write fails they stay for the next one."""
        with self._lock:
            pending, self._pending = self._pending, {}
            for post_id, days in pending.items():
                self._writing[post_id] += days.total()
        if not pending:
            return
        written = None
        try:
            written = self._write(pending)
        except DatabaseError:
            logger.warning("reader counts not written, kept for the next try", exc_info=True)
        finally:
            with self._lock:
                self._settle(pending, written)

    def _settle(self, pending, written):
        for post_id, days in pending.items():
            self._writing[post_id] -= days.total()
            if not self._writing[post_id]:
                del self._writing[post_id]
            if written is None:
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
