"""The fast travel-time matrices give the same seconds as the exact searches.

* The scipy search of the reduced graph (degree-2 chains of the edge graph contracted, one call
  for all sources) equals single routes on the whole edge graph and the independent reference in
  tests/routing_reference.py — on the Monaco extract, where most road segments lie inside chains,
  with points placed on chains and with a road closed.
* The contraction hierarchy (bucket many-to-many) equals that scipy search on Monaco, on a small
  synthetic network with turn restrictions, and falls back to it when a road is closed."""

import numpy as np
import pytest

from tests import routing_reference
from tests.conftest import FIXTURES
from yingji.geo import router
from yingji.geo.roads import import_osm_pbf
from yingji.geo.roads.turns import edge_graph

MONACO = FIXTURES / "osm" / "monaco.osm.pbf"


@pytest.fixture(scope="module")
def monaco():
    return import_osm_pbf(MONACO)


def midpoint(graph, edge: int) -> tuple[float, float]:
    a, b = graph.edge_from[edge], graph.edge_to[edge]
    return float((graph.lon[a] + graph.lon[b]) / 2), float((graph.lat[a] + graph.lat[b]) / 2)


def long_chain(graph, profile: str, segments: int = 5) -> list[int]:
    """Consecutive road segments of one chain (each entered only from the one before)."""
    eg = edge_graph(graph, profile)
    chains = router._chains(eg)
    runs = {}
    for node in chains.order.tolist():
        runs.setdefault(int(chains.head[node]), []).append(node)
    lengths = {h: sum(graph.length_m[r]) for h, r in runs.items() if len(r) >= segments}
    head = max(lengths, key=lengths.get)
    return runs[head]


def test_most_of_the_monaco_edge_graph_is_chains(monaco):
    eg = edge_graph(monaco, "car")
    chains = router._chains(eg)
    assert chains.n_chain_nodes > 0.5 * eg.usable.sum()
    assert chains.reduced.shape[0] < 0.5 * eg.csr.shape[0]


@pytest.mark.parametrize("profile", ["car", "emergency"])
def test_matrix_equals_single_routes_with_points_on_chains(monaco, profile):
    chain = long_chain(monaco, profile)
    on_chain = [midpoint(monaco, e) for e in chain[1::2]]  # upstream and downstream of each other
    rng = np.random.default_rng(11)
    elsewhere = [(float(x), float(y)) for x, y in zip(rng.uniform(7.415, 7.44, 4), rng.uniform(43.728, 43.748, 4))]
    sources = on_chain[:2] + elsewhere[:2]
    targets = on_chain[::-1] + elsewhere[2:]
    fast = router.matrix(monaco, profile, sources, targets).durations_s
    assert np.isfinite(fast).all()
    for i, a in enumerate(sources):
        for j, b in enumerate(targets):
            seconds = router.route(monaco, profile, a, b)[0]
            assert fast[i, j] == pytest.approx(seconds, abs=1e-6), (i, j)
    # and against the textbook implementation, a few pairs (it is slow)
    for i, j in [(0, 0), (1, 2), (2, 1), (3, 3)]:
        expected = routing_reference.seconds(monaco, profile, sources[i], targets[j])
        assert fast[i, j] == pytest.approx(expected, abs=1e-6)


def test_matrix_equals_single_routes_with_a_chain_closed(monaco):
    chain = long_chain(monaco, "car")  # on Monaco: out along a dead-end road and back
    closed = monaco.with_closures(edge_ids=[chain[len(chain) // 4]])
    rng = np.random.default_rng(5)
    points = [midpoint(monaco, chain[0]), midpoint(monaco, chain[len(chain) // 2 - 3])]
    points += [(float(x), float(y)) for x, y in zip(rng.uniform(7.415, 7.44, 4), rng.uniform(43.728, 43.748, 4))]
    fast = router.matrix(closed, "car", points[:3], points[3:] + points[:2]).durations_s
    before = router.matrix(monaco, "car", points[:1], points[1:2]).durations_s[0, 0]
    assert np.isfinite(before) and fast[0, 4] > before  # the closure cuts the way along the chain
    for i, a in enumerate(points[:3]):
        for j, b in enumerate(points[3:] + points[:2]):
            seconds = router.route(closed, "car", a, b)[0]
            assert fast[i, j] == pytest.approx(seconds, abs=1e-6), (i, j)


# ---------------------------------------------------------------------- contraction hierarchy
def both_engines(monkeypatch, graph, profile, sources, targets):
    """The matrix from the exact scipy search and from the contraction hierarchy."""
    monkeypatch.setattr(router, "MATRIX_CH", "never")
    exact = router.matrix(graph, profile, sources, targets).durations_s
    monkeypatch.setattr(router, "MATRIX_CH", "always")
    fast = router.matrix(graph, profile, sources, targets).durations_s
    return exact, fast


def assert_same(exact, fast):
    assert (np.isfinite(exact) == np.isfinite(fast)).all()
    ok = np.isfinite(exact)
    np.testing.assert_allclose(fast[ok], exact[ok], rtol=1e-6, atol=0)


def near_nodes(graph, rng, count, jitter):
    nodes = rng.choice(np.flatnonzero(graph.main_component_mask), size=count, replace=False)
    return [(float(graph.lon[n] + rng.uniform(-jitter, jitter)), float(graph.lat[n] + rng.uniform(-jitter, jitter)))
            for n in nodes]


@pytest.mark.parametrize("profile", ["car", "emergency"])
def test_hierarchy_matrix_equals_the_scipy_search_on_monaco(monaco, profile, monkeypatch):
    rng = np.random.default_rng(3)
    points = near_nodes(monaco, rng, 60, 0.0005)
    chain = long_chain(monaco, profile)
    sources = points[:40] + [midpoint(monaco, e) for e in chain[:3]]
    targets = points[40:] + [midpoint(monaco, e) for e in chain[1:4]] + sources[:2]  # same segments too
    exact, fast = both_engines(monkeypatch, monaco, profile, sources, targets)
    assert "_ch" in edge_graph(monaco, profile).__dict__  # the hierarchy answered
    assert np.isfinite(fast).mean() > 0.9
    assert_same(exact, fast)


@pytest.fixture(scope="module")
def small_grid():
    """A small synthetic network with turn restrictions: ``no_*`` and ``only_*`` at busy
    intersections, some of them not binding emergency vehicles."""
    from shapely.geometry import box

    from yingji.geo.roads import RoadGraph, synthetic_fuxin_network

    g = synthetic_fuxin_network({"210900": box(121.5, 41.9, 121.8, 42.1)}, seed=4, target_nodes=700)
    rng = np.random.default_rng(8)
    rows, banned_turns = [], []
    for via in rng.permutation(g.n_nodes).tolist():
        into = np.flatnonzero(g.edge_to == via)
        out = np.flatnonzero(g.edge_from == via)
        ways_in, ways_out = np.unique(g.way_id[into]), np.unique(g.way_id[out])
        if len(ways_in) < 2 or len(ways_out) < 2:
            continue
        k = len(rows)
        from_way, to_way = int(ways_in[0]), int(ways_out[-1])
        flags = (1 if k % 3 == 2 else 0) | (2 if k % 4 == 3 else 0)  # only_* every third, except= every fourth
        rows.append((from_way, via, to_way, flags))
        if flags == 0:
            banned_turns.append((into[g.way_id[into] == from_way][0], out[g.way_id[out] == to_way][0]))
        if len(rows) == 40:
            break
    restricted = RoadGraph(g.lon, g.lat, g.edge_from, g.edge_to, g.length_m, g.speed_kmh, g.road_class, g.way_id,
                           g.class_names, g.metadata, extras={**g.extras, "restrictions": np.asarray(rows)})
    return g, restricted, banned_turns


@pytest.mark.parametrize("profile", ["car", "emergency"])
def test_hierarchy_matrix_equals_the_scipy_search_with_turn_restrictions(small_grid, profile, monkeypatch):
    free, graph, banned = small_grid
    assert edge_graph(graph, profile).n_arcs < edge_graph(free, profile).n_arcs
    rng = np.random.default_rng(2)
    points = near_nodes(graph, rng, 50, 0.002)
    # from the segment before each banned turn to the segment after it
    sources = [midpoint(graph, a) for a, _ in banned[:6]] + points[:14]
    targets = [midpoint(graph, b) for _, b in banned[:6]] + points[14:]
    exact, fast = both_engines(monkeypatch, graph, profile, sources, targets)
    assert_same(exact, fast)
    unrestricted = router.matrix(free, profile, sources, targets).durations_s
    if profile == "car":  # the banned turn costs a detour
        assert (np.diag(fast[:6, :6]) > np.diag(unrestricted[:6, :6]) + 1e-6).all()


def test_a_closure_falls_back_to_the_exact_search(small_grid, monkeypatch):
    _, graph, _ = small_grid
    rng = np.random.default_rng(6)
    points = near_nodes(graph, rng, 30, 0.002)
    exact_open, fast_open = both_engines(monkeypatch, graph, "car", points[:10], points[10:])
    assert_same(exact_open, fast_open)
    # a copy of the graph with nothing closed answers from the hierarchy of the graph itself
    _, fast_copy = both_engines(monkeypatch, graph.with_closures(), "car", points[:10], points[10:])
    assert_same(exact_open, fast_copy)
    # close the road of the segment under the first source: its times change
    first = router.snap(graph, "car", [points[0][0]], [points[0][1]])
    closed = graph.with_closures(way_ids=[int(graph.way_id[first.edge[0]])])
    exact, fast = both_engines(monkeypatch, closed, "car", points[:10], points[10:])
    assert "_ch" not in edge_graph(closed, "car").__dict__  # no hierarchy for a closed graph
    assert_same(exact, fast)
    assert (fast[0] != fast_open[0]).any()
    for j, b in enumerate(points[10:14]):  # and the single routes agree
        assert fast[0, j] == pytest.approx(router.route(closed, "car", points[0], b)[0], rel=1e-6)
