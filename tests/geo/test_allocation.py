"""Relief allocation and evacuation: optimality against brute force, exact shortage reports."""

import itertools
import math

import numpy as np
import pytest
from scipy.optimize import linprog

from yingji.geo import allocation
from yingji.geo.allocation import (
    FUXIN_NEIGHBOUR_RESERVES,
    allocate_relief,
    assign_evacuation,
    explain_shortage,
    solve_transport,
)


# ---------------------------------------------------------------------- brute force reference
def brute_force_transport(supply, demand, cost, limit):
    """Enumerate every integer flow; best (total shortage, total cost) lexicographically."""
    pairs = [(i, j) for i in range(len(supply)) for j in range(len(demand))
             if math.isfinite(cost[i][j]) and cost[i][j] <= limit]
    ranges = [range(min(supply[i], demand[j]) + 1) for i, j in pairs]
    best = None
    for flows in itertools.product(*ranges):
        out = [0] * len(supply)
        received = [0] * len(demand)
        for (i, j), q in zip(pairs, flows):
            out[i] += q
            received[j] += q
        if any(o > s for o, s in zip(out, supply)) or any(r > d for r, d in zip(received, demand)):
            continue
        key = (sum(demand) - sum(received), sum(q * cost[i][j] for (i, j), q in zip(pairs, flows)))
        if best is None or key < best:
            best = key
    return best


def random_case(rng, n_warehouses, n_demands):
    stock = rng.integers(0, 5, n_warehouses).tolist()
    need = rng.integers(0, 5, n_demands).tolist()
    load = rng.choice([0.5, 1.0, 2.0, 4.0], n_warehouses).tolist()
    travel = rng.choice([0.5, 1.5, 3.0, 4.5, 6.0, np.inf], (n_warehouses, n_demands))
    return stock, need, load, travel


@pytest.mark.parametrize("seed", range(25))
def test_single_material_allocation_is_optimal(seed):
    rng = np.random.default_rng(seed)
    n_w, n_d = (2, 3) if seed % 2 else (3, 2)
    stock, need, load, travel = random_case(rng, n_w, n_d)
    weight = 0.25
    warehouses = [(f"W{i}", {"帐篷": s}, l) for i, (s, l) in enumerate(zip(stock, load))]
    demands = [(f"D{j}", {"帐篷": q}) for j, q in enumerate(need)]
    result = allocate_relief(warehouses, demands, travel, time_limit_h=8, weights_t_per_unit={"帐篷": weight})

    arrival = [[load[i] + travel[i][j] for j in range(n_d)] for i in range(n_w)]
    best_short, best_cost = brute_force_transport(stock, need, arrival, 8)
    assert sum(result.shortage_by_material().values()) == pytest.approx(best_short)
    assert result.objective_tonne_hours == pytest.approx(best_cost * weight)
    assert result.fulfilled == (best_short == 0)
    for flow in result.flows:  # integral, within time, within stock
        assert flow.quantity == int(flow.quantity) and flow.arrival_hours <= 8
    for i, (wid, _, _) in enumerate(warehouses):
        assert sum(f.quantity for f in result.flows if f.warehouse_id == wid) <= stock[i]
    for j, (did, needs) in enumerate(demands):
        delivered = sum(f.quantity for f in result.flows if f.demand_id == did)
        assert delivered + result.shortages.get(did, {}).get("帐篷", 0) == needs["帐篷"]


def test_pairs_beyond_the_time_limit_are_not_used():
    # loaded in 4 h, 4.5 h on the road: 8.5 h > 8 h although it is the only stock
    result = allocate_relief([("阜新市库", {"棉被": 100}, 4.0), ("彰武县库", {"棉被": 30}, 1.0)],
                             [("受灾村", {"棉被": 50})], [[4.5], [6.5]], time_limit_h=8,
                             weights_t_per_unit={"棉被": 0.004})
    assert [(f.warehouse_id, f.quantity, f.arrival_hours) for f in result.flows] == \
        [("彰武县库", 30.0, 7.5)]
    assert result.shortages == {"受灾村": {"棉被": 20.0}}
    relaxed = allocate_relief([("阜新市库", {"棉被": 100}, 4.0)], [("受灾村", {"棉被": 50})],
                              [[4.5]], time_limit_h=9, weights_t_per_unit={"棉被": 0.004})
    assert relaxed.fulfilled


def test_multi_material_exact_shortages_and_explanation():
    warehouses = [("W1", {"帐篷": 10, "饮用水": 5}, 1.0), ("W2", {"帐篷": 4}, 3.0)]
    demands = [("D1", {"帐篷": 8, "饮用水": 7}), ("D2", {"帐篷": 9})]
    travel = [[2.0, 6.0], [1.0, 3.0]]
    result = allocate_relief(warehouses, demands, travel, 8, {"帐篷": 0.05, "饮用水": 0.5})
    # tents: D1 all 8 from W1 (3 h), D2 2 from W1 (7 h) + 4 from W2 (6 h); 3 short at D2
    assert result.shortages == {"D2": {"帐篷": 3.0}, "D1": {"饮用水": 2.0}}
    assert result.objective_tonne_hours == pytest.approx((8 * 3 + 2 * 7 + 4 * 6) * 0.05 + 5 * 3 * 0.5)
    assert "帐篷 缺 3" in result.summary() and "饮用水 缺 2" in result.summary()

    reserves = [("锦州", {"帐篷": 2, "饮用水": 1}, 3.0), ("朝阳", {"饮用水": 5}, 9.0),
                ("省级储备库", {"帐篷": 100}, 6.0), ("盘锦", {"帐篷": 50}, 5.0)]
    explained = {e.material: e for e in explain_shortage(result, reserves)}
    tents, water = explained["帐篷"], explained["饮用水"]
    assert [(c.name, c.quantity) for c in tents.contributions] == [("锦州", 2.0), ("盘锦", 1.0)]
    assert tents.closed and tents.remaining == 0
    assert [(c.name, c.quantity) for c in water.contributions] == [("锦州", 1.0)]
    assert water.remaining == pytest.approx(1.0) and not water.closed
    assert [(c.name, c.quantity, c.hours) for c in water.too_slow] == [("朝阳", 5.0, 9.0)]
    assert "仍缺 1" in water.message and "朝阳" in water.message
    assert "可全部补齐" in tents.message
    # with a longer limit, Chaoyang closes the water gap
    later = {e.material: e for e in explain_shortage(result, reserves, time_limit_h=10)}
    assert later["饮用水"].closed
    assert set(FUXIN_NEIGHBOUR_RESERVES) == {"锦州", "朝阳", "葫芦岛", "盘锦", "省级储备库"}


def test_no_shortage_no_explanation():
    result = allocate_relief([("W", {"水": 5}, 0.5)], [("D", {"水": 5})], [[1.0]], 8, {"水": 1.0})
    assert result.fulfilled and explain_shortage(result, [("锦州", {"水": 9}, 2)]) == []
    assert "全部需求" in result.summary()


def test_missing_unit_weight_is_an_error():
    with pytest.raises(ValueError, match="单位重量"):
        allocate_relief([("W", {"水": 5}, 0.5)], [("D", {"水": 5})], [[1.0]], 8, {})


def test_lp_matches_scipy_interior_point_on_a_larger_case():
    rng = np.random.default_rng(99)
    supply = rng.integers(0, 40, 8).astype(float)
    demand = rng.integers(0, 30, 15).astype(float)
    cost = rng.uniform(0.5, 9.0, (8, 15))
    shipped, short = solve_transport(supply, demand, cost, 8.0)
    flow = np.zeros((8, 15))
    for i, j, q in shipped:
        flow[i, j] = q
    # independent formulation: maximise delivery first (exact), then minimise cost
    allowed = cost <= 8.0
    n = allowed.sum()
    idx = np.argwhere(allowed)
    a_supply = np.zeros((8, n))
    a_demand = np.zeros((15, n))
    for k, (i, j) in enumerate(idx):
        a_supply[i, k] = 1
        a_demand[j, k] = 1
    most = linprog(-np.ones(n), A_ub=np.vstack([a_supply, a_demand]),
                   b_ub=np.concatenate([supply, demand]), method="highs-ipm")
    cheapest = linprog(cost[allowed], A_ub=np.vstack([a_supply, a_demand]),
                       b_ub=np.concatenate([supply, demand]), A_eq=np.ones((1, n)),
                       b_eq=[-most.fun], method="highs-ipm")
    assert flow.sum() == pytest.approx(-most.fun, abs=1e-6)
    assert short.sum() == pytest.approx(demand.sum() + most.fun, abs=1e-6)
    assert (flow * cost).sum() == pytest.approx(cheapest.fun, rel=1e-7)


# ---------------------------------------------------------------------- evacuation
@pytest.mark.parametrize("seed", range(15))
def test_evacuation_is_optimal_and_respects_capacity(seed):
    rng = np.random.default_rng(100 + seed)
    people = rng.integers(0, 6, 3).tolist()
    capacity = rng.integers(0, 6, 2).tolist()
    travel = rng.choice([60.0, 300.0, 900.0, 1500.0, np.inf], (3, 2))
    points = [(f"村{i}", p) for i, p in enumerate(people)]
    shelters = [(f"避难所{j}", c) for j, c in enumerate(capacity)]
    result = assign_evacuation(points, shelters, travel, limit_s=1200.0)

    best_unassigned, best_cost = brute_force_transport(capacity, people, travel.T.tolist(), 1200.0)
    assert result.total_unassigned == pytest.approx(best_unassigned)
    assert result.person_seconds == pytest.approx(best_cost)
    for j, (sid, cap) in enumerate(shelters):
        assert result.shelter_load[sid] <= cap
    for a in result.assignments:
        assert a.seconds <= 1200.0 and a.people == int(a.people)
    for pid, count in points:
        placed = sum(a.people for a in result.assignments if a.point_id == pid)
        assert placed + result.unassigned.get(pid, 0) == count


def test_evacuation_reports_unassigned_people():
    points = [("清河门村", 120), ("海州社区", 300)]
    shelters = [("一中操场", 200), ("体育馆", 150)]
    travel = [[400.0, 2000.0], [600.0, 900.0]]  # 清河门 cannot reach 体育馆 within 1200 s
    result = assign_evacuation(points, shelters, travel, limit_s=1200.0)
    assert result.total_unassigned == pytest.approx(70.0)
    assert result.shelter_load == {"一中操场": 200.0, "体育馆": 150.0}
    placed = {(a.point_id, a.shelter_id): a.people for a in result.assignments}
    # person-seconds: all 120 villagers to 一中 (400 s) beats sending 海州 people there
    assert placed[("清河门村", "一中操场")] == 120
    assert placed[("海州社区", "体育馆")] == 150 and placed[("海州社区", "一中操场")] == 80
    assert result.unassigned == {"海州社区": 70.0}
    assert "70 人" in result.summary()


# ---------------------------------------------------------------------- network simplex vs the LP
def random_transport(rng, places):
    """Stocks and needs with ``places`` decimals (zeros included), some pairs without a road
    (inf/nan) or beyond the 8 h limit, and demand 0 reachable from nowhere: always a shortage."""
    n_supply, n_demand = int(rng.integers(2, 9)), int(rng.integers(3, 30))
    unit = 10.0 ** places
    supply = rng.integers(0, 60 * unit, n_supply) / unit
    demand = rng.integers(0, 20 * unit, n_demand) / unit
    supply[rng.random(n_supply) < 0.2] = 0.0
    demand[0] = 7.5
    cost = rng.uniform(0.2, 10.0, (n_supply, n_demand))
    cost[rng.random(cost.shape) < 0.15] = np.inf
    cost[rng.random(cost.shape) < 0.05] = np.nan
    cost[:, 0] = np.inf
    return supply, demand, cost


def check_feasible(supply, demand, cost, shipped, short, limit=8.0):
    out, received = np.zeros(len(supply)), np.zeros(len(demand))
    for i, j, q in shipped:
        assert q > 0 and cost[i, j] <= limit  # never on a pair without a road or too slow
        out[i] += q
        received[j] += q
    assert (out <= supply + 1e-9).all()
    assert received + short == pytest.approx(demand, abs=1e-9)
    return sum(q * cost[i, j] for i, j, q in shipped)


def spy_on_lp(monkeypatch):
    calls = []
    lp = allocation._solve_transport_lp
    monkeypatch.setattr(allocation, "_solve_transport_lp", lambda *args: calls.append(1) or lp(*args))
    return calls


@pytest.mark.parametrize("seed", range(40))
def test_network_simplex_gives_the_lp_optimum(seed, monkeypatch):
    rng = np.random.default_rng(500 + seed)
    supply, demand, cost = random_transport(rng, places=[0, 1, 2, 3][seed % 4])
    lp_calls = spy_on_lp(monkeypatch)
    shipped, short = solve_transport(supply, demand, cost, 8.0)
    assert not lp_calls  # decimal data: answered by the network simplex, not by the fallback
    monkeypatch.setattr(allocation, "TRANSPORT_SOLVER", "highs")
    lp_shipped, lp_short = solve_transport(supply, demand, cost, 8.0)
    assert lp_calls

    tonne_hours = check_feasible(supply, demand, cost, shipped, short)
    lp_tonne_hours = check_feasible(supply, demand, cost, lp_shipped, lp_short)
    assert tonne_hours == pytest.approx(lp_tonne_hours, rel=1e-9, abs=1e-9)
    assert short.sum() == pytest.approx(lp_short.sum(), abs=1e-9)
    assert short[0] == 7.5  # the unreachable demand


def test_network_simplex_flows_are_the_decimal_quantities():
    # 13.25 in stock for 13.55 needed; 需求 2 can only be served by the empty warehouse
    cost = np.array([[1.0, 2.0, np.inf], [5.0, 1.0, np.inf], [1.0, 1.0, 1.0]])
    shipped, short = solve_transport([12.5, 0.75, 0.0], [3.3, 10.05, 0.2], cost, 8.0)
    assert sorted(shipped) == [(0, 0, 3.3), (0, 1, 9.2), (1, 1, 0.75)]
    assert short.tolist() == [0.0, 0.1, 0.2]


def test_quantities_that_are_not_decimal_go_to_the_lp(monkeypatch):
    lp_calls = spy_on_lp(monkeypatch)
    shipped, short = solve_transport([1 / 3, 2.0], [1.0, 1 / 7], np.array([[1.0, 3.0], [2.0, 1.0]]), 8.0)
    assert lp_calls
    assert sorted((i, j) for i, j, _ in shipped) == [(0, 0), (1, 0), (1, 1)]
    assert short == pytest.approx([0.0, 0.0])


def test_an_answer_without_certificate_is_not_used(monkeypatch):
    """A feasible but suboptimal plan from the simplex fails the check; the LP answers."""
    import ot

    real_emd = ot.emd

    def wrong_emd(a, b, cost, **kwargs):
        plan, log = real_emd(a, b, cost, **kwargs)
        plan = plan.copy()
        plan[:2, :2] = plan[1::-1, :2]  # swap the two warehouses' deliveries: same masses
        return plan, log

    lp_calls = spy_on_lp(monkeypatch)
    args = ([5.0, 5.0], [5.0, 5.0], np.array([[1.0, 6.0], [6.0, 1.0]]), 8.0)
    assert sorted(solve_transport(*args)[0]) == [(0, 0, 5.0), (1, 1, 5.0)] and not lp_calls
    monkeypatch.setattr(ot, "emd", wrong_emd)
    assert sorted(solve_transport(*args)[0]) == [(0, 0, 5.0), (1, 1, 5.0)] and lp_calls
