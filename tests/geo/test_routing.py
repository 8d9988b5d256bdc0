"""Travel times, routes, nearest-k and coverage against an independent pure-Python Dijkstra."""

import heapq
import math

import numpy as np
import pytest
from shapely.geometry import box

from tests.conftest import FIXTURES
from yingji.geo.roads import RoadGraph, haversine_m, import_osm_pbf, synthetic_fuxin_network
from yingji.geo.routing import (
    ACCESS_SPEED_KMH,
    access_seconds,
    coverage,
    multi_source_times,
    nearest_k,
    reachable_mask,
    route,
    sample_times,
    travel_times_from,
    travel_times_to,
)

MONACO = FIXTURES / "osm" / "monaco.osm.pbf"


# ---------------------------------------------------------------------- reference implementation
def reference_dijkstra(graph: RoadGraph, source: int, reverse: bool = False) -> list[float]:
    """Textbook heapq Dijkstra over the open edges (edge list, no scipy)."""
    adjacency = [[] for _ in range(graph.n_nodes)]
    seconds = graph.length_m / (graph.speed_kmh / 3.6)
    for e in range(graph.n_edges):
        if graph.closed[e] or not graph.car_ok[e]:  # emergency-only roads are not in the car graph
            continue
        u, v = int(graph.edge_from[e]), int(graph.edge_to[e])
        if reverse:
            u, v = v, u
        adjacency[u].append((v, max(float(seconds[e]), 1e-3)))
    dist = [math.inf] * graph.n_nodes
    dist[source] = 0.0
    heap = [(0.0, source)]
    while heap:
        d, u = heapq.heappop(heap)
        if d > dist[u]:
            continue
        for v, w in adjacency[u]:
            if d + w < dist[v]:
                dist[v] = d + w
                heapq.heappush(heap, (d + w, v))
    return dist


def assert_same_times(actual, expected):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert np.array_equal(np.isinf(actual), np.isinf(expected))
    finite = np.isfinite(expected)
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=1e-9, atol=1e-6)


def node_point(graph, node):
    return float(graph.lon[node]), float(graph.lat[node])


# ---------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def monaco() -> RoadGraph:
    return import_osm_pbf(MONACO)


@pytest.fixture(scope="module")
def small_synthetic() -> RoadGraph:
    return synthetic_fuxin_network({"210900": box(121.0, 41.7, 122.9, 42.9)}, seed=11,
                                   target_nodes=3_000)


def main_nodes(graph, count, seed):
    rng = np.random.default_rng(seed)
    return rng.choice(np.flatnonzero(graph.main_component_mask), size=count, replace=False)


def line_graph() -> RoadGraph:
    """0 <-> 1 <-> 2 <-> 3 along the equator (≈1.11 km apart), node 4 is an island 4 <-> 5."""
    lon = [0.0, 0.01, 0.02, 0.03, 0.5, 0.51]
    frm = [0, 1, 1, 2, 2, 3, 4, 5]
    to = [1, 0, 2, 1, 3, 2, 5, 4]
    length = [1000.0] * 8
    return RoadGraph(lon, [0.0] * 6, frm, to, length, [36.0] * 8, [0] * 8,
                     [1, 1, 2, 2, 3, 3, 4, 4], ["primary"])


# ---------------------------------------------------------------------- travel times
@pytest.mark.parametrize("graph_name", ["monaco", "small_synthetic"])
def test_travel_times_match_reference_dijkstra(graph_name, request):
    graph = request.getfixturevalue(graph_name)
    for source in main_nodes(graph, 4, seed=1):
        lon, lat = node_point(graph, source)
        assert_same_times(travel_times_from(graph, lon, lat), reference_dijkstra(graph, source))


@pytest.mark.parametrize("graph_name", ["monaco", "small_synthetic"])
def test_travel_times_to_match_reverse_reference(graph_name, request):
    graph = request.getfixturevalue(graph_name)
    for target in main_nodes(graph, 3, seed=2):
        lon, lat = node_point(graph, target)
        assert_same_times(travel_times_to(graph, lon, lat),
                          reference_dijkstra(graph, target, reverse=True))


def test_access_leg_is_added():
    graph = line_graph()
    times = travel_times_from(graph, 0.0, 0.001)  # ≈111 m north of node 0
    access_m = float(haversine_m(0.0, 0.0, 0.0, 0.001))
    assert times[0] == pytest.approx(access_m / (ACCESS_SPEED_KMH / 3.6), rel=1e-3)
    assert times[3] == pytest.approx(times[0] + 300.0)
    assert np.isinf(times[4])  # island


def test_oneway_asymmetry_on_monaco(monaco):
    a, b = main_nodes(monaco, 2, seed=5)
    forward = reference_dijkstra(monaco, a)[b]
    backward = reference_dijkstra(monaco, b)[a]
    seconds_ab, _, _ = route(monaco, node_point(monaco, a), node_point(monaco, b))
    seconds_ba, _, _ = route(monaco, node_point(monaco, b), node_point(monaco, a))
    assert seconds_ab == pytest.approx(forward) and seconds_ba == pytest.approx(backward)


# ---------------------------------------------------------------------- routes
@pytest.mark.parametrize("graph_name", ["monaco", "small_synthetic"])
def test_route_is_consistent(graph_name, request):
    graph = request.getfixturevalue(graph_name)
    index = {(x, y): i for i, (x, y) in enumerate(zip(graph.lon.tolist(), graph.lat.tolist()))}
    a, b = main_nodes(graph, 2, seed=3)
    start, end = node_point(graph, a), node_point(graph, b)
    seconds, metres, coords = route(graph, start, end)
    assert seconds == pytest.approx(reference_dijkstra(graph, a)[b])
    assert coords[0] == start and coords[-1] == end
    nodes = [index[c] for c in coords[1:-1]]
    edge_seconds, edge_metres = 0.0, 0.0
    for u, v in zip(nodes[:-1], nodes[1:]):
        candidates = np.flatnonzero((graph.edge_from == u) & (graph.edge_to == v))
        assert len(candidates), "route uses a non-existent edge"
        best = candidates[np.argmin(graph.travel_s[candidates])]
        edge_seconds += graph.travel_s[best]
        edge_metres += graph.length_m[best]
    assert edge_seconds == pytest.approx(seconds)
    assert edge_metres == pytest.approx(metres)
    assert metres >= float(haversine_m(*start, *end)) - 1e-6


def test_route_includes_access_legs():
    graph = line_graph()
    seconds, metres, coords = route(graph, (0.0, 0.001), (0.03, -0.001))
    access_m = 2 * float(haversine_m(0.0, 0.0, 0.0, 0.001))
    assert metres == pytest.approx(3000.0 + access_m, rel=1e-6)
    assert seconds == pytest.approx(300.0 + float(access_seconds(access_m)), rel=1e-6)
    assert coords == [(0.0, 0.001), (0.0, 0.0), (0.01, 0.0), (0.02, 0.0), (0.03, 0.0),
                      (0.03, -0.001)]


def test_island_points_snap_to_main_component():
    graph = line_graph()
    seconds, _, coords = route(graph, (0.0, 0.0), (0.5, 0.0))  # island is not main component
    assert coords[-2] == (0.03, 0.0)
    assert math.isfinite(seconds)


# ---------------------------------------------------------------------- closures
def test_closure_increases_travel_time(small_synthetic):
    graph = small_synthetic
    a, b = main_nodes(graph, 2, seed=8)
    seconds, _, coords = route(graph, node_point(graph, a), node_point(graph, b))
    index = {(x, y): i for i, (x, y) in enumerate(zip(graph.lon.tolist(), graph.lat.tolist()))}
    nodes = np.asarray([index[c] for c in coords[1:-1]])
    middle = len(nodes) // 2
    used = graph.edges_between(nodes[middle - 1:middle + 1], nodes[middle:middle + 2])
    closed = graph.with_closures(way_ids=graph.way_id[used])
    new_seconds, _, _ = route(closed, node_point(graph, a), node_point(graph, b))
    assert new_seconds > seconds
    assert_same_times(travel_times_from(closed, *node_point(graph, a)),
                      reference_dijkstra(closed, a))
    # the base graph is unchanged
    assert route(graph, node_point(graph, a), node_point(graph, b))[0] == pytest.approx(seconds)


def test_closure_makes_target_unreachable():
    graph = line_graph().with_closures(way_ids=[2])  # cut 1 <-> 2
    assert route(graph, (0.0, 0.0), (0.03, 0.0)) == (math.inf, math.inf, [])
    times = travel_times_from(graph, 0.0, 0.0)
    assert np.isinf(times[2]) and np.isinf(times[3]) and times[1] == pytest.approx(100.0)


# ---------------------------------------------------------------------- nearest k
def test_nearest_k_ranks_by_travel_time(small_synthetic):
    graph = small_synthetic
    incident = main_nodes(graph, 1, seed=20)[0]
    rng = np.random.default_rng(21)
    lon = rng.uniform(121.05, 122.85, 40)
    lat = rng.uniform(41.75, 42.85, 40)
    targets = [(f"team-{i}", float(x), float(y)) for i, (x, y) in enumerate(zip(lon, lat))]
    ranked = nearest_k(graph, node_point(graph, incident), targets, k=7)
    to_incident = reference_dijkstra(graph, incident, reverse=True)
    nodes, distance = graph.snap(lon, lat)
    expected = sorted((to_incident[n] + float(access_seconds(d)), f"team-{i}")
                      for i, (n, d) in enumerate(zip(nodes, distance)))
    assert [r.id for r in ranked] == [name for _, name in expected[:7]]
    for r, (seconds, _) in zip(ranked, expected):
        assert r.seconds == pytest.approx(seconds)
        target = next(t for t in targets if t[0] == r.id)
        assert r.route[0] == (target[1], target[2])  # drives from the team to the incident
        assert r.route[-1] == node_point(graph, incident)
        assert r.metres > 0


def test_nearest_k_from_origin_direction(monaco):
    origin = main_nodes(monaco, 1, seed=30)[0]
    candidates = main_nodes(monaco, 30, seed=31)
    targets = [(int(n), *node_point(monaco, n)) for n in candidates]
    ranked = nearest_k(monaco, node_point(monaco, origin), targets, k=5, towards_origin=False)
    from_origin = reference_dijkstra(monaco, origin)
    expected = sorted(from_origin[n] for n in candidates)[:5]
    assert [r.seconds for r in ranked] == pytest.approx(expected)
    for r in ranked:
        assert r.route[0] == node_point(monaco, origin)
        assert route(monaco, node_point(monaco, origin), node_point(monaco, r.id))[1] == \
            pytest.approx(r.metres)


def test_nearest_k_unreachable_targets():
    graph = line_graph().with_closures(way_ids=[2])
    targets = [("far", 0.03, 0.0), ("near", 0.01, 0.0), ("also-far", 0.02, 0.0)]
    assert [r.id for r in nearest_k(graph, (0.0, 0.0), targets, k=3)] == ["near"]
    with_inf = nearest_k(graph, (0.0, 0.0), targets, k=3, include_unreachable=True)
    assert [r.id for r in with_inf] == ["near", "far", "also-far"]
    assert math.isinf(with_inf[1].seconds) and with_inf[1].route == []
    assert nearest_k(graph, (0.0, 0.0), [], k=3) == []


# ---------------------------------------------------------------------- coverage
def brute_force_sample_times(graph, sources, samples):
    source_nodes, source_d = graph.snap([s[0] for s in sources], [s[1] for s in sources])
    sample_nodes, sample_d = graph.snap([p[0] for p in samples], [p[1] for p in samples])
    tables = [reference_dijkstra(graph, int(n)) for n in source_nodes]
    return np.asarray([
        min(float(access_seconds(sd)) + table[sn] for table, sd in zip(tables, source_d))
        + float(access_seconds(pd))
        for sn, pd in zip(sample_nodes, sample_d)
    ])


def test_coverage_matches_brute_force(small_synthetic):
    graph = small_synthetic
    rng = np.random.default_rng(40)
    sources = [(float(x), float(y)) for x, y in zip(rng.uniform(121.2, 122.7, 5),
                                                     rng.uniform(41.8, 42.8, 5))]
    samples = [(float(x), float(y), float(w)) for x, y, w in
               zip(rng.uniform(121.0, 122.9, 300), rng.uniform(41.7, 42.9, 300),
                   rng.integers(1, 500, 300))]
    expected_times = brute_force_sample_times(graph, sources, samples)
    np.testing.assert_allclose(sample_times(graph, sources, samples), expected_times, rtol=1e-9)
    weights = np.asarray([s[2] for s in samples])
    for limit in (900.0, 1800.0, 3600.0):
        share = coverage(graph, sources, limit, samples)
        assert share == pytest.approx(weights[expected_times <= limit].sum() / weights.sum())
    assert 0 < coverage(graph, sources, 900.0, samples) < coverage(graph, sources, 3600.0, samples)


def test_multi_source_equals_minimum_of_single_sources(monaco):
    sources = [node_point(monaco, n) for n in main_nodes(monaco, 4, seed=50)]
    sources.append((7.42, 43.735))  # off-network point with an access leg
    singles = np.min([travel_times_from(monaco, *s) for s in sources], axis=0)
    np.testing.assert_allclose(multi_source_times(monaco, sources), singles, rtol=1e-9, atol=1e-6)
    limited = multi_source_times(monaco, sources, limit_s=120.0)
    within = singles <= 120.0
    np.testing.assert_allclose(limited[within], singles[within], rtol=1e-9, atol=1e-6)
    assert np.isinf(limited[~within]).all()
    assert np.array_equal(reachable_mask(monaco, sources, 120.0), within)


def test_coverage_edge_cases():
    graph = line_graph()
    assert coverage(graph, [(0.0, 0.0)], 100.0, []) == 0.0
    samples = [(0.01, 0.0, 3.0), (0.03, 0.0, 1.0)]
    assert coverage(graph, [(0.0, 0.0)], 150.0, samples) == pytest.approx(0.75)
    assert coverage(graph, [], 150.0, samples) == 0.0
