"""Road graph model, OSM import (Monaco extract) and the synthetic Fuxin network."""

import numpy as np
import pytest
import shapely
from shapely.geometry import box

from tests.conftest import FIXTURES
from yingji.geo.roads import (
    CAR_SPEED_KMH,
    SYNTHETIC_CLASSES,
    RoadGraph,
    car_way_profile,
    import_osm_pbf,
    oneway_direction,
    parse_maxspeed,
    synthetic_fuxin_network,
)

MONACO = FIXTURES / "osm" / "monaco.osm.pbf"
FUXIN_RECTANGLE = box(121.0, 41.7, 122.9, 42.9)


def fuxin_polygons() -> dict:
    """Real county boundaries when the boundaries module is available, else a rectangle."""
    try:
        from yingji.geo.boundaries import county_features

        features = county_features("2109")
        return {str(f["properties"]["code"]): shapely.geometry.shape(f["geometry"])
                for f in features}
    except (ImportError, KeyError, TypeError, AttributeError):
        return {"210900": FUXIN_RECTANGLE}


@pytest.fixture(scope="module")
def monaco() -> RoadGraph:
    return import_osm_pbf(MONACO)


@pytest.fixture(scope="module")
def monaco_ways() -> dict:
    """way id -> (tags, [(lon, lat), ...]) for every highway way of the extract."""
    import osmium

    ways = {}
    processor = (osmium.FileProcessor(str(MONACO)).with_locations()
                 .with_filter(osmium.filter.EntityFilter(osmium.osm.WAY))
                 .with_filter(osmium.filter.KeyFilter("highway")))
    for way in processor:
        ways[way.id] = (dict(way.tags), [(n.lon, n.lat) for n in way.nodes])
    return ways


def node_index_by_coord(graph: RoadGraph) -> dict:
    return {(lon, lat): i for i, (lon, lat) in enumerate(zip(graph.lon.tolist(), graph.lat.tolist()))}


def edge_pairs(graph: RoadGraph) -> set:
    return set(zip(graph.edge_from.tolist(), graph.edge_to.tolist()))


# ---------------------------------------------------------------------- tag rules
@pytest.mark.parametrize("value, expected", [
    ("50", 50.0), ("50 km/h", 50.0), ("30 mph", 30 * 1.609344), ("FR:urban", 50.0),
    ("CN:rural", 80.0), ("walk", 6.0), ("none", None), ("signals", None), (None, None),
    ("50;70", 50.0), ("0", None),
])
def test_parse_maxspeed(value, expected):
    assert parse_maxspeed(value) == (pytest.approx(expected) if expected else None)


@pytest.mark.parametrize("tags, highway, expected", [
    ({"oneway": "yes"}, "primary", 1), ({"oneway": "-1"}, "primary", -1),
    ({}, "primary", 0), ({}, "motorway", 1), ({"oneway": "no"}, "motorway", 0),
    ({"junction": "roundabout"}, "tertiary", 1), ({"oneway": "true"}, "service", 1),
])
def test_oneway_direction(tags, highway, expected):
    assert oneway_direction(tags, highway) == expected


def test_car_way_profile_rules():
    assert car_way_profile({"highway": "footway"}) is None
    assert car_way_profile({"highway": "steps"}) is None
    assert car_way_profile({"highway": "construction"}) is None
    assert car_way_profile({"highway": "residential", "access": "private"}) is None
    assert car_way_profile({"highway": "residential", "access": "no"}) is None
    assert car_way_profile({"highway": "residential", "access": "no", "motor_vehicle": "yes"})
    assert car_way_profile({"highway": "primary", "oneway": "reversible"}) is None
    assert car_way_profile({"highway": "trunk"}) == ("trunk", CAR_SPEED_KMH["trunk"], 0)
    # a tagged maxspeed is driven at 80 % (OSRM car.lua speed_reduction)
    assert car_way_profile({"highway": "primary", "maxspeed": "70"}) == ("primary", 56.0, 0)
    assert car_way_profile({"highway": "motorway_link", "oneway": "yes"})[2] == 1


# ---------------------------------------------------------------------- OSM import
def test_monaco_import_counts(monaco):
    assert monaco.n_nodes > 5_000 and monaco.n_edges > 10_000
    assert not monaco.synthetic
    assert np.all(monaco.length_m >= 0) and np.mean(monaco.length_m > 0) > 0.99
    assert np.all(monaco.travel_s > 0)  # zero-length segments still cost a little
    assert set(monaco.edge_class_names()) <= set(CAR_SPEED_KMH)
    # fragments exist and the main component is the clear majority
    assert len(np.unique(monaco.component_labels)) > 1
    assert monaco.main_component_mask.mean() > 0.8


def test_oneway_way_has_no_reverse_edges(monaco, monaco_ways):
    index, pairs = node_index_by_coord(monaco), edge_pairs(monaco)
    checked = 0
    for way_id, (tags, coords) in monaco_ways.items():
        if tags.get("oneway") != "yes" or car_way_profile(tags) is None:
            continue
        for a, b in zip(coords[:-1], coords[1:]):
            u, v = index[a], index[b]
            assert (u, v) in pairs
            reverse = (monaco.edge_from == v) & (monaco.edge_to == u)
            assert not np.any(reverse & (monaco.way_id == way_id))
        checked += 1
        if checked >= 50:
            break
    assert checked == 50


def test_reverse_oneway_points_backwards(monaco, monaco_ways):
    index = node_index_by_coord(monaco)
    reverse_ways = [(wid, coords) for wid, (tags, coords) in monaco_ways.items()
                    if tags.get("oneway") == "-1" and car_way_profile(tags)]
    assert reverse_ways
    for way_id, coords in reverse_ways:
        mine = monaco.way_id == way_id
        first, second = index[coords[0]], index[coords[1]]
        assert np.any(mine & (monaco.edge_from == second) & (monaco.edge_to == first))
        assert not np.any(mine & (monaco.edge_from == first) & (monaco.edge_to == second))


def test_two_way_road_has_both_directions(monaco, monaco_ways):
    index, pairs = node_index_by_coord(monaco), edge_pairs(monaco)
    tags, coords = next(v for v in monaco_ways.values()
                        if v[0].get("highway") == "residential" and "oneway" not in v[0]
                        and car_way_profile(v[0]))
    u, v = index[coords[0]], index[coords[1]]
    assert (u, v) in pairs and (v, u) in pairs


def test_non_car_ways_and_private_access_are_skipped(monaco, monaco_ways):
    # private roads are imported for the emergency profile; cars may not use them
    kept = set(np.unique(monaco.way_id[monaco.car_ok]).tolist())
    skipped = [wid for wid, (tags, _) in monaco_ways.items()
               if tags["highway"] in ("footway", "steps", "path", "cycleway")
               or (tags.get("access") in ("private", "no")
                   and not {"vehicle", "motor_vehicle", "motorcar"} & set(tags))]
    assert skipped and kept.isdisjoint(skipped)
    # a more specific motor_vehicle tag overrides access=private
    override = [wid for wid, (tags, _) in monaco_ways.items()
                if tags.get("access") == "private" and tags.get("motor_vehicle") == "permissive"]
    assert override and set(override) <= kept


def test_maxspeed_is_used(monaco, monaco_ways):
    for maxspeed in ("50", "110", "30"):
        way_id = next(wid for wid, (tags, _) in monaco_ways.items()
                      if tags.get("maxspeed") == maxspeed and car_way_profile(tags))
        # driven at 80 % of the limit, as OSRM's car profile does
        assert np.all(monaco.speed_kmh[monaco.way_id == way_id] == pytest.approx(0.8 * float(maxspeed)))


def test_tunnels_are_roads(monaco, monaco_ways):
    tunnel_ids = [wid for wid, (tags, _) in monaco_ways.items()
                  if tags.get("tunnel") == "yes" and car_way_profile(tags)]
    assert tunnel_ids and np.isin(tunnel_ids, monaco.way_id).all()


def test_snapping_never_lands_in_a_fragment(monaco):
    fragment_nodes = np.flatnonzero(~monaco.main_component_mask)
    nodes, distance = monaco.snap(monaco.lon[fragment_nodes[:200]], monaco.lat[fragment_nodes[:200]])
    assert monaco.main_component_mask[nodes].all()
    assert np.all(distance > 0)
    main_node = int(np.flatnonzero(monaco.main_component_mask)[0])
    node, distance = monaco.snap(monaco.lon[main_node], monaco.lat[main_node])
    assert node[0] == main_node and distance[0] == 0


# ---------------------------------------------------------------------- model
def tiny_graph() -> RoadGraph:
    """0 -> 1 -> 2 (one-way), two parallel edges 2 -> 3 (slow way 10, fast way 11)."""
    return RoadGraph(
        lon=[0.0, 0.01, 0.02, 0.03], lat=[0.0, 0.0, 0.0, 0.0],
        edge_from=[0, 1, 2, 2, 3], edge_to=[1, 2, 3, 3, 0],
        length_m=[1000.0, 1000.0, 1000.0, 1000.0, 3000.0], speed_kmh=[36.0, 36.0, 18.0, 72.0, 36.0],
        road_class=[0, 0, 0, 0, 0], way_id=[1, 1, 10, 11, 2], class_names=["primary"],
    )


def test_csr_keeps_fastest_parallel_edge():
    graph = tiny_graph()
    assert graph.csr.nnz == 4
    assert graph.csr[2, 3] == pytest.approx(50.0)
    assert graph.edges_between(np.array([2, 0]), np.array([3, 2])).tolist() == [3, -1]
    closed = graph.with_closures(way_ids=[11])
    assert closed.csr[2, 3] == pytest.approx(200.0)
    assert graph.csr[2, 3] == pytest.approx(50.0)  # original untouched


def test_closures_are_cumulative_and_share_base():
    graph = tiny_graph()
    closed = graph.with_closures(edge_ids=[0]).with_closures(way_ids=[2])
    assert closed.closed.tolist() == [True, False, False, False, True]
    assert closed.csr.nnz == 2
    assert closed.base is graph and closed.without_closures() is graph
    assert np.array_equal(closed.component_labels, graph.component_labels)
    with pytest.raises(ValueError, match=r"封闭的路段编号不存在"):
        graph.with_closures(edge_ids=[99])


def test_save_load_roundtrip(tmp_path):
    graph = tiny_graph().with_closures(edge_ids=[1])
    graph.metadata["note"] = "阜新"
    path = tmp_path / "graph.npz"
    graph.save(path)
    loaded = RoadGraph.load(path)
    for name in ("lon", "lat", "edge_from", "edge_to", "length_m", "speed_kmh", "road_class",
                 "way_id", "closed"):
        assert np.array_equal(getattr(loaded, name), getattr(graph, name))
    assert loaded.class_names == graph.class_names and loaded.metadata == graph.metadata
    assert (loaded.csr != graph.csr).nnz == 0


def test_invalid_edges_rejected():
    with pytest.raises(ValueError, match=r"边引用了不存在的节点"):
        RoadGraph([0.0], [0.0], [0], [1], [1.0], [10.0], [0], [1], ["primary"])


# ---------------------------------------------------------------------- synthetic network
@pytest.fixture(scope="module")
def synthetic():
    return synthetic_fuxin_network(fuxin_polygons(), seed=7, target_nodes=20_000)


def test_synthetic_network_is_labelled_and_sized(synthetic):
    assert synthetic.synthetic and synthetic.metadata["seed"] == 7
    assert 14_000 <= synthetic.n_nodes <= 26_000
    assert set(synthetic.edge_class_names()) == set(SYNTHETIC_CLASSES)
    assert np.all(synthetic.length_m > 0)
    assert synthetic.main_component_mask.mean() > 0.95


def test_synthetic_roads_are_two_way_with_ordered_speeds(synthetic):
    pairs = edge_pairs(synthetic)
    assert all((v, u) in pairs for u, v in list(pairs)[:5000])
    speed = {name: CAR_SPEED_KMH[name] for name in SYNTHETIC_CLASSES}
    assert speed["expressway"] > speed["national"] > speed["provincial"] > speed["county"] \
        > speed["township"]


def test_synthetic_nodes_lie_inside_the_boundaries(synthetic):
    region = shapely.union_all(list(fuxin_polygons().values()))
    assert shapely.contains_xy(region, synthetic.lon, synthetic.lat).all()


def test_synthetic_is_reproducible_and_scales():
    polygons = {"210900": FUXIN_RECTANGLE}
    a = synthetic_fuxin_network(polygons, seed=3, target_nodes=2_000)
    b = synthetic_fuxin_network(polygons, seed=3, target_nodes=2_000)
    c = synthetic_fuxin_network(polygons, seed=4, target_nodes=8_000)
    assert np.array_equal(a.lon, b.lon) and np.array_equal(a.length_m, b.length_m)
    assert c.n_nodes > 3 * a.n_nodes
