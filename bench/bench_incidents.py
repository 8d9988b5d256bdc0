"""Benchmark of the duty-room write path; prints one JSON object.

Run: ``.venv/bin/python -m bench.bench_incidents [--incidents 200]`` (a fresh SQLite database in a
temporary directory, or ``DATABASE_URL`` when set to a scratch PostgreSQL database).

Figures (milliseconds, median and p95): intake (接报: incident, deadlines, timeline, audit, jobs in
one transaction), a 首报 sent up to the city (report, grade, receipt, deadlines), and one sweep of
the overdue watcher over every pending deadline.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
import uuid

from bench.common import migrated_django


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1] * 1000, 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--incidents", type=int, default=200)
    args = parser.parse_args()
    tmp = tempfile.mkdtemp(prefix="yingji-bench-")
    migrated_django(tmp)
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from yingji.accounts.models import User
    from yingji.incidents import deadline_service
    from yingji.incidents.models import IncidentDeadline
    from yingji.incidents.services import file_report, take_call
    from yingji.regions.models import Organisation

    Organisation.objects.create(name="阜新市应急管理局（基准）", kind="bureau", division_code="210900000000")
    Organisation.objects.create(name="彰武县应急管理局（基准）", kind="bureau", division_code="210922000000")
    user = User.objects.create(username=f"bench_{uuid.uuid4().hex[:6]}", role="duty_officer", region_code="210922000000")
    items = {"unit_overview": "基准", "time_place_scene": "基准", "brief_course": "基准", "casualties_and_loss": "基准",
             "measures_taken": "基准", "issuer": "基准"}
    intake, report = [], []
    for i in range(args.incidents):
        now = timezone.now()
        data = {"client_token": str(uuid.uuid4()), "title": f"基准事件{i}", "type_code": "accident.hazchem",
                "description": "基准", "division_code": "210922000000", "lon": 122.431, "lat": 42.488,
                "received_at": now - dt.timedelta(minutes=1), "occurred_at": now - dt.timedelta(minutes=5),
                "deaths": i % 5}
        started = time.perf_counter()
        incident, _ = take_call(user, data)
        intake.append(time.perf_counter() - started)
        started = time.perf_counter()
        file_report(user, incident, "first", {**items, "deaths": i % 5}, submit_upward=True)
        report.append(time.perf_counter() - started)
    pending = IncidentDeadline.objects.filter(status="pending", window=False).count()
    started = time.perf_counter()
    alerted = deadline_service.check_overdue(timezone.now() + dt.timedelta(days=1))
    sweep = time.perf_counter() - started
    started = time.perf_counter()
    deadline_service.check_overdue(timezone.now() + dt.timedelta(days=1))
    idle_sweep = time.perf_counter() - started
    print(json.dumps({
        "benchmark": "incidents", "database": connection.vendor, "incidents": args.incidents,
        "intake": _ms(intake), "first_report_upward": _ms(report),
        "overdue_sweep": {"pending_deadlines": pending, "alerted": alerted, "ms": round(sweep * 1000, 1),
                          "idle_ms": round(idle_sweep * 1000, 2)},
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version()},
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
