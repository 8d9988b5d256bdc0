"""On PostgreSQL, monitoring_reading becomes a table partitioned by month of ``t`` (issue 20).

The existing rows are kept: the plain table is renamed aside, a partitioned table of the same
columns, primary key (sensor_id, t) and indexes is created under the old name, with one partition
per month from the oldest reading (at most 24 months back; older rows go to the DEFAULT partition,
where retention deletes them) to three months ahead and a DEFAULT partition, the rows are copied
and the old table dropped — all in the migration's one transaction, with the table locked, so a
failure leaves the plain table as it was. The primary key still contains ``t`` (PostgreSQL requires
the partition key in every unique index), so the ingest's ``INSERT ... ON CONFLICT DO NOTHING``
keeps a reading delivered twice stored once. The months after that are created ahead of time by
:func:`yingji.monitoring.partitions.ensure_partitions` in the periodic sweep.

SQLite keeps the plain table (nothing to do). The SQL is written out here, not imported from the
app, so that this migration keeps doing what it did when the app's code changes later.
"""

import datetime as dt

from django.db import migrations

TABLE = "monitoring_reading"
DEFAULT = "monitoring_reading_default"
OLD = "monitoring_reading_unpartitioned"
MONTHS_BACK_MAX = 24
MONTHS_AHEAD = 3


def _month_ms(year: int, month: int) -> int:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return int(dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp() * 1000)


def _month_index(t_ms: int) -> int:
    when = dt.datetime.fromtimestamp(t_ms / 1000, tz=dt.UTC)
    return when.year * 12 + when.month - 1


def _set_aside(cursor, old_name: str) -> tuple[str, list[str]]:
    """Rename the table, its primary key and its other indexes out of the way; return the primary
    key's name and the CREATE INDEX statements that rebuild the indexes on a table of the old name."""
    cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
    cursor.execute("SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass AND contype = 'p'", [TABLE])
    pk_name = cursor.fetchone()[0]
    cursor.execute("SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                   "WHERE i.indrelid = %s::regclass AND NOT i.indisprimary ORDER BY c.relname", [TABLE])
    indexes = cursor.fetchall()
    cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {old_name}")
    cursor.execute(f'ALTER TABLE {old_name} RENAME CONSTRAINT "{pk_name}" TO {old_name}_pkey')
    for n, (name, _) in enumerate(indexes):
        cursor.execute(f'ALTER INDEX "{name}" RENAME TO {old_name}_ix{n}')
    # The definitions name the table by its old name, i.e. the new table; a partitioned table's are
    # "ON ONLY ..." (index of the parent alone), which the new table's must not be.
    return pk_name, [definition.replace(" ON ONLY ", " ON ") for _, definition in indexes]


def _rebuild(cursor, old_name: str, pk_name: str, indexes: list[str]) -> None:
    cursor.execute(f'ALTER TABLE {TABLE} ADD CONSTRAINT "{pk_name}" PRIMARY KEY (sensor_id, t)')
    for definition in indexes:
        cursor.execute(definition)
    cursor.execute(f"INSERT INTO {TABLE} (sensor_id, t, value, seq) SELECT sensor_id, t, value, seq FROM {old_name}")
    cursor.execute(f"DROP TABLE {old_name}")
    cursor.execute(f"ANALYZE {TABLE}")


def partition(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        if cursor.fetchone():
            return  # already partitioned (e.g. by hand before this release)
        pk_name, indexes = _set_aside(cursor, OLD)
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) PARTITION BY RANGE (t)")
        cursor.execute(f"SELECT MIN(t) FROM {OLD}")
        oldest = cursor.fetchone()[0]
        now = _month_index(int(dt.datetime.now(dt.UTC).timestamp() * 1000))
        first = now - 1 if oldest is None else max(min(_month_index(oldest), now - 1), now - MONTHS_BACK_MAX)
        for month in range(first, now + MONTHS_AHEAD + 1):
            year, month0 = divmod(month, 12)
            cursor.execute(f"CREATE TABLE {TABLE}_p{year:04d}{month0 + 1:02d} PARTITION OF {TABLE} "
                           f"FOR VALUES FROM ({_month_ms(year, month0 + 1)}) TO ({_month_ms(year, month0 + 2)})")
        cursor.execute(f"CREATE TABLE {DEFAULT} PARTITION OF {TABLE} DEFAULT")
        _rebuild(cursor, OLD, pk_name, indexes)


def unpartition(apps, schema_editor):
    """Back to one plain table with every row (a downgrade to the previous release)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        if not cursor.fetchone():
            return
        old_name = "monitoring_reading_partitioned"
        pk_name, indexes = _set_aside(cursor, old_name)
        cursor.execute(f"CREATE TABLE {TABLE} (LIKE {old_name} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        _rebuild(cursor, old_name, pk_name, indexes)


class Migration(migrations.Migration):

    dependencies = [
        ("monitoring", "0004_registry_names"),
    ]

    operations = [
        migrations.RunPython(partition, unpartition, elidable=False),
    ]
