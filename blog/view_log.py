"""Tallied views also appended to a file, so that a worker killed outright loses none.

A worker's tally (blog/view_tally.py) holds views in memory until its next write, up to a
second. A worker killed outright (SIGKILL, the kernel's OOM killer, a hung worker killed after
gunicorn's grace period) would take them with it. Each view is therefore also appended to a
log file of the worker's own, one write(2) and no fsync: the kernel keeps what a process wrote
however the process ends, so only the machine losing power can lose the last second of views,
which is what PostgreSQL's asynchronous commit promises too.

Each view is counted exactly once:
- A worker appends to a file of its own, a new one for each write of its tally, and holds an
  exclusive flock on it while it lives.
- The tally writes a file's views in one transaction that also records the file's name
  (WrittenViewLog); after the commit the file is removed, then the record.
- A file whose flock can be taken has no owner left: a worker killed, or a write that failed and
  released its file. Any worker adopts it and writes its views, unless its name is recorded:
  then the owner died between the commit and the removal, and the file is only removed.
- Files start with the database they count for, so that a log left by a site on another
  database (a test run, a copy of the site) is never added to this one's counts.
"""

import fcntl
import hashlib
import logging
import os
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import DatabaseError

logger = logging.getLogger(__name__)

SUFFIX = ".views"
FORMAT = b"blog view log 1"


def database_key(settings_dict) -> str:
    """Which database a log counts for: its engine, host, port and name, hashed."""
    identity = "|".join(
        str(settings_dict.get(key) or "") for key in ("ENGINE", "HOST", "PORT", "NAME")
    )
    return hashlib.sha256(identity.encode()).hexdigest()[:16]


@dataclass
class LogFile:
    """One file of views, open and flocked by this process."""

    path: Path
    fd: int
    pid: int = field(default_factory=os.getpid)

    @property
    def name(self) -> str:
        return self.path.name

    def remove(self) -> None:
        """The file's views are in the database: remove the file, under the lock, then close it."""
        self.path.unlink(missing_ok=True)
        os.close(self.fd)

    def release(self) -> None:
        """Leave the file for a worker to adopt (its views are not known to be written)."""
        os.close(self.fd)


@dataclass
class Orphan:
    """An adopted file: the views it holds, and whether they are already written."""

    file: LogFile
    views: dict[int, Counter[date]]
    written: bool


class ViewLog:
    """A worker's log files in one directory, and the files left there by workers gone."""

    def __init__(
        self,
        directory: Callable[[], Path],
        database: Callable[[], str],
        is_written: Callable[[str], bool],
        forget: Callable[[str], None],
    ):
        self._directory = directory
        self._database = database
        self._is_written = is_written
        self._forget = forget
        self._current: LogFile | None = None
        self._cannot_open = False  # a file could not be made since the last seal
        self._failure_logged = False

    def append(self, post_id: int, day: date) -> None:
        """Add a view to this worker's current file (the caller serializes calls)."""
        current = self._current
        if current is None or current.pid != os.getpid():  # none yet, or a forked parent's
            if self._cannot_open:  # tried since the last seal; not on every view
                return
            current = self._current = self._open_new()
            if current is None:
                self._cannot_open = True
                return
        try:
            os.write(current.fd, b"%d %s\n" % (post_id, day.isoformat().encode()))
        except OSError:  # the disk is full: the view is still tallied, the page still served
            self._log_failure(current.path.parent)

    def seal(self) -> LogFile | None:
        """Close the current file to new views and hand it over; the next view starts another."""
        current, self._current = self._current, None
        self._cannot_open = False
        if current is not None and current.pid != os.getpid():
            return None
        return current

    def done(self, file: LogFile) -> None:
        """The file's views are committed, its name with them: remove it, then the name."""
        file.remove()
        try:
            self._forget(file.name)
        except DatabaseError:  # a name left behind only takes a row; its file is gone
            logger.warning("reader counts: the name of a written log file kept", exc_info=True)

    def orphans(self) -> Iterator[Orphan]:
        """Adopt, one at a time, the files for this database that no live worker holds.

        The caller writes each orphan's views (unless written) and calls `done`, or releases
        the file to leave it for the next try.
        """
        try:
            entries = list(os.scandir(self._directory()))
        except OSError:  # none made yet, or none can be (append logs why)
            return
        for entry in entries:
            if not entry.name.endswith(SUFFIX):
                continue
            adopted = self._adopt(Path(entry.path))
            if adopted is None:
                continue
            file, views = adopted
            try:
                written = self._is_written(file.name)
            except BaseException:
                file.release()
                raise
            yield Orphan(file, views, written)

    def _adopt(self, path: Path) -> tuple[LogFile, dict[int, Counter[date]]] | None:
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:  # removed meanwhile, or not ours to read
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # its worker is alive (or another worker is adopting it)
            os.close(fd)
            return None
        # Removed by the worker that held it before us: its views are written.
        if os.fstat(fd).st_nlink == 0:
            os.close(fd)
            return None
        with os.fdopen(os.dup(fd), "rb") as reading:
            content = reading.read()
        header, _, body = content.partition(b"\n")
        if header != self._header():  # another database's, or not a log at all: left alone
            os.close(fd)
            return None
        return LogFile(path, fd), parse_views(body)

    def _header(self) -> bytes:
        return FORMAT + b" " + self._database().encode()

    def _open_new(self) -> LogFile | None:
        directory = self._directory()
        path = directory / f"{uuid.uuid4().hex}{SUFFIX}"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError:
            self._log_failure(directory)
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # a new name: only an adopter finding it empty waits
            os.write(fd, self._header() + b"\n")
        except OSError:
            path.unlink(missing_ok=True)
            os.close(fd)
            self._log_failure(directory)
            return None
        self._failure_logged = False
        return LogFile(path, fd)

    def _log_failure(self, directory):
        if not self._failure_logged:
            self._failure_logged = True
            logger.exception(
                "reader counts: cannot write a log file in %s; views are tallied in memory only",
                directory,
            )


def parse_views(body: bytes) -> dict[int, Counter[date]]:
    """The views in a file's lines; a line cut short by a power loss is skipped."""
    views: dict[int, Counter[date]] = {}
    for line in body.split(b"\n"):
        post_id, _, day = line.partition(b" ")
        try:
            parsed = int(post_id), date.fromisoformat(day.decode())
        except (ValueError, UnicodeDecodeError):
            continue
        views.setdefault(parsed[0], Counter())[parsed[1]] += 1
    return views
