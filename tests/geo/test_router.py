"""The edge-based router on a hand-written grid (tests/fixtures/osm/turns-grid.osm: turn
restrictions, a private road, a lift gate, a 2 km edge) and on the Monaco extract, against the
independent reference in tests/routing_reference.py."""

import math

import numpy as np
import pytest

from tests import routing_reference
from tests.conftest import FIXTURES
from yingji.geo import router
from yingji.geo.roads import import_osm_pbf
from yingji.geo.roads.turns import turn_seconds
from yingji.geo.routing import ACCESS_SPEED_KMH

GRID = FIXTURES / "osm" / "turns-grid.osm"
MONACO = FIXTURES / "osm" / "monaco.osm.pbf"
LON0, LAT0, DLON, DLAT = 13.400, 52.500, 0.003, 0.002


def node(nid: int) -> tuple[float, float]:
    """Coordinates of grid node ``1RC`` (row R south to north, column C west to east)."""
    if nid == 115:
        return LON0, LAT0 + 1.5 * DLAT
    if nid == 200:
        return LON0 + 3 * DLON + 0.03, LAT0
    r, c = divmod(nid - 100, 10)
    return round(LON0 + DLON * c, 7), round(LAT0 + DLAT * r, 7)


def between(a: int, b: int, share: float = 0.5, north_m: float = 0.0) -> tuple[float, float]:
    (x1, y1), (x2, y2) = node(a), node(b)
    return x1 + (x2 - x1) * share, y1 + (y2 - y1) * share + north_m / 111_195.0


def on_segment(p, a, b) -> bool:
    (px, py), (ax, ay), (bx, by) = p, a, b
    cross = (bx - ax) * (py - ay) - (by - ay) * (px - ax)
    dot = (px - ax) * (bx - ax) + (py - ay) * (by - ay)
    return abs(cross) < 1e-12 and 0 <= dot <= (bx - ax) ** 2 + (by - ay) ** 2 + 1e-15


def makes_turn(coords, a: int, via: int, b: int) -> bool:
    """Whether the route drives from the segment a-via through ``via`` into via-b."""
    pts = coords[1:-1]
    return any(q == pytest.approx(node(via), abs=1e-7) and not p == pytest.approx(q, abs=1e-9)
               and on_segment(p, node(a), node(via)) and on_segment(r, node(via), node(b))
               for p, q, r in zip(pts, pts[1:], pts[2:]))


def path_nodes(coords) -> list[tuple[float, float]]:
    """Graph nodes of a route (the points and their snapped positions dropped)."""
    return [(round(x, 7), round(y, 7)) for x, y in coords[2:-2]]


@pytest.fixture(scope="module")
def grid():
    return import_osm_pbf(GRID)


@pytest.fixture(scope="module")
def monaco():
    return import_osm_pbf(MONACO)


def without_restrictions(graph):
    from yingji.geo.roads import RoadGraph

    extras = {**graph.extras, "restrictions": np.zeros((0, 4), np.int64)}
    return RoadGraph(graph.lon, graph.lat, graph.edge_from, graph.edge_to, graph.length_m, graph.speed_kmh,
                     graph.road_class, graph.way_id, graph.class_names, graph.metadata, extras=extras)


# ---------------------------------------------------------------------- import of the tags
def test_grid_import_reads_restrictions_barrier_signal_and_access(grid):
    assert grid.metadata["restrictions"] == 2 and grid.metadata["turn_restrictions"]
    gate = int(np.flatnonzero((np.round(grid.lon, 7) == node(115)[0]) & (np.round(grid.lat, 7) == node(115)[1]))[0])
    assert grid.extras["barrier"][gate] == 1  # blocks cars, not emergency vehicles
    assert grid.extras["node_penalty_s"].max() == 2.0  # one traffic signal, OSRM's 2 s
    private = grid.way_id == 3000
    assert private.any() and not grid.car_ok[private].any()
    assert (grid.extras["access"][private] & 2).all()
    long_road = grid.way_id == 4000
    assert grid.speed_kmh[long_road] == pytest.approx(40.0)  # maxspeed 50 driven at 80 %


def test_turn_cost_sigmoid_prefers_right_turns():
    right, left, straight = turn_seconds([90.0, -90.0, 0.0])
    assert right == pytest.approx(2.1, abs=0.05) and left == pytest.approx(5.4, abs=0.05)
    assert straight < 0.01


# ---------------------------------------------------------------------- restrictions
def test_forbidden_left_turn_is_not_taken(grid):
    start, end = between(110, 111, 0.5), between(111, 121, 0.5)
    seconds, _, coords, _ = router.route(grid, "car", start, end)
    assert not makes_turn(coords, 110, 111, 121), "took the forbidden left turn"
    free, _, free_coords, _ = router.route(without_restrictions(grid), "car", start, end)
    assert makes_turn(free_coords, 110, 111, 121) and free < seconds
    assert seconds == pytest.approx(routing_reference.seconds(grid, "car", start, end), abs=1e-6)


def test_only_straight_on_is_honoured(grid):
    start, end = between(111, 112, 0.5), between(102, 112, 0.5)  # the south road at node 112
    seconds, _, coords, _ = router.route(grid, "car", start, end)
    assert not makes_turn(coords, 111, 112, 102), "turned off although only straight on is allowed"
    free, _, free_coords, _ = router.route(without_restrictions(grid), "car", start, end)
    assert makes_turn(free_coords, 111, 112, 102) and free < seconds
    assert seconds == pytest.approx(routing_reference.seconds(grid, "car", start, end), abs=1e-6)


# ---------------------------------------------------------------------- profiles
def test_private_road_is_used_by_emergency_vehicles_only(grid):
    start, end = between(101, 102, 0.9), between(113, 123, 0.1)
    car_s, _, car_coords, _ = router.route(grid, "car", start, end)
    em_s, _, em_coords, _ = router.route(grid, "emergency", start, end)
    shortcut = [node(102), node(113)]
    em_nodes, car_nodes = path_nodes(em_coords), path_nodes(car_coords)
    assert em_nodes[:2] == shortcut and em_s < car_s
    assert not any(car_nodes[i:i + 2] == shortcut for i in range(len(car_nodes)))
    for profile, seconds in (("car", car_s), ("emergency", em_s)):
        assert seconds == pytest.approx(routing_reference.seconds(grid, profile, start, end), abs=1e-6)


def test_lift_gate_is_passed_by_emergency_vehicles_only(grid):
    start, end = between(110, 115, 0.5), between(115, 120, 0.5)
    car_s, _, car_coords, _ = router.route(grid, "car", start, end)
    em_s, em_m, em_coords, _ = router.route(grid, "emergency", start, end)
    assert path_nodes(em_coords) == [node(115)]
    assert node(115) not in path_nodes(car_coords) and car_s > em_s + 30
    assert em_m == pytest.approx(DLAT * 0.5 * 111_195, rel=0.01)
    assert car_s == pytest.approx(routing_reference.seconds(grid, "car", start, end), abs=1e-6)


# ---------------------------------------------------------------------- snapping
def test_point_beside_a_long_edge_snaps_onto_it(grid):
    """The 2 km road has nodes only at its ends: snapping to a node would put the point ~1 km
    away; on the segment it is 30 m away and half the road is driven."""
    point = between(103, 200, 0.5, north_m=30.0)
    snapped = router.snap(grid, "car", [point[0]], [point[1]])
    assert snapped.snap_m[0] == pytest.approx(30.0, abs=0.5)
    assert grid.way_id[snapped.edge[0]] == 4000 and snapped.t[0] == pytest.approx(0.5, abs=0.01)
    seconds, metres, coords, _ = router.route(grid, "car", point, node(103))
    edge = snapped.edge[0]
    half = grid.length_m[edge] / 2
    assert metres == pytest.approx(half + 30.0, abs=1.0)
    assert seconds == pytest.approx(half / (40 / 3.6) + 30.0 / (ACCESS_SPEED_KMH / 3.6), abs=0.5)
    assert coords[1] == pytest.approx(between(103, 200, 0.5), abs=1e-6)


def test_point_far_from_any_road_is_refused(grid):
    with pytest.raises(router.SnapError, match="超过 500 米"):
        router.route(grid, "car", node(100), (13.42, 52.52), max_snap_m=500.0)


# ---------------------------------------------------------------------- Monaco
@pytest.fixture(scope="module")
def monaco_points():
    rng = np.random.default_rng(7)
    return [(float(x), float(y)) for x, y in zip(rng.uniform(7.415, 7.44, 12), rng.uniform(43.728, 43.748, 12))]


@pytest.mark.parametrize("profile", ["car", "emergency"])
def test_monaco_matrix_matches_reference_and_routes(monaco, monaco_points, profile):
    sources, targets = monaco_points[:3], monaco_points[3:8]
    result = router.matrix(monaco, profile, sources, targets, with_distances=True)
    for i, a in enumerate(sources):
        for j, b in enumerate(targets):
            expected = routing_reference.seconds(monaco, profile, a, b)
            assert result.durations_s[i, j] == pytest.approx(expected, abs=1e-6)
            seconds, metres, _, _ = router.route(monaco, profile, a, b)
            assert seconds == pytest.approx(result.durations_s[i, j], abs=1e-6)
            assert metres == pytest.approx(result.distances_m[i, j], abs=1e-3)


def test_monaco_nearest_and_coverage_agree_with_matrix(monaco, monaco_points):
    origin, others = monaco_points[0], monaco_points[1:]
    targets = [(f"t{i}", x, y) for i, (x, y) in enumerate(others)]
    towards = router.matrix(monaco, "emergency", others, [origin]).durations_s[:, 0]
    ranked = router.nearest_k(monaco, "emergency", origin, targets, k=4)
    assert [r.id for r in ranked] == [f"t{i}" for i in np.argsort(towards)[:4]]
    assert [r.seconds for r in ranked] == pytest.approx(sorted(towards)[:4], abs=1e-6)
    samples = [(x, y, 1.0) for x, y in others]
    times = router.sample_times(monaco, "car", monaco_points[:2], samples)
    expected = router.matrix(monaco, "car", monaco_points[:2], others).durations_s.min(axis=0)
    np.testing.assert_allclose(times, expected, atol=1e-6)
    assert router.coverage(monaco, "car", monaco_points[:2], float(np.median(expected)), samples) == \
        pytest.approx(float(np.mean(expected <= np.median(expected))))


def test_closures_apply_to_both_profiles(monaco, monaco_points):
    a, b = monaco_points[0], monaco_points[1]
    for profile in ("car", "emergency"):
        seconds, _, coords, _ = router.route(monaco, profile, a, b)
        index = {(x, y): i for i, (x, y) in enumerate(zip(monaco.lon.tolist(), monaco.lat.tolist()))}
        nodes = np.asarray([index[c] for c in coords[2:-2]])
        used = monaco.edges_between(nodes[:-1], nodes[1:])
        mid = used[len(used) // 2]
        closed = monaco.with_closures(way_ids=[int(monaco.way_id[mid])])
        after = router.route(closed, profile, a, b)[0]
        assert after > seconds or math.isinf(after)
        assert after == pytest.approx(routing_reference.seconds(closed, profile, a, b), abs=1e-6)
