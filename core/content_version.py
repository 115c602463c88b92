"""The content version: one number that changes whenever anything readers can see changes.

Cached pages are filed under it (core/pagecache.py). What changes it is declared once, in
settings: saving or deleting a model of PAGE_CACHE_INVALIDATED_BY (connected here at start-up),
and the moments returned by PAGE_CACHE_SCHEDULES (a scheduled post going public). Writes that
bypass model signals (queryset updates, bulk inserts) call `bump()` themselves.

The number changes inside the writing transaction, so no process can see the new content
under the old number once the write has committed.
"""

import contextlib
import os
import secrets
import select
import time
from datetime import datetime
from functools import cache

import psycopg
from django.apps import apps
from django.conf import settings
from django.db import connections
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import ContentVersion

NOTIFY_CHANNEL = "content_version"
ROW_ID = 1


def bump() -> int:
    """Retire every cached page and return the new number; call inside the writing transaction."""
    next_change = _next_scheduled_change()
    # Random rather than +1: a database restored from a backup must not bring back a number
    # that cached pages of other content are still filed under.
    number = secrets.randbits(62)
    rows = ContentVersion.objects.filter(pk=ROW_ID)
    if not rows.update(number=number, next_change_at=next_change):
        ContentVersion.objects.update_or_create(
            pk=ROW_ID, defaults={"number": number, "next_change_at": next_change}
        )
    if connections["default"].vendor == "postgresql":
        payload = f"{number} {next_change.isoformat() if next_change else ''}".strip()
        with connections["default"].cursor() as cursor:
            # Delivered to the listeners when (and only if) this transaction commits.
            cursor.execute("SELECT pg_notify(%s, %s)", [NOTIFY_CHANNEL, payload])
    return number


def current() -> int:
    """Return the current number, changing it first if a scheduled moment has passed."""
    row = _listener.current() if _use_listener() else None
    if row is None:
        row = (
            ContentVersion.objects.filter(pk=ROW_ID).values_list("number", "next_change_at").first()
        )
    if row is None:
        return bump()
    number, next_change_at = row
    if next_change_at is not None and next_change_at <= timezone.now():
        # Written to the primary; a lagging replica may show the old row for a moment
        # more, so use the number just written rather than reading it back.
        return bump()
    return number


def _next_scheduled_change():
    moments = [moment for schedule in _schedules() if (moment := schedule()) is not None]
    return min(moments, default=None)


@cache
def _schedules():
    return [import_string(path) for path in settings.PAGE_CACHE_SCHEDULES]


# What changes it ---------------------------------------------------------------------------


def watch_models():
    """Connect every model of PAGE_CACHE_INVALIDATED_BY so that its writes bump the number."""
    for label, fields in settings.PAGE_CACHE_INVALIDATED_BY.items():
        model = apps.get_model(label)
        uid = f"content_version:{label}"
        post_save.connect(_saved(fields), sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(_deleted, sender=model, weak=False, dispatch_uid=uid)
        if model._meta.auto_created:  # the table behind a many-to-many field
            m2m_changed.connect(_relation_changed, sender=model, weak=False, dispatch_uid=uid)


def _saved(fields):
    watched = None if fields is None else frozenset(fields)

    def receiver(sender, update_fields=None, **kwargs):
        # A save limited to fields readers never see (a login's last_login) changes nothing.
        if watched is not None and update_fields is not None and not watched & update_fields:
            return
        bump()

    return receiver


def _deleted(sender, **kwargs):
    bump()


def _relation_changed(sender, action, **kwargs):
    if action in {"post_add", "post_remove", "post_clear"}:
        bump()


# Following it without a query --------------------------------------------------------------


class VersionListener:
    """Follow the number through Postgres LISTEN/NOTIFY instead of a query a request.

    Each process keeps one extra connection listening on NOTIFY_CHANNEL; a bump notifies
    it when its transaction commits. Reading the number is then a non-blocking look at
    that socket. If the connection is lost, readers fall back to querying until it is
    re-established. Not used with read replicas: there the number must be read from the
    same replica as the page's data, which a standby cannot LISTEN on.
    """

    RETRY_SECONDS = 5

    def __init__(self):
        self.connection = None
        self.socket_ready = None  # polls the connection's socket for something to read
        self.number = None
        self.next_change_at = None
        self.retry_at = 0.0
        self.pid = None

    def current(self):
        """Return (number, next_change_at), or None when the listener is unavailable."""
        if os.getpid() != self.pid:  # a forked worker must not share its parent's socket
            self.connection, self.pid = None, os.getpid()
        if self.connection is None:
            if not self._connect():
                return None
            # psycopg queues what arrived during the connecting queries: read it now.
            arrived = True
        else:
            # Mostly nothing has: one poll() is a tenth of what psycopg's notifies() costs
            # to find that out. A closed connection reads as ready too, and fails below.
            arrived = bool(self.socket_ready.poll(0))
        if not arrived:
            return self.number, self.next_change_at
        try:
            for notification in self.connection.notifies(timeout=0):
                number, _, next_at = notification.payload.partition(" ")
                self.number = int(number)
                self.next_change_at = datetime.fromisoformat(next_at) if next_at else None
        except psycopg.Error:
            self._close()
            return None
        return self.number, self.next_change_at

    def _connect(self):
        if time.monotonic() < self.retry_at:
            return False
        table = ContentVersion._meta.db_table
        try:
            self.connection = psycopg.connect(
                **_psycopg_params(connections["default"].settings_dict),
                autocommit=True,
                connect_timeout=2,
            )
            self.connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
            # Read after LISTEN so no bump can fall between the two.
            row = self.connection.execute(
                f"SELECT number, next_change_at FROM {table} WHERE id = %s", [ROW_ID]
            ).fetchone()
        except psycopg.Error:
            self._close()
            self.retry_at = time.monotonic() + self.RETRY_SECONDS
            return False
        if row is None:
            self._close()
            return False
        self.number, self.next_change_at = row
        self.socket_ready = select.poll()
        self.socket_ready.register(self.connection.fileno(), select.POLLIN)
        return True

    def _close(self):
        if self.connection is not None:
            with contextlib.suppress(Exception):
                self.connection.close()
        self.connection = None


def _psycopg_params(settings_dict):
    params = {"dbname": settings_dict["NAME"]}
    for key, name in [
        ("USER", "user"),
        ("PASSWORD", "password"),
        ("HOST", "host"),
        ("PORT", "port"),
    ]:
        if settings_dict.get(key):
            params[name] = settings_dict[key]
    return params


_listener = VersionListener()


def _use_listener():
    return (
        settings.PAGE_CACHE_VERSION_LISTENER
        and connections["default"].vendor == "postgresql"
        and not settings.DATABASE_REPLICAS
    )
