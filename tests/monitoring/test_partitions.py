"""Readings in monthly partitions on PostgreSQL, one plain table on SQLite (issue 20): retention
drops whole months once rolled up and long ranges stay drawable; a reading of a month without a
partition is still stored and moves into its month when that partition is created; an existing
installation's readings survive the migration. Every test runs on both databases."""

from __future__ import annotations

import os
import time

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

DAY = 86_400_000
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith("postgres")


def now_ms() -> int:
    return int(time.time() * 1000)


def sql(query: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(query, params)
        return cursor.fetchall()


def is_partitioned() -> bool:
    return bool(sql("SELECT 1 FROM pg_partitioned_table WHERE partrelid = 'monitoring_reading'::regclass"))


def partition_names() -> set[str]:
    return {name for (name,) in sql("SELECT inhrelid::regclass::text FROM pg_inherits "
                                    "WHERE inhparent = 'monitoring_reading'::regclass")}


def home_of(sensor_id: int, t: int) -> str:
    """The partition a stored reading lives in."""
    return sql("SELECT tableoid::regclass::text FROM monitoring_reading WHERE sensor_id = %s AND t = %s",
               [sensor_id, t])[0][0]


def test_readings_are_partitioned_by_month_on_postgres_only(db):
    from yingji.monitoring import partitions

    year, month = partitions.month_of(now_ms())
    if connection.vendor == "postgresql":
        assert is_partitioned()
        assert sql("SELECT partstrat FROM pg_partitioned_table WHERE partrelid = 'monitoring_reading'::regclass") == [("r",)]
        names = partition_names()
        assert {partitions.month_name(year, month), partitions.month_name(year, month + 1) if month < 12
                else partitions.month_name(year + 1, 1), "monitoring_reading_default"} <= names
        assert partitions.ensure_partitions() == []  # the migration made the months ahead already
    else:
        assert partitions.is_partitioned() is False and partitions.partitions() == []
        assert partitions.ensure_partitions() == []


def test_retention_drops_old_months_and_keeps_the_rollups_drawable(tank, monkeypatch):
    from yingji.monitoring import partitions, series
    from yingji.monitoring.ingest import insert_readings
    from yingji.monitoring.models import HourlyRollup, Reading

    _, level, _ = tank
    end = now_ms() // DAY * DAY
    start = end - 200 * DAY
    # An installation running for 200 days: the sweep created each month ahead as it went.
    partitions.ensure_partitions(start, ahead=9)
    stored = insert_readings([(level.pk, t, float((t // 3_600_000) % 24), None) for t in range(start, end, 600_000)])
    assert stored == 200 * 144
    monkeypatch.setenv("YINGJI_MONITOR_RAW_DAYS", "90")
    cutoff = end - 90 * DAY

    # Not rolled up yet: nothing is removed, whatever its age.
    assert series.prune(end)["readings"] == 0 and Reading.objects.count() == 200 * 144

    assert series.rollup(end + 1) == 200 * 24
    before = set(partitions.partitions())
    pruned = series.prune(end)
    assert Reading.objects.filter(t__lt=cutoff).count() == 0
    assert Reading.objects.count() == 90 * 144  # every reading since the cutoff kept
    if connection.vendor == "postgresql":
        gone = {name for name, lo, hi in before if hi is not None and hi <= cutoff}
        assert len(gone) >= 2 and pruned["partitions_dropped"] == len(gone)
        assert not gone & partition_names()
        # Only the month holding the cutoff was trimmed row by row.
        assert 0 <= pruned["readings"] < 31 * 144
    else:
        assert pruned == {"readings": 110 * 144, "partitions_dropped": 0, "quarantined": 0}
    assert HourlyRollup.objects.count() == 200 * 24
    drawn = series.series(level.pk, start, end, None)
    assert drawn["bucket_s"] == 86400 and len(drawn["points"]) == 200
    assert all(p[1] == 0.0 and p[3] == 23.0 and p[4] == 144 for p in drawn["points"])


def test_a_reading_of_a_far_month_is_stored_and_moves_into_its_partition(tank):
    from yingji.monitoring import partitions
    from yingji.monitoring.ingest import insert_readings
    from yingji.monitoring.models import Reading

    _, level, _ = tank
    year, month = partitions.month_of(now_ms())
    far = partitions.month_start_ms(year, month + 14) + 5 * DAY  # a device clock a year off
    assert insert_readings([(level.pk, far, 3.5, 7)]) == 1
    assert Reading.objects.get(sensor_id=level.pk, t=far).value == 3.5
    if connection.vendor == "postgresql":
        assert home_of(level.pk, far) == "monitoring_reading_default"
        # Months later the sweep creates that month: the reading moves out of the DEFAULT partition.
        created = partitions.ensure_partitions(partitions.month_start_ms(year, month + 12))
        far_month = partitions.month_name(*partitions.month_of(far))
        assert far_month in created and home_of(level.pk, far) == far_month
        assert sql("SELECT COUNT(*) FROM monitoring_reading_default") == [(0,)]
    else:
        assert partitions.ensure_partitions(far) == []
    # Still one row per (sensor, t): a repeat delivery is not stored twice.
    assert insert_readings([(level.pk, far, 3.5, 7)]) == 0
    assert Reading.objects.filter(sensor_id=level.pk).count() == 1


def test_the_ingest_stores_each_reading_once_in_the_partitioned_table(pipeline, tank):
    from tests.monitoring.conftest import feed
    from yingji.monitoring.models import LatestValue, Reading

    _, level, _ = tank
    start = now_ms() - 60_000
    feed(pipeline, "TANK-LV", [5.0, 5.1, 5.2], start_ms=start)
    again = feed(pipeline, "TANK-LV", [5.0, 5.1, 5.2], start_ms=start)
    assert [r.stored for r in again] == [0, 0, 0]
    assert Reading.objects.filter(sensor_id=level.pk).count() == 3
    assert LatestValue.objects.get(sensor_id=level.pk).value == 5.2
    if connection.vendor == "postgresql":
        assert home_of(level.pk, start) != "monitoring_reading_default"


# SQLite cannot change its schema inside the test's transaction; PostgreSQL can (and a flush after a
# transactional test there would hit the audit log's append-only triggers).
@pytest.mark.django_db(transaction=not ON_POSTGRES)
def test_upgrade_keeps_every_reading_of_the_plain_table(tank):
    from yingji.monitoring import partitions
    from yingji.monitoring.ingest import insert_readings
    from yingji.monitoring.models import Reading

    _, level, temp = tank
    executor = MigrationExecutor(connection)
    executor.migrate([("monitoring", "0004_registry_names")])  # the previous release's table
    if connection.vendor == "postgresql":
        assert not is_partitioned()
    now = now_ms()
    year, month = partitions.month_of(now)
    times = [now - 400 * DAY, now - 70 * DAY, now - 35 * DAY, now - 1000, partitions.month_start_ms(year, month + 8)]
    rows = [(sensor.pk, t, float(i), i) for i, t in enumerate(times) for sensor in (level, temp)]
    assert insert_readings(rows) == len(rows)

    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert sorted(Reading.objects.values_list("sensor_id", "t", "value", "seq")) == sorted(rows)
    assert insert_readings(rows[:2]) == 0  # the primary key still refuses a second copy
    if connection.vendor == "postgresql":
        assert is_partitioned()
        assert home_of(level.pk, now - 1000) == partitions.month_name(year, month)
        assert home_of(level.pk, now - 70 * DAY) == partitions.month_name(*partitions.month_of(now - 70 * DAY))
        assert home_of(level.pk, times[-1]) == "monitoring_reading_default"  # beyond the months ahead
        assert sql("SELECT indexdef FROM pg_indexes WHERE tablename = 'monitoring_reading' AND indexname = "
                   "'monitoring_reading_pkey'")[0][0].endswith("(sensor_id, t)")
        assert sql("SELECT 1 FROM pg_class WHERE relname = 'monitoring_reading_unpartitioned'") == []
