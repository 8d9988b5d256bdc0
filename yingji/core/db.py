"""Reads that may be served by a read replica (``DATABASE_REPLICA_URL``, docs/deploy.md).

A streaming replica is a little behind the primary (usually well under a second, more under load
or after a network hiccup). So the replica is opt-in per read, through this one helper, for pure
reads whose reader cannot tell a slightly older answer from a current one — registry lists and
their exports, the home page counts, registry map layers, statistics and public listings — never
for a read that decides a write, a form, or a page refreshed by a live event (alarms, the incident
board: the event is sent when the primary commits, the replica may not have the row yet).

``read_alias()`` answers ``"default"`` (the primary) whenever:

* no replica is configured (the embedded and single-database installs: nothing changes);
* the read happens inside a transaction on the primary (a read that is part of a write);
* the current request writes (not GET/HEAD/OPTIONS) or follows a write of the same browser within
  ``YINGJI_REPLICA_PIN_SECONDS`` (default 10): :class:`yingji.core.middleware.ReplicaPinMiddleware`
  pins such requests to the primary, so a user who saved a record and is redirected to the list
  sees it (read-your-writes). Code may also pin explicitly with :func:`primary_only`.

Writes never go to the replica whatever a caller does: :class:`PrimaryRouter` sends every write
(also of an object read from the replica) and every migration to ``default``. We chose explicit
reads over a router that sends every read to the replica because most of the console reads to
act (detail before edit, queues, alarms) and would show stale state after the user's own write.
"""

from __future__ import annotations

import contextvars
import os
from contextlib import contextmanager

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections

REPLICA = "replica"
PIN_COOKIE = "yingji_primary"
_PINNED: contextvars.ContextVar[bool] = contextvars.ContextVar("yingji_read_primary", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(os.environ.get("YINGJI_REPLICA_PIN_SECONDS", "10"))


def read_alias() -> str:
    """The database alias for a pure read now: ``"replica"`` when configured and safe, else ``"default"``."""
    if not replica_configured() or _PINNED.get() or in_write_transaction():
        return DEFAULT_DB_ALIAS
    return REPLICA


def in_write_transaction() -> bool:
    """Inside ``transaction.atomic()`` on the primary — other than the transaction Django's test case
    wraps around each test (marked ``_from_testcase``), which is not a write of the code under test."""
    return any(not getattr(block, "_from_testcase", False) for block in connections[DEFAULT_DB_ALIAS].atomic_blocks)


def for_reading(queryset):
    """The queryset on the database :func:`read_alias` chooses (see the module's rules)."""
    return queryset.using(read_alias())


def pin(pinned: bool = True) -> contextvars.Token:
    return _PINNED.set(pinned)


def unpin(token: contextvars.Token) -> None:
    _PINNED.reset(token)


@contextmanager
def primary_only():
    """Every :func:`read_alias` inside reads from the primary (e.g. a read that must see a write
    another process just committed)."""
    token = pin(True)
    try:
        yield
    finally:
        unpin(token)


class PrimaryRouter:
    """``DATABASE_ROUTERS`` entry when a replica is configured: reads are left to the caller (the
    default, or the replica through :func:`for_reading`), writes and migrations always go to the
    primary — also the save of an object that was read from the replica."""

    def db_for_read(self, model, **hints):
        return None

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        return True  # one database, two copies of it

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS
