"""The fast travel-time matrix (degree-2 chains of the edge graph contracted, one scipy search for
all sources) gives the same seconds as single routes on the whole edge graph and as the
independent reference in tests/routing_reference.py — on the Monaco extract, where most road
segments lie inside chains, with points placed on chains and with a road closed."""

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
