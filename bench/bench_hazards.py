"""Benchmark of the hazards app on the Fuxin demo data; prints one JSON object.

Run: ``.venv/bin/python -m bench.bench_hazards [--hazards 300]`` (a fresh SQLite database in a temporary
directory, or ``DATABASE_URL`` when set to a scratch PostgreSQL database).

Figures (milliseconds, median and p95): a forced regrade of one hazard source (GB 18218 grading, history
row, audit), one loop transition (lock, rule check, save, audit), and, for a city supervisor, the
statistics, the overdue lists and the four-colour map over ``--hazards`` extra hidden hazards.
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


def _ms(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"median_ms": round(statistics.median(ordered) * 1000, 2),
            "p95_ms": round(ordered[max(int(len(ordered) * 0.95) - 1, 0)] * 1000, 2), "n": len(ordered)}


def _timed(func, repeat: int) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        func()
        samples.append(time.perf_counter() - started)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--hazards", type=int, default=300)
    args = parser.parse_args()
    migrated_django(tempfile.mkdtemp(prefix="yingji-bench-"))
    from django.db import connection

    from yingji.accounts.models import User
    from yingji.demo import foundation
    from yingji.hazards import demo_data, grading, loop, risk, stats
    from yingji.hazards.models import HazardSource, HiddenHazard

    started = time.perf_counter()
    foundation.load_organisations(), foundation.load_enterprises(), foundation.load_users()
    demo_data.load_hazard_sources(), demo_data.load_risk_points(), demo_data.load_inspections_and_hazards()
    demo_seconds = time.perf_counter() - started
    supervisor = User.objects.get(username="supervisor")
    sources = list(HazardSource.objects.all())
    regrade = _timed(lambda: grading.regrade(sources[len(sources) // 2], supervisor, "bench", force=True), 50)

    template = HiddenHazard.objects.filter(state="reported").first()
    clones = []
    for i in range(args.hazards):
        template.pk, template.title, template.state, template.grade = None, f"基准隐患{i}", "reported", ""
        clones.append(HiddenHazard(**{f.attname: getattr(template, f.attname) for f in HiddenHazard._meta.concrete_fields}))
    HiddenHazard.objects.bulk_create(clones)
    ids = iter(h.pk for h in HiddenHazard.objects.filter(title__startswith="基准隐患"))
    transition = _timed(lambda: loop.transition(supervisor, next(ids), "confirm", {"grade": "general"}), 100)
    statistics_ms = _timed(lambda: (stats.hidden_hazard_statistics(supervisor), stats.hazard_source_statistics(supervisor)), 10)
    overdue_ms = _timed(lambda: stats.overdue_lists(supervisor), 10)
    risk_ms = _timed(lambda: risk.risk_map(supervisor), 10)
    print(json.dumps({
        "benchmark": "hazards", "database": connection.vendor, "machine": f"{platform.machine()} {os.cpu_count()} cores",
        "demo_steps_s": round(demo_seconds, 2), "hidden_hazards": HiddenHazard.objects.count(),
        "regrade": _ms(regrade), "transition": _ms(transition), "statistics": _ms(statistics_ms),
        "overdue_lists": _ms(overdue_ms), "risk_map": _ms(risk_ms),
    }, ensure_ascii=False))


if __name__ == "__main__":
    main()
