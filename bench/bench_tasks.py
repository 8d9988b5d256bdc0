"""Benchmark of background tasks through Django's Tasks interface (database backend); prints one
JSON object.

Run: ``.venv/bin/python -m bench.bench_tasks [--tasks 500]`` (a fresh SQLite database in a temporary
directory, or ``DATABASE_URL`` when set to a scratch PostgreSQL database).

Figures: enqueueing one task (its ``TaskRun`` and the backend's task row, one transaction each),
median and p95 in milliseconds; then one worker running them all (the library's claim and run, a
task that does nothing: the queue's own cost per task), tasks per second.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time

from bench.common import migrated_django


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=500)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        migrated_django(tmp)
        from django.db import connection, transaction

        from bench import tasks_noop
        from yingji.jobs import services

        samples = []
        for i in range(args.tasks):
            started = time.perf_counter()
            with transaction.atomic():
                services.enqueue(tasks_noop.noop, {"i": i}, division_code="210900000000")
            samples.append(time.perf_counter() - started)
        started = time.perf_counter()
        ran = services.run_pending(limit=args.tasks)
        seconds = time.perf_counter() - started
        ordered = sorted(samples)
        print(json.dumps({
            "bench": "tasks", "database": connection.vendor, "tasks": args.tasks, "ran": ran,
            "enqueue_median_ms": round(statistics.median(ordered) * 1000, 2),
            "enqueue_p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2),
            "worker_tasks_per_s": round(ran / seconds, 1), "machine": platform.machine(),
            "cpus": os.cpu_count(),
        }, ensure_ascii=False))


if __name__ == "__main__":
    main()
