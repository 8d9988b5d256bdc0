"""Reading series for charts and the API (raw or downsampled), hourly roll-ups and the
retention policy.

Retention (see docs/monitoring.md): raw readings are kept ``YINGJI_MONITOR_RAW_DAYS`` days
(default 90) and only once their hour has been rolled up; hourly roll-ups (count, min, max,
mean) are kept indefinitely, so long ranges stay drawable after the raw rows are gone. On
PostgreSQL whole month partitions are dropped (:mod:`.partitions`), the rest deleted.
"""

from __future__ import annotations

import datetime as dt
import os
import time

from django.db import connection, transaction
from django.utils import timezone

from yingji.core.errors import ValidationFailed

from . import partitions
from .models import HourlyRollup, MonitoringState, QuarantinedMessage, Reading

HOUR_MS = 3600 * 1000
BUCKETS_S = [60, 300, 900, 3600, 6 * 3600, 86400]
MAX_RAW_POINTS = 2000
TARGET_POINTS = 600
WATERMARK = "rollup_until"


def raw_retention_days() -> int:
    return int(os.environ.get("YINGJI_MONITOR_RAW_DAYS", "90"))


def _watermark() -> int:
    row = MonitoringState.objects.filter(key=WATERMARK).values_list("value", flat=True).first()
    return row or 0


def rollup(now_ms: int | None = None) -> int:
    """Recompute the hourly roll-ups from the watermark (less two hours, for late readings)
    up to the last complete hour. Returns the number of hour rows written."""
    now_ms = now_ms or int(time.time() * 1000)
    until = now_ms // HOUR_MS * HOUR_MS
    start = max(0, _watermark() - 2 * HOUR_MS)
    if start == 0:
        first = Reading.objects.order_by("t").values_list("t", flat=True).first()
        if first is None:
            return 0
        start = first // HOUR_MS * HOUR_MS
    if start >= until:
        return 0
    table, rollups = Reading._meta.db_table, HourlyRollup._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {rollups} (sensor_id, hour, n, vmin, vmax, vsum) "
            f"SELECT sensor_id, (t / {HOUR_MS}) * {HOUR_MS}, COUNT(*), MIN(value), MAX(value), SUM(value) "
            f"FROM {table} WHERE t >= %s AND t < %s GROUP BY sensor_id, (t / {HOUR_MS}) "
            f"ON CONFLICT (sensor_id, hour) DO UPDATE SET n = excluded.n, vmin = excluded.vmin, "
            f"vmax = excluded.vmax, vsum = excluded.vsum", [start, until])
        written = cursor.rowcount
        MonitoringState.objects.update_or_create(key=WATERMARK, defaults={"value": until})
    return max(written, 0)


def prune(now_ms: int | None = None) -> dict[str, int]:
    """Apply the retention policy: raw readings older than the retention period (and rolled
    up: the cutoff never passes the roll-up watermark), quarantined messages older than 90 days.
    ``readings`` counts the rows deleted one by one; ``partitions_dropped`` the month partitions
    dropped whole (PostgreSQL)."""
    now_ms = now_ms or int(time.time() * 1000)
    cutoff = min(now_ms - raw_retention_days() * 86400 * 1000, _watermark())
    result = partitions.prune_readings(cutoff)
    old, _ = QuarantinedMessage.objects.filter(received_at__lt=timezone.now() - dt.timedelta(days=90)).delete()
    return {**result, "quarantined": old}


def choose_bucket(start_ms: int, end_ms: int) -> int:
    """0 (raw) for short ranges, else the smallest bucket giving ≤ ~600 points."""
    span_s = max(1, (end_ms - start_ms) // 1000)
    if span_s <= 6 * 3600:
        return 0
    for bucket in BUCKETS_S:
        if span_s / bucket <= TARGET_POINTS:
            return bucket
    return BUCKETS_S[-1]


def series(sensor_id: int, start_ms: int, end_ms: int, bucket_s: int | None = None) -> dict:
    """``{"bucket_s", "points"}``: raw points ``[t, v]`` or buckets ``[t, min, mean, max, n]``."""
    if end_ms <= start_ms:
        raise ValidationFailed("结束时间必须晚于开始时间", fields={"end": ["必须晚于开始时间"]})
    if bucket_s is None:
        bucket_s = choose_bucket(start_ms, end_ms)
    if bucket_s < 0:
        raise ValidationFailed("bucket 不能为负数", fields={"bucket": ["不能为负数"]})
    if bucket_s == 0:
        rows = list(Reading.objects.filter(sensor_id=sensor_id, t__gte=start_ms, t__lt=end_ms)
                    .order_by("t").values_list("t", "value")[:MAX_RAW_POINTS + 1])
        if len(rows) <= MAX_RAW_POINTS:
            return {"bucket_s": 0, "points": [list(r) for r in rows]}
        bucket_s = next(b for b in BUCKETS_S if (end_ms - start_ms) / 1000 / b <= TARGET_POINTS * 2) \
            if (end_ms - start_ms) / 1000 / BUCKETS_S[-1] <= TARGET_POINTS * 2 else BUCKETS_S[-1]
    bucket_ms = bucket_s * 1000
    if bucket_ms % HOUR_MS == 0:
        points = _hourly_series(sensor_id, start_ms, end_ms, bucket_ms)
    else:
        points = _raw_buckets(sensor_id, start_ms, end_ms, bucket_ms)
    return {"bucket_s": bucket_s, "points": points}


def _raw_buckets(sensor_id: int, start_ms: int, end_ms: int, bucket_ms: int) -> list[list]:
    table = Reading._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (t / {bucket_ms}) * {bucket_ms} AS b, MIN(value), SUM(value), MAX(value), COUNT(*) FROM {table} "
            f"WHERE sensor_id = %s AND t >= %s AND t < %s GROUP BY (t / {bucket_ms}) ORDER BY b",
            [sensor_id, start_ms, end_ms])
        return [[int(b), lo, total / n, hi, n] for b, lo, total, hi, n in cursor.fetchall()]


def _hourly_series(sensor_id: int, start_ms: int, end_ms: int, bucket_ms: int) -> list[list]:
    """Hours before the roll-up watermark from the roll-up table, later ones from raw rows."""
    watermark = _watermark()
    merged: dict[int, list] = {}

    def add(bucket: int, lo: float, hi: float, total: float, n: int) -> None:
        cur = merged.get(bucket)
        if cur is None:
            merged[bucket] = [lo, hi, total, n]
        else:
            cur[0], cur[1], cur[2], cur[3] = min(cur[0], lo), max(cur[1], hi), cur[2] + total, cur[3] + n

    for hour, n, lo, hi, total in HourlyRollup.objects.filter(
            sensor_id=sensor_id, hour__gte=start_ms, hour__lt=min(end_ms, watermark)).values_list(
            "hour", "n", "vmin", "vmax", "vsum"):
        add(hour // bucket_ms * bucket_ms, lo, hi, total, n)
    raw_from = max(start_ms, watermark)
    if raw_from < end_ms:
        for b, lo, mean, hi, n in _raw_buckets(sensor_id, raw_from, end_ms, HOUR_MS):
            add(b // bucket_ms * bucket_ms, lo, hi, mean * n, n)
    return [[b, v[0], v[2] / v[3], v[1], v[3]] for b, v in sorted(merged.items())]
