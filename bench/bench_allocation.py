"""Benchmark of the relief-allocation solver alone; prints one JSON object.

Run: ``.venv/bin/python -m bench.bench_allocation [--seed 1] [--repeat 5]``

The inputs have the shape of ``relief_allocation_total_ms`` in :mod:`bench.bench_routing` —
50 warehouses and 500 demand points on the synthetic Fuxin network (120k nodes), four
materials with the same weights, stocks uniform in 0..399, needs in 0..59, loading 4 h, limit
8 h — but the travel matrix comes from scipy's Dijkstra on the node graph instead of the edge
router's contraction hierarchy (whose 197 s preprocessing this benchmark avoids; the matrix
itself takes ~130 ms and is not timed here). Both solvers of :mod:`yingji.geo.allocation` run
on the same inputs ("auto": POT's network simplex; "highs": the HiGHS LP it replaced) and the
JSON says whether they agree (tonne-hours to 1e-9 relative, shortage per material exactly).
The evacuation figure (500 points, 50 shelters, 1 h) is the one of ``bench_routing``.
Every figure carries the load average (1, 5, 15 min) taken right after it: the machine is shared.
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
from scipy.sparse import csgraph

from bench.bench_routing import boundary_polygons, median_ms, quiet_stdout, random_points_on_network
from yingji.geo import allocation
from yingji.geo.roads import synthetic_fuxin_network

MATERIALS = {"帐篷": 0.05, "棉被": 0.004, "饮用水": 0.5, "方便食品": 0.01}


def load_average() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def timed(solver: str, repeat: int, function) -> dict:
    allocation.TRANSPORT_SOLVER = solver
    try:
        with quiet_stdout():
            result = function()  # first call: imports the solver's module
        ms = median_ms(function, repeat)
    finally:
        allocation.TRANSPORT_SOLVER = "auto"
    return {"ms": ms, "load": load_average(), "result": result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--nodes", type=int, default=120_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    polygons, _ = boundary_polygons()
    graph = synthetic_fuxin_network(polygons, seed=args.seed, target_nodes=args.nodes)
    warehouses_xy = random_points_on_network(graph, rng, 50)
    demands_xy = random_points_on_network(graph, rng, 500)
    w_nodes = graph.snap([p[0] for p in warehouses_xy], [p[1] for p in warehouses_xy])[0]
    d_nodes = graph.snap([p[0] for p in demands_xy], [p[1] for p in demands_xy])[0]
    seconds = csgraph.dijkstra(graph.csr, directed=True, indices=w_nodes)[:, d_nodes]
    hours = seconds / 3600.0
    stock = [(f"W{i}", {m: float(rng.integers(0, 400)) for m in MATERIALS}, 4.0) for i in range(50)]
    needs = [(f"D{j}", {m: float(rng.integers(0, 60)) for m in MATERIALS}) for j in range(500)]
    points = [(f"P{j}", float(rng.integers(10, 800))) for j in range(500)]
    shelters = [(f"S{i}", float(rng.integers(500, 5000))) for i in range(50)]

    def relief():
        return allocation.allocate_relief(stock, needs, hours, 8.0, MATERIALS)

    def evacuation():
        return allocation.assign_evacuation(points, shelters, seconds.T, 3600.0)

    result = {"benchmark": "bench_allocation", "cpus": os.cpu_count(),
              "travel_hours": {"max": round(float(np.nanmax(hours)), 2),
                               "pairs_within_limit": int((4.0 + hours <= 8.0).sum())}}
    start = time.perf_counter()
    import ot  # noqa: F401  (timed apart: once per process)
    result["import_pot_ms"] = round((time.perf_counter() - start) * 1000, 1)
    for name, function, repeat in (("relief_allocation", relief, args.repeat),
                                   ("evacuation", evacuation, args.repeat)):
        fast = timed("auto", repeat, function)
        lp = timed("highs", max(1, repeat // 2 + 1), function)
        a, b = fast.pop("result"), lp.pop("result")
        if name == "relief_allocation":
            same = (np.isclose(a.objective_tonne_hours, b.objective_tonne_hours, rtol=1e-9, atol=0)
                    and a.shortage_by_material() == b.shortage_by_material())
            extra = {"tonne_hours": round(a.objective_tonne_hours, 3),
                     "shortage_by_material": a.shortage_by_material()}
        else:
            same = (np.isclose(a.person_seconds, b.person_seconds, rtol=1e-9, atol=0)
                    and a.total_unassigned == b.total_unassigned)
            extra = {"person_seconds": round(a.person_seconds, 1), "unassigned": a.total_unassigned}
        result[name] = {"network_simplex": fast, "highs_lp": lp, "same_optimum": bool(same),
                        "speed_up": round(lp["ms"] / fast["ms"], 1), **extra}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    main()
