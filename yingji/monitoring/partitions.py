"""Monthly partitions of the readings table on PostgreSQL, and raw-reading retention by partition.

On PostgreSQL ``monitoring_reading`` is partitioned by range of ``t`` (epoch milliseconds, UTC),
one partition per calendar month (UTC) named ``monitoring_reading_pYYYYMM``, plus a DEFAULT
partition for a reading outside every month (a device clock far off, a backfill older than the
oldest month). Migration ``monitoring.0005`` converts the table; afterwards the periodic sweep
calls :func:`ensure_partitions`, which keeps the current month and ``MONTHS_AHEAD`` months after it
created, so live readings never land in the DEFAULT partition. Retention (:func:`prune_readings`)
drops a month partition whole once all its hours are past the cutoff (cheap: no row-by-row
DELETE, no dead tuples for VACUUM, the space returned to the file system at once) and deletes row
by row only what is left older than the cutoff — part of one month and the DEFAULT partition.
SQLite keeps one plain table and always takes the DELETE path. docs/monitoring.md, docs/deploy.md.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import time

from django.db import DatabaseError, connection, transaction

from .models import Reading

log = logging.getLogger(__name__)
MONTHS_AHEAD = 3
LOCK_TIMEOUT = "5s"  # DDL on the table waits at most this for the ingest's short transactions
ADVISORY_KEY = 0x59_4A_52_50  # one partition maintainer at a time across ingest processes ("YJRP")
_BOUNDS = re.compile(r"FROM \('?(-?\d+)'?\) TO \('?(-?\d+)'?\)")


def table() -> str:
    return Reading._meta.db_table


def default_partition() -> str:
    return f"{table()}_default"


def month_name(year: int, month: int) -> str:
    return f"{table()}_p{year:04d}{month:02d}"


def month_start_ms(year: int, month: int) -> int:
    """Epoch ms of the first instant of a month (UTC); months past 12 roll into the next year."""
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return int(dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp() * 1000)


def month_of(t_ms: int) -> tuple[int, int]:
    when = dt.datetime.fromtimestamp(t_ms / 1000, tz=dt.UTC)
    return when.year, when.month


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(%s)", [table()])
        return cursor.fetchone() is not None


def partitions() -> list[tuple[str, int | None, int | None]]:
    """``(name, from_ms, to_ms)`` of every partition, in order; the DEFAULT one with ``None`` bounds."""
    if connection.vendor != "postgresql":
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i "
                       "JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(%s)", [table()])
        rows = cursor.fetchall()
    found = []
    for name, bound in rows:
        match = _BOUNDS.search(bound or "")
        found.append((name, int(match[1]), int(match[2])) if match else (name, None, None))
    return sorted(found, key=lambda p: (p[1] is None, p[1] or 0))


def ensure_partitions(now_ms: int | None = None, ahead: int = MONTHS_AHEAD) -> list[str]:
    """Create the month partitions from the current month to ``ahead`` months after it that do not
    exist yet; returns their names (none on SQLite or when all exist — safe to call every sweep).

    Readings of such a month already in the DEFAULT partition (sent before the month was created)
    are moved into the new partition in the same transaction: PostgreSQL refuses to create a
    partition while the DEFAULT one holds rows of its range."""
    if not is_partitioned():
        return []
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    year, month = month_of(now_ms)
    wanted = [(year + (month - 1 + k) // 12, (month - 1 + k) % 12 + 1) for k in range(ahead + 1)]
    have = {lo for _, lo, _ in partitions() if lo is not None}
    created = []
    for y, m in wanted:
        if month_start_ms(y, m) in have:
            continue
        try:
            if _create_month(y, m):
                created.append(month_name(y, m))
        except DatabaseError:  # a lock not granted in time: the next sweep tries again
            log.warning("creating the readings partition %s failed; retried at the next sweep", month_name(y, m),
                        exc_info=True)
    if created:
        log.info("created readings partitions %s", ", ".join(created))
    return created


def _create_month(year: int, month: int) -> bool:
    lo, hi = month_start_ms(year, month), month_start_ms(year, month + 1)
    name, parent, default = month_name(year, month), table(), default_partition()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_KEY])
        if any(p_lo == lo for _, p_lo, _ in partitions()):
            return False  # another process created it meanwhile
        overlap = [p for p, p_lo, p_hi in partitions() if p_lo is not None and p_lo < hi and p_hi > lo]
        if overlap:  # a partition of another shape (made by hand): leave the range to it
            log.warning("readings partition %s not created: %s covers part of its range", name, ", ".join(overlap))
            return False
        # No insert between moving the month's rows out of the DEFAULT partition and creating the
        # new partition (reads go on); held until commit, a few milliseconds when nothing moves.
        cursor.execute(f"LOCK TABLE {parent} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {default} WHERE t >= %s AND t < %s)", [lo, hi])
        moving = cursor.fetchone()[0]
        if moving:
            cursor.execute(f"CREATE TEMPORARY TABLE yingji_moving_readings ON COMMIT DROP AS "
                           f"SELECT sensor_id, t, value, seq FROM {default} WHERE t >= %s AND t < %s", [lo, hi])
            cursor.execute(f"DELETE FROM {default} WHERE t >= %s AND t < %s", [lo, hi])
        cursor.execute(f"CREATE TABLE {name} PARTITION OF {parent} FOR VALUES FROM ({lo}) TO ({hi})")
        if moving:
            cursor.execute(f"INSERT INTO {parent} (sensor_id, t, value, seq) "
                           f"SELECT sensor_id, t, value, seq FROM yingji_moving_readings")
            cursor.execute("DROP TABLE yingji_moving_readings")  # ON COMMIT DROP is late inside a savepoint
            log.info("moved %s readings from %s into %s", cursor.rowcount, default, name)
    return True


def drop_partitions_before(cutoff_ms: int) -> list[str]:
    """Drop the month partitions whose whole range is older than ``cutoff_ms``; returns their names."""
    dropped = []
    for name, lo, hi in partitions():
        if hi is None or hi > cutoff_ms:
            continue
        try:
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                cursor.execute(f"ALTER TABLE {table()} DETACH PARTITION {name}")
                cursor.execute(f"DROP TABLE {name}")
            dropped.append(name)
        except DatabaseError:
            log.warning("dropping the readings partition %s failed; retried at the next sweep", name, exc_info=True)
    if dropped:
        log.info("dropped readings partitions %s (older than the retention cutoff)", ", ".join(dropped))
    return dropped


def prune_readings(cutoff_ms: int) -> dict[str, int]:
    """Remove the raw readings older than ``cutoff_ms`` (the caller has made sure their hours are
    rolled up): whole partitions dropped first, then a DELETE of the rest (on SQLite, of all)."""
    if cutoff_ms <= 0:
        return {"readings": 0, "partitions_dropped": 0}
    dropped = drop_partitions_before(cutoff_ms) if is_partitioned() else []
    deleted, _ = Reading.objects.filter(t__lt=cutoff_ms).delete()
    return {"readings": deleted, "partitions_dropped": len(dropped)}
