"""Benchmark of the drill-compliance board at province scale; prints one JSON object.

Run: ``.venv/bin/python -m bench.bench_drill_board [--plans 1000] [--enterprises 1000] [--drills 20000]``
(a fresh SQLite database in a temporary directory, migrated, for the divisions; or ``DATABASE_URL``
when set to a scratch PostgreSQL database).

The board (``preparedness.selectors.board``: one row per plan, county, department and key
enterprise with its quota's state) is what the drill board page shows and what the home page's
preparedness panel counts its overdue rows from, on every visit of a city or province user. This
times its computation over rows already read (synthetic records built in memory, none saved: the
queries are not measured): every Liaoning county, ``--plans`` government plans in force,
``--enterprises`` key enterprises, 200 departments and ``--drills`` held drills spread over them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import statistics
import tempfile
import time

from bench.bench_monitor_ingest import machine
from bench.common import migrated_django


class _InForce(list):
    """The plans, as ``_board_rows`` filters them (all of them are in force here)."""

    def filter(self, **_):
        return self


def run(plans: int, enterprises: int, drills: int, repeat: int) -> dict:
    from yingji.preparedness import selectors
    from yingji.preparedness.models import Drill, EmergencyPlan
    from yingji.regions.models import Division, Enterprise, Organisation

    rng = random.Random(2109)
    today = dt.date(2026, 12, 4)
    counties = list(Division.objects.filter(level="county", code__startswith="21").values_list("code", flat=True))
    villages = [county[:6] + f"{k:03d}000" for county in counties for k in range(1, 12)]
    plan_rows = _InForce(EmergencyPlan(pk=i + 1, name=f"专项应急预案（合成）{i}", kind="special", state="published")
                         for i in range(plans))
    departments = [Organisation(pk=i + 1, name=f"部门（合成）{i}", kind="department") for i in range(200)]
    firms = [Enterprise(pk=i + 1, name=f"重点企业（合成）{i}") for i in range(enterprises)]
    held = []
    for _ in range(drills):
        held.append(Drill(
            plan_id=rng.randrange(1, plans + 1) if rng.random() < 0.5 else None,
            organisation_id=rng.randrange(1, 201) if rng.random() < 0.2 else None,
            enterprise_id=rng.randrange(1, enterprises + 1) if rng.random() < 0.4 else None,
            division_code=rng.choice(villages), held_on=today - dt.timedelta(days=rng.randrange(700)),
            state="held", large=rng.random() < 0.3))
    # The private row builder, as ``board`` calls it with the user's visible records (``21``: Liaoning).
    samples, rows = [], []
    for _ in range(repeat):
        started = time.process_time()
        rows = selectors._board_rows(held, plan_rows, "21", departments, firms, today)
        samples.append(time.process_time() - started)
    return {"counties": len(counties), "plans": plans, "enterprises": enterprises, "departments": len(departments),
            "drills": drills, "rows": len(rows), "overdue": sum(1 for r in rows if r["state"] == "overdue"),
            "board_cpu_s_median": round(statistics.median(samples), 3), "board_cpu_s_max": round(max(samples), 3),
            "repeat": repeat}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--plans", type=int, default=1000)
    parser.add_argument("--enterprises", type=int, default=1000)
    parser.add_argument("--drills", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="yingji-bench-board-") as tmp:
        migrated_django(tmp)
        from django.db import connection

        figures = run(args.plans, args.enterprises, args.drills, args.repeat)
        figures.update(database=connection.vendor, machine=machine())
    print(json.dumps(figures, ensure_ascii=False))


if __name__ == "__main__":
    main()
