"""The set-based SQL that lists a warning's recipients: one ``INSERT … SELECT`` per step, never
per-row ORM (shared by :mod:`.dissemination` and :mod:`.batches`)."""

from __future__ import annotations

import numpy as np
from django.db import connection
from django.utils import timezone

from . import targeting
from .models import Delivery, Subscriber

DELIVERY_COLUMNS = ("warning_id, channel, recipient_kind, recipient_id, address, division_code, status, attempts, "
                    "next_attempt_at, sent_at, delivered_at, external_id, last_error, created_at")


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def insert_deliveries(warning_id: int, channel: str, kind: str, source: str, id_col: str, address_col: str,
                      division_col: str, where: str, params: list, status: str = "queued", now=None) -> int:
    """Queue one delivery per row of ``source`` matching ``where`` (a recipient already listed for
    the warning and channel is skipped), due at ``now``. Returns the rows queued."""
    now = stored_time(now or timezone.now())
    delivered = now if status == "delivered" else None
    sql = (f"INSERT INTO {table(Delivery)} ({DELIVERY_COLUMNS}) "
           f"SELECT %s, %s, %s, {id_col}, {address_col}, {division_col}, %s, 0, %s, %s, %s, '', '', %s "
           f"FROM {source} WHERE {where} ON CONFLICT DO NOTHING")
    with connection.cursor() as cursor:
        cursor.execute(sql, [warning_id, channel, kind, status, now, delivered, delivered, now, *params])
        return max(cursor.rowcount, 0)


def stored_time(moment):
    """A datetime as the ORM stores it (on SQLite: naive UTC text), so that rows written here
    compare equal to the ORM's parameters — Python's own adapter would add "+00:00", and such a
    row would not be due at the very moment it was queued for."""
    return connection.ops.adapt_datetimefield_value(moment)


def division_condition(column: str, codes: list[str]) -> tuple[str, list]:
    """``column`` within any of ``codes`` (closed code ranges: index-friendly)."""
    parts, params = [], []
    for code in codes:
        low, high = targeting.code_range(code)
        parts.append(f"({column} BETWEEN %s AND %s)")
        params += [low, high]
    return " OR ".join(parts) or "1=0", params


def subscriber_id_ranges(chunk: int | None) -> list[tuple[int, int]]:
    """Id ranges covering every subscriber: one range, or ``chunk``-sized ones (progress steps)."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT MIN(id), MAX(id) FROM {table(Subscriber)}")
        low, high = cursor.fetchone()
    if low is None:
        return []
    if not chunk:
        return [(low, high)]
    return [(start, min(start + chunk - 1, high)) for start in range(low, high + 1, chunk)]


def drawn_subscribers(geometry, exclude: tuple[str, list] = ("", [])) -> tuple[np.ndarray, np.ndarray]:
    """Ids (ascending) and 12-digit division codes of the active located subscribers inside the drawn
    area — bbox in SQL, then ``shapely.contains_xy`` — leaving out those matching ``exclude``
    (a condition and its parameters)."""
    minx, miny, maxx, maxy = geometry.bounds
    where, params = "active AND lon BETWEEN %s AND %s AND lat BETWEEN %s AND %s", [minx, maxx, miny, maxy]
    if exclude[0]:
        where += f" AND NOT ({exclude[0]})"
        params += exclude[1]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT id, lon, lat, division_code FROM {table(Subscriber)} WHERE {where} ORDER BY id", params)
        rows = cursor.fetchall()
    if not rows:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype=str)
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    lons = np.fromiter((r[1] for r in rows), dtype=np.float64, count=len(rows))
    lats = np.fromiter((r[2] for r in rows), dtype=np.float64, count=len(rows))
    codes = np.asarray([r[3] for r in rows])
    inside = targeting.points_inside(geometry, np.arange(len(rows)), lons, lats)
    return ids[inside], codes[inside]


def unlocated_touched_condition(geometry) -> tuple[str, list] | None:
    """Active subscribers without a location registered in a township (or, for county-level
    registrations, a county) that the drawn area touches — reached rather than missed."""
    touched = targeting.divisions_touched(geometry)
    towns, counties = [c[:9] for c in touched["township"]], touched["county"]
    if not towns and not counties:
        return None
    parts, params = [], []
    if towns:
        parts.append(f"substr(division_code, 1, 9) IN ({', '.join(['%s'] * len(towns))})")
        params += towns
    if counties:
        parts.append(f"division_code IN ({', '.join(['%s'] * len(counties))})")
        params += counties
    return f"active AND lon IS NULL AND ({' OR '.join(parts)})", params
