"""Retention of raw readings on PostgreSQL: DELETE of a month from a plain table against dropping the
month's partition (docs/monitoring.md, "Partitions"), and the ingest's insert into both.

    .venv/bin/python -m bench.bench_partition_retention [--rows-per-month 1000000] [--sensors 2000]

Uses a scratch database (``yingji_bench_partition`` on the server of BENCH_PG_URL, default
postgres://postgres@127.0.0.1:5432/postgres), dropped at the end. Two tables of the readings'
shape (primary key (sensor_id, t), index on sensor_id): one plain, one partitioned by month like
``monitoring_reading`` (migration monitoring.0005). Each gets two months of readings; then the
ingest's statement (``INSERT ... SELECT unnest(...) ON CONFLICT DO NOTHING``, batches of 1,000) is
timed into each, and the older month is removed from each: ``DELETE`` against ``DETACH`` +
``DROP``. Prints one JSON object: seconds, WAL bytes written and table size left for each, the
insert rates, the machine and its load average.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import time

import psycopg

from bench.bench_monitor_ingest import machine

SCRATCH = "yingji_bench_partition"
COLUMNS = "sensor_id bigint NOT NULL, t bigint NOT NULL, value double precision NOT NULL, seq bigint NULL"


def month_ms(year: int, month: int) -> int:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return int(dt.datetime(year, month, 1, tzinfo=dt.UTC).timestamp() * 1000)


def wal(cur) -> int:
    cur.execute("SELECT pg_current_wal_lsn() - '0/0'::pg_lsn")
    return int(cur.fetchone()[0])


def size(cur, table: str) -> int:
    cur.execute("SELECT COALESCE((SELECT SUM(pg_total_relation_size(relid)) FROM pg_partition_tree(%s)), "
                "pg_total_relation_size(%s))", [table, table])
    return int(cur.fetchone()[0])


def fill(cur, table: str, start: int, rows: int, sensors: int) -> None:
    step = max(1, (28 * 86_400_000 - 1) // max(1, rows // sensors))
    cur.execute(f"INSERT INTO {table} SELECT i %% %s::bigint, %s::bigint + (i / %s::bigint) * %s::bigint, random() * 10, i "
                f"FROM generate_series(0::bigint, %s::bigint - 1) i",
                [sensors, start, sensors, step, rows])


def insert_rate(cur, table: str, start: int, sensors: int, batches: int) -> float:
    started = time.perf_counter()
    for b in range(batches):
        ids = [i % sensors for i in range(1000)]
        ts = [start + (b * 1000 + i) // sensors * 1000 for i in range(1000)]
        cur.execute(f"INSERT INTO {table} (sensor_id, t, value, seq) SELECT * FROM unnest(%s::bigint[], %s::bigint[], "
                    f"%s::double precision[], %s::bigint[]) ON CONFLICT DO NOTHING",
                    [ids, ts, [1.5] * 1000, list(range(1000))])
    return round(batches * 1000 / (time.perf_counter() - started))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows-per-month", type=int, default=1_000_000)
    parser.add_argument("--sensors", type=int, default=2000)
    parser.add_argument("--batches", type=int, default=200, help="ingest batches of 1,000 readings per table")
    args = parser.parse_args()
    server = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
        admin.execute(f"CREATE DATABASE {SCRATCH}")
    base, _, _ = server.rpartition("/")
    now = dt.datetime.now(dt.UTC)
    old, recent, new = [(now.year, now.month + k) for k in (-2, -1, 0)]
    result: dict = {"rows_per_month": args.rows_per_month, "sensors": args.sensors}
    try:
        with psycopg.connect(f"{base}/{SCRATCH}", autocommit=True) as conn, conn.cursor() as cur:
            cur.execute(f"CREATE TABLE r_plain ({COLUMNS}, PRIMARY KEY (sensor_id, t))")
            cur.execute("CREATE INDEX ON r_plain (sensor_id)")
            cur.execute(f"CREATE TABLE r_part ({COLUMNS}, PRIMARY KEY (sensor_id, t)) PARTITION BY RANGE (t)")
            cur.execute("CREATE INDEX ON r_part (sensor_id)")
            for name, (y, m) in zip(("p_old", "p_recent", "p_new"), (old, recent, new)):
                cur.execute(f"CREATE TABLE {name} PARTITION OF r_part FOR VALUES FROM ({month_ms(y, m)}) TO ({month_ms(y, m + 1)})")
            cur.execute("CREATE TABLE p_default PARTITION OF r_part DEFAULT")
            for table in ("r_plain", "r_part"):
                for y, m in (old, recent):
                    fill(cur, table, month_ms(y, m), args.rows_per_month, args.sensors)
                cur.execute(f"VACUUM ANALYZE {table}")
            for table in ("r_plain", "r_part"):
                result[f"insert_readings_per_s_{table}"] = insert_rate(cur, table, month_ms(*new), args.sensors, args.batches)
            cutoff = month_ms(*recent)
            for table, statements in (("r_plain", [f"DELETE FROM r_plain WHERE t < {cutoff}"]),
                                      ("r_part", ["ALTER TABLE r_part DETACH PARTITION p_old", "DROP TABLE p_old"])):
                before_size, before_wal = size(cur, table), wal(cur)
                started = time.perf_counter()
                with conn.transaction():
                    for statement in statements:
                        cur.execute(statement)
                seconds = time.perf_counter() - started
                result[f"remove_month_{table}"] = {
                    "seconds": round(seconds, 3), "wal_bytes": wal(cur) - before_wal,
                    "size_before_mb": round(before_size / 2**20, 1), "size_after_mb": round(size(cur, table) / 2**20, 1)}
    finally:
        with psycopg.connect(server, autocommit=True) as admin:
            admin.execute(f"DROP DATABASE IF EXISTS {SCRATCH}")
    result["load_average"] = [round(x, 2) for x in os.getloadavg()]
    result["machine"] = machine()
    print(json.dumps(result, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
