"""Relief-material allocation and evacuation assignment as transport problems.

Pure Python (numpy; POT's network simplex, HiGHS as the fallback); no Django imports.

Relief allocation (Fuxin material-dispatch rule: loaded within 4 h, on site within 8 h)
-------------------------------------------------------------------------------------
Each warehouse ``w`` has a stock per material and a loading time ``load_hours``; each demand
point ``d`` needs quantities per material; ``travel_hours[w][d]`` is the driving time. A unit
of material ``m`` sent from ``w`` to ``d`` arrives after ``load_hours[w] + travel_hours[w][d]``;
pairs arriving later than ``time_limit_h`` are not allowed. The LP, solved per material
(materials share nothing), is::

    minimise   sum  t_per_unit[m] * (load[w] + travel[w][d]) * x[w,d]   (tonne-hours)
             + sum  PENALTY * short[d]
    subject to sum_w x[w,d] + short[d] = need[d]      for every demand d
               sum_d x[w,d]            <= stock[w]     for every warehouse w
               x, short >= 0

The shortage penalty exceeds the cost of any re-routing chain, so the solution first
delivers as much as possible within the time limit, then minimises tonne-hours. With integer
stocks and needs the optimum is integral (transport matrices are totally unimodular).

Solver: the LP is a transportation problem, solved as such by the network simplex of POT
(``ot.emd``, LEMON's algorithm) on a balanced bipartite graph: a shortage source joined to
every demand at the penalty, an excess sink joined to every warehouse at no cost, pairs beyond
the time limit at twice the penalty (never worth using). Quantities are first scaled to exact
integers (up to 6 decimal places) so that the simplex's flows are exact; the answer is only
accepted with an optimality certificate checked here (flows meet every stock and need, no
flow on a forbidden pair, the returned potentials price every pair non-negatively and every
used pair at zero). Data that cannot be scaled to integers, or an answer without the
certificate, go to the same LP in HiGHS (interior point + crossover, a vertex solution).
Both give the same optimum; flows may differ only where the optimum is not unique.

Evacuation assignment is the same LP with population points as demands, shelter capacities as
stocks, travel seconds as costs (person-seconds) and ``limit_s`` as the time limit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping, Sequence

import numpy as np

# Names of the reserves Fuxin's plan turns to when its own stock falls short: the
# neighbouring cities' reserves (via the province) and the provincial reserve.
FUXIN_NEIGHBOUR_RESERVES = ("锦州", "朝阳", "葫芦岛", "盘锦", "省级储备库")

QUANTITY_TOLERANCE = 1e-7
# "auto": POT's network simplex, HiGHS when it cannot certify its answer; "highs": always the
# LP (the benchmark and the tests compare the two)
TRANSPORT_SOLVER = "auto"


# ====================================================================== results
@dataclass(frozen=True)
class Flow:
    warehouse_id: object
    demand_id: object
    material: str
    quantity: float
    tonnes: float
    arrival_hours: float  # loading + travel


@dataclass
class AllocationResult:
    flows: list[Flow]
    objective_tonne_hours: float
    shortages: dict[object, dict[str, float]]  # demand id -> material -> quantity missing
    time_limit_h: float
    status: str = "optimal"

    @property
    def fulfilled(self) -> bool:
        return not self.shortages

    def shortage_by_material(self) -> dict[str, float]:
        totals: dict[str, float] = {}
        for needs in self.shortages.values():
            for material, quantity in needs.items():
                totals[material] = totals.get(material, 0.0) + quantity
        return totals

    def summary(self) -> str:
        if self.fulfilled:
            return (f"全部需求可在 {self.time_limit_h:g} 小时内送达，"
                    f"运输量 {self.objective_tonne_hours:.1f} 吨·小时。")
        parts = "，".join(f"{material} 缺 {_fmt(quantity)}"
                         for material, quantity in sorted(self.shortage_by_material().items()))
        return f"{self.time_limit_h:g} 小时内无法全部满足：{parts}。"


@dataclass(frozen=True)
class ReserveContribution:
    name: str
    quantity: float
    hours: float


@dataclass
class ShortageExplanation:
    material: str
    shortage: float
    contributions: list[ReserveContribution]
    remaining: float
    too_slow: list[ReserveContribution] = field(default_factory=list)  # stock beyond time limit

    @property
    def closed(self) -> bool:
        return self.remaining <= QUANTITY_TOLERANCE

    @property
    def message(self) -> str:
        text = f"{self.material}缺口 {_fmt(self.shortage)}"
        if self.contributions:
            text += "：" + "，".join(f"{c.name}可补 {_fmt(c.quantity)}（约 {c.hours:g} 小时到达）"
                                    for c in self.contributions)
        if self.closed:
            return text + "，可全部补齐。"
        text += f"；仍缺 {_fmt(self.remaining)}"
        if self.too_slow:
            text += "（" + "，".join(f"{c.name}有 {_fmt(c.quantity)} 但需 {c.hours:g} 小时，超过时限"
                                    for c in self.too_slow) + "）"
        return text + "。"


@dataclass(frozen=True)
class EvacuationAssignment:
    point_id: object
    shelter_id: object
    people: float
    seconds: float


@dataclass
class EvacuationResult:
    assignments: list[EvacuationAssignment]
    person_seconds: float
    unassigned: dict[object, float]  # point id -> people without a shelter within the limit
    shelter_load: dict[object, float]
    status: str = "optimal"

    @property
    def total_unassigned(self) -> float:
        return float(sum(self.unassigned.values()))

    def summary(self) -> str:
        placed = sum(a.people for a in self.assignments)
        text = f"已安置 {_fmt(placed)} 人"
        if self.unassigned:
            text += f"，{_fmt(self.total_unassigned)} 人在时限内无可用避难场所"
        return text + "。"


def _fmt(quantity: float) -> str:
    return f"{quantity:.0f}" if abs(quantity - round(quantity)) < 1e-6 else f"{quantity:.2f}"


# ====================================================================== relief allocation
def allocate_relief(
    warehouses: Sequence[tuple[object, Mapping[str, float], float]],
    demands: Sequence[tuple[object, Mapping[str, float]]],
    travel_hours,
    time_limit_h: float = 8.0,
    weights_t_per_unit: Mapping[str, float] | None = None,
) -> AllocationResult:
    """Allocate stocks to demands minimising tonne-hours within ``time_limit_h``.

    ``warehouses``: ``(id, {material: quantity}, load_hours)``; ``demands``:
    ``(id, {material: quantity})``; ``travel_hours[w][d]`` (``inf``/``nan`` = no road).
    ``weights_t_per_unit`` gives tonnes per unit for every material that is needed.
    Needs that cannot be met within the time limit are reported in ``result.shortages``.
    """
    travel = np.asarray(travel_hours, dtype=np.float64).reshape(len(warehouses), len(demands))
    load = np.asarray([w[2] for w in warehouses], dtype=np.float64)
    arrival = np.where(np.isnan(travel), np.inf, load[:, None] + travel)
    weights = dict(weights_t_per_unit or {})
    materials = sorted({m for _, needs in demands for m, q in needs.items() if q > 0})
    missing = [m for m in materials if m not in weights]
    if missing:
        raise ValueError(f"缺少物资单位重量（吨/单位）：{'、'.join(missing)}")

    flows: list[Flow] = []
    shortages: dict[object, dict[str, float]] = {}
    tonne_hours = 0.0
    for material in materials:
        stock = np.asarray([w[1].get(material, 0.0) for w in warehouses], dtype=np.float64)
        need = np.asarray([d[1].get(material, 0.0) for d in demands], dtype=np.float64)
        shipped, short = solve_transport(stock, need, arrival, time_limit_h)
        for w, d, quantity in shipped:
            tonnes = quantity * weights[material]
            flows.append(Flow(warehouses[w][0], demands[d][0], material, quantity, tonnes,
                              float(arrival[w, d])))
            tonne_hours += tonnes * float(arrival[w, d])
        for d in np.flatnonzero(short > QUANTITY_TOLERANCE):
            shortages.setdefault(demands[d][0], {})[material] = float(short[d])
    return AllocationResult(flows, tonne_hours, shortages, time_limit_h)


def explain_shortage(result: AllocationResult,
                     neighbour_reserves: Sequence[tuple[str, Mapping[str, float], float]],
                     time_limit_h: float | None = None) -> list[ShortageExplanation]:
    """Which neighbour reserves ``(name, {material: quantity}, hours)`` would close each gap.

    For every material short in ``result``, reserves able to deliver within the time limit
    (default: the one of the allocation) are drawn on fastest first until the gap is closed;
    reserves holding the material but too slow are listed in ``too_slow``. ``hours`` is the
    reserve's loading plus travel time to the affected area.
    """
    limit = result.time_limit_h if time_limit_h is None else time_limit_h
    ranked = sorted(neighbour_reserves, key=lambda reserve: reserve[2])
    explanations = []
    for material, gap in sorted(result.shortage_by_material().items()):
        remaining, used, too_slow = gap, [], []
        for name, stock, hours in ranked:
            available = float(stock.get(material, 0.0))
            if available <= 0:
                continue
            if hours > limit:
                too_slow.append(ReserveContribution(name, available, hours))
            elif remaining > QUANTITY_TOLERANCE:
                take = min(available, remaining)
                used.append(ReserveContribution(name, take, hours))
                remaining -= take
        explanations.append(ShortageExplanation(material, gap, used, max(remaining, 0.0),
                                                too_slow if remaining > QUANTITY_TOLERANCE else []))
    return explanations


# ====================================================================== evacuation
def assign_evacuation(population_points: Sequence[tuple[object, float]],
                      shelters: Sequence[tuple[object, float]],
                      travel_s, limit_s: float) -> EvacuationResult:
    """Send people to shelters minimising person-seconds within capacities and ``limit_s``.

    ``travel_s[p][s]`` is the travel time from population point ``p`` to shelter ``s``
    (``inf``/``nan`` = no route). A point may be split across shelters. People that no shelter
    within ``limit_s`` can take are reported in ``result.unassigned``.
    """
    travel = np.asarray(travel_s, dtype=np.float64).reshape(len(population_points), len(shelters))
    travel = np.where(np.isnan(travel), np.inf, travel)
    people = np.asarray([p[1] for p in population_points], dtype=np.float64)
    capacity = np.asarray([s[1] for s in shelters], dtype=np.float64)
    shipped, short = solve_transport(capacity, people, travel.T, limit_s)
    assignments = [EvacuationAssignment(population_points[p][0], shelters[s][0], quantity,
                                        float(travel[p, s])) for s, p, quantity in shipped]
    load = {shelter_id: 0.0 for shelter_id, _ in shelters}
    for a in assignments:
        load[a.shelter_id] += a.people
    unassigned = {population_points[p][0]: float(short[p])
                  for p in np.flatnonzero(short > QUANTITY_TOLERANCE)}
    return EvacuationResult(assignments, float(sum(a.people * a.seconds for a in assignments)),
                            unassigned, load)


# ====================================================================== LP core
def solve_transport(supply: np.ndarray, demand: np.ndarray, cost: np.ndarray,
                    cost_limit: float) -> tuple[list[tuple[int, int, float]], np.ndarray]:
    """Min-cost transport with shortages: ``[(supply i, demand j, quantity)]`` and shortages.

    Only pairs with ``cost[i, j] <= cost_limit`` may carry flow. Shortage is penalised above
    any possible saving of re-routing, so delivered quantity is maximised first.
    """
    supply = np.maximum(np.asarray(supply, dtype=np.float64), 0.0)
    demand = np.maximum(np.asarray(demand, dtype=np.float64), 0.0)
    allowed = (np.isfinite(cost) & (cost <= cost_limit + 1e-9)
               & (supply[:, None] > 0) & (demand[None, :] > 0))
    src, dst = np.nonzero(allowed)
    if demand.sum() <= 0:
        return [], np.zeros(len(demand))
    if len(src) == 0:
        return [], demand.copy()
    pair_cost = cost[src, dst]
    penalty = _shortage_penalty(float(pair_cost.max()), len(supply), len(demand))
    values = (None if TRANSPORT_SOLVER == "highs"
              else _solve_network_simplex(supply, demand, src, dst, pair_cost, penalty))
    if values is None:  # quantities not decimal, or no optimality certificate: the LP
        values = _solve_transport_lp(supply, demand, src, dst, pair_cost, penalty)
    flow, short = values[: len(src)], values[len(src):]
    shipped = [(int(src[k]), int(dst[k]), _clean(float(flow[k])))
               for k in np.flatnonzero(flow > QUANTITY_TOLERANCE)]
    shortage = np.asarray([_clean(q) if q > QUANTITY_TOLERANCE else 0.0 for q in short])
    return shipped, shortage


def _shortage_penalty(max_cost: float, n_supply: int, n_demand: int) -> float:
    """Per-unit shortage cost larger than any augmenting chain of allowed pairs."""
    return 10.0 * (min(n_supply, n_demand) + 1) * max(max_cost, 1.0)


def _clean(quantity: float) -> float:
    nearest = round(quantity)
    return float(nearest) if abs(quantity - nearest) < 1e-6 else float(quantity)


MAX_DECIMAL_PLACES = 6
EXACT_INTEGER_TOTAL = 2.0 ** 50  # integer sums of doubles stay exact well below 2**53


def _integer_scale(quantities: np.ndarray) -> float | None:
    """The smallest ``10**k`` (k <= 6) making every quantity an integer, or None."""
    for places in range(MAX_DECIMAL_PLACES + 1):
        scale = 10.0 ** places
        scaled = quantities * scale
        # a decimal quantity times its power of ten is off an integer by an ulp or so
        if np.all(np.abs(scaled - np.rint(scaled)) <= 1e-12 * np.maximum(scaled, 1.0)):
            return scale if float(np.rint(scaled).sum()) < EXACT_INTEGER_TOTAL else None
    return None


def _solve_network_simplex(supply, demand, src, dst, pair_cost, penalty) -> np.ndarray | None:
    """The transport LP by POT's network simplex: the column values of
    :func:`_solve_transport_lp` (pair flows, then shortages), or None when the quantities are
    not decimal or the answer fails the optimality certificate (the caller then uses HiGHS)."""
    scale = _integer_scale(np.concatenate([supply, demand]))
    if scale is None:
        return None
    import ot  # imported on use, as highspy: only needed when an allocation is solved

    n_supply, n_demand = len(supply), len(demand)
    stock, need = np.rint(supply * scale), np.rint(demand * scale)
    # rows: warehouses, then the shortage source; columns: demands, then the excess sink
    cost = np.zeros((n_supply + 1, n_demand + 1))
    cost[:n_supply, :n_demand] = 2.0 * penalty  # beyond the time limit: never worth it
    cost[src, dst] = pair_cost
    cost[n_supply, :n_demand] = penalty
    mass_rows = np.append(stock, need.sum())
    mass_cols = np.append(need, stock.sum())
    # a non-optimal end (iteration limit, "infeasible" from round-off) also raises POT's UserWarning
    plan, log = ot.emd(mass_rows, mass_cols, cost, numItermax=max(100_000, 100 * cost.size), log=True)
    if log["warning"] is not None or not _certified(plan, log["u"], log["v"], cost,
                                                    mass_rows, mass_cols, src, dst, penalty):
        return None
    return np.concatenate([plan[src, dst], plan[n_supply, :n_demand]]) / scale


def _certified(plan, u, v, cost, mass_rows, mass_cols, src, dst, penalty) -> bool:
    """Optimality of ``plan`` checked here, whatever the solver did: primal feasibility
    (masses met, no flow on a forbidden pair), dual feasibility of the potentials ``u``, ``v``
    on every node with mass, and complementary slackness."""
    plan, u, v = np.asarray(plan), np.asarray(u, dtype=np.float64), np.asarray(v, dtype=np.float64)
    flow_tol = 1e-6  # in scaled (integer) units
    cost_tol = 1e-10 * max(1.0, 2.0 * penalty)  # round-off seen: ~4e-14 of the penalty
    allowed = np.zeros(cost.shape, dtype=bool)
    allowed[src, dst] = True
    allowed[-1, :] = allowed[:, -1] = True
    if (plan < -flow_tol).any() or (plan[~allowed] > flow_tol).any():
        return False
    if not (np.allclose(plan.sum(axis=1), mass_rows, rtol=0, atol=flow_tol)
            and np.allclose(plan.sum(axis=0), mass_cols, rtol=0, atol=flow_tol)):
        return False
    rows, cols = mass_rows > 0, mass_cols > 0
    reduced = (cost - u[:, None] - v[None, :])[np.ix_(rows, cols)]
    used = plan[np.ix_(rows, cols)] > flow_tol
    return bool((reduced >= -cost_tol).all() and (np.abs(reduced[used]) <= cost_tol).all())


def _solve_transport_lp(supply, demand, src, dst, pair_cost, penalty) -> np.ndarray:
    import highspy  # imported on use: the LP solver is only needed when an allocation is solved

    n_pairs, n_demand, n_supply = len(src), len(demand), len(supply)
    lp = highspy.HighsLp()
    lp.num_col_ = n_pairs + n_demand
    lp.num_row_ = n_demand + n_supply
    lp.col_cost_ = np.concatenate([pair_cost, np.full(n_demand, penalty)])
    lp.col_lower_ = np.zeros(lp.num_col_)
    lp.col_upper_ = np.full(lp.num_col_, highspy.kHighsInf)
    # rows 0..D-1: delivered + short == need; rows D..D+S-1: shipped <= stock
    lp.row_lower_ = np.concatenate([demand, np.full(n_supply, -highspy.kHighsInf)])
    lp.row_upper_ = np.concatenate([demand, supply])
    pair_rows = np.column_stack([dst, n_demand + src]).ravel()
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([np.arange(0, 2 * n_pairs + 1, 2),
                                          2 * n_pairs + np.arange(1, n_demand + 1)]).astype(np.int32)
    lp.a_matrix_.index_ = np.concatenate([pair_rows, np.arange(n_demand)]).astype(np.int32)
    lp.a_matrix_.value_ = np.ones(2 * n_pairs + n_demand)

    solver = highspy.Highs()
    solver.setOptionValue("output_flag", False)
    # interior point + crossover: ~2x faster than simplex on 50 x 500 transport problems and
    # still ends on a basic (vertex) solution, hence integral for integer data
    solver.setOptionValue("solver", "ipm")
    solver.setOptionValue("run_crossover", "on")
    solver.passModel(lp)
    solver.run()
    status = solver.getModelStatus()
    if status != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(f"调配模型求解失败：{solver.modelStatusToString(status)}")
    return np.asarray(solver.getSolution().col_value, dtype=np.float64)
