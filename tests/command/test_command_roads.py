"""The stored road network end to end: .npz + RoadNetwork row → cached graph → closures
→ routing service → API, checked against an independent Dijkstra on the same graph."""

from __future__ import annotations

import json
import math

import pytest

from tests.command.conftest import expected_route_seconds
from tests.conftest import CITY, FIXTURES

# Two points inside Fuxin: 海州区 (city centre) and 彰武县.
HAIZHOU = (121.657, 42.011)
ZHANGWU = (122.431, 42.488)


def expected_seconds(graph, a, b, profile: str = "car") -> float:
    """Independent figure: brute-force segment snapping + edge-based heapq Dijkstra + access legs."""
    return expected_route_seconds(graph, a, b, profile)


def test_stored_network_is_labelled_and_reloaded_from_disk(road_network, data_dir):
    from yingji.command import network
    from yingji.geo.roads import RoadGraph

    assert road_network.is_active and road_network.is_synthetic
    assert "合成" in road_network.name and "合成" in road_network.licence
    stored = RoadGraph.load(data_dir / "roads" / road_network.file_name)
    assert (stored.n_nodes, stored.n_edges) == (road_network.n_nodes, road_network.n_edges)
    assert road_network.n_nodes > 3_000
    network.clear_cache()
    assert network.graph_for().n_edges == road_network.n_edges


def test_api_route_matches_independent_dijkstra(road_network, commander, api_client):
    from yingji.command import network

    graph = network.graph_for()
    response = api_client(commander).get("/api/v1/routing/route", {
        "from_lon": ZHANGWU[0], "from_lat": ZHANGWU[1], "to_lon": HAIZHOU[0], "to_lat": HAIZHOU[1]})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reachable"]
    assert body["seconds"] == pytest.approx(expected_seconds(graph, ZHANGWU, HAIZHOU), abs=0.2)
    assert body["route"][0] == [ZHANGWU[0], ZHANGWU[1]] and body["route"][-1] == [HAIZHOU[0], HAIZHOU[1]]
    # about 80 km apart in a straight line: the road route is longer but not absurd
    assert 80_000 < body["metres"] < 200_000


def test_nearest_points_ranked_like_independent_dijkstra(road_network, commander, api_client):
    from yingji.command import network

    graph = network.graph_for()
    origin = HAIZHOU
    points = [{"id": f"p{i}", "lon": lon, "lat": lat} for i, (lon, lat) in enumerate(
        [(121.75, 42.10), (122.10, 42.30), (121.30, 41.90), (122.43, 42.49), (121.66, 42.02), (121.90, 42.60)])]
    response = api_client(commander).post("/api/v1/routing/nearest-points",
                                          {"lon": origin[0], "lat": origin[1], "k": 6, "points": points},
                                          content_type="application/json")
    assert response.status_code == 200, response.content
    got = response.json()["results"]
    # teams drive to the incident: time from each point to the origin
    expected = {p["id"]: expected_seconds(graph, (p["lon"], p["lat"]), origin, "emergency") for p in points}
    assert [r["id"] for r in got] == sorted(expected, key=expected.get)
    for r in got:
        assert r["seconds"] == pytest.approx(expected[r["id"]], abs=0.2)


def _route_edges(graph, coords):
    """Edge ids between consecutive route nodes (the points and their snapped positions on the
    first and last segment dropped)."""
    import numpy as np

    index = {(round(float(x), 6), round(float(y), 6)): i for i, (x, y) in enumerate(zip(graph.lon, graph.lat))}
    nodes = [index[(x, y)] for x, y in coords[2:-2]]
    return graph.edges_between(np.asarray(nodes[:-1]), np.asarray(nodes[1:]))


def test_closure_record_takes_effect_on_next_query_and_reopening_restores(road_network, commander, api_client):
    from yingji.audit.models import AuditEntry
    from yingji.command import network

    client = api_client(commander)
    query = {"from_lon": ZHANGWU[0], "from_lat": ZHANGWU[1], "to_lon": HAIZHOU[0], "to_lat": HAIZHOU[1]}
    before = client.get("/api/v1/routing/route", query).json()
    graph = network.graph_for()
    used = _route_edges(graph, before["route"])
    assert (used >= 0).all()
    # close the fastest route's middle segment by clicking on it
    e = int(used[len(used) // 2])
    mid = ((graph.lon[graph.edge_from[e]] + graph.lon[graph.edge_to[e]]) / 2,
           (graph.lat[graph.edge_from[e]] + graph.lat[graph.edge_to[e]]) / 2)
    created = client.post("/api/v1/roads/closures/", {"reason": "暴雨冲毁路基", "lon": mid[0], "lat": mid[1]},
                          content_type="application/json")
    assert created.status_code == 201, created.content
    closure = created.json()
    assert e in closure["edge_ids"] and len(closure["edge_ids"]) == 2  # both directions
    assert AuditEntry.objects.filter(model="command.RoadClosure", action="create").count() == 1

    after = client.get("/api/v1/routing/route", query).json()
    assert after["seconds"] > before["seconds"]
    closed_graph = graph.with_closures(edge_ids=closure["edge_ids"])
    assert after["seconds"] == pytest.approx(expected_seconds(closed_graph, ZHANGWU, HAIZHOU), abs=0.2)
    assert e not in set(_route_edges(graph, after["route"]).tolist())

    reopened = client.post(f"/api/v1/roads/closures/{closure['id']}/reopen", {"note": "抢通完成"},
                           content_type="application/json")
    assert reopened.status_code == 200 and reopened.json()["active"] is False
    again = client.get("/api/v1/routing/route", query).json()
    assert again["seconds"] == pytest.approx(before["seconds"], abs=1e-6)
    second = client.post(f"/api/v1/roads/closures/{closure['id']}/reopen", {}, content_type="application/json")
    assert second.status_code == 409


def test_whole_way_closure_can_cut_a_place_off(road_network, commander):
    from yingji.command import network, routing

    graph = network.graph_for()
    node, _ = graph.snap(*HAIZHOU)
    ways = sorted({int(graph.way_id[e]) for e in range(graph.n_edges)
                   if graph.edge_from[e] == node[0] or graph.edge_to[e] == node[0]})
    network.close_road(commander, reason="桥梁垮塌", way_ids=ways)
    result = routing.route_between(ZHANGWU, HAIZHOU)
    cut = graph.with_closures(way_ids=ways)
    expected = expected_seconds(cut, ZHANGWU, HAIZHOU)
    if math.isinf(expected):
        assert result["reachable"] is False and result["route"] == []
    else:
        assert result["seconds"] == pytest.approx(expected, abs=0.2)


def test_bad_closures_are_refused_and_nothing_is_written(road_network, commander, make_user, api_client):
    from yingji.command.models import RoadClosure

    client = api_client(commander)
    no_reason = client.post("/api/v1/roads/closures/", {"reason": " ", "lon": HAIZHOU[0], "lat": HAIZHOU[1]},
                            content_type="application/json")
    assert no_reason.status_code == 400 and "封闭原因" in no_reason.json()["error"]["message"]
    bad_edge = client.post("/api/v1/roads/closures/", {"reason": "测试", "edge_ids": [10**9]},
                           content_type="application/json")
    assert bad_edge.status_code == 400 and "路段编号不存在" in bad_edge.json()["error"]["message"]
    nothing = client.post("/api/v1/roads/closures/", {"reason": "测试"}, content_type="application/json")
    assert nothing.status_code == 400
    viewer = make_user("viewer1", "readonly", CITY)
    refused = api_client(viewer).post("/api/v1/roads/closures/", {"reason": "越权", "lon": HAIZHOU[0], "lat": HAIZHOU[1]},
                                      content_type="application/json")
    assert refused.status_code == 403
    assert RoadClosure.objects.count() == 0


def test_routing_without_a_network_says_what_to_do(db, data_dir, commander, api_client):
    response = api_client(commander).get("/api/v1/routing/route", {"from_lon": 121.6, "from_lat": 42.0,
                                                                   "to_lon": 121.7, "to_lat": 42.1})
    assert response.status_code == 404
    assert "yingji road import" in response.json()["error"]["message"]


def test_bad_coordinates_are_refused(road_network, commander, api_client):
    response = api_client(commander).get("/api/v1/routing/route", {"from_lon": 42.0, "from_lat": 121.6,
                                                                   "to_lon": 121.7, "to_lat": 42.1})
    assert response.status_code == 400
    assert "经纬度是否填反" in response.json()["error"]["message"]


MONACO = FIXTURES / "osm" / "monaco.osm.pbf"


def test_road_import_cli_stores_and_activates_osm_network(db, data_dir, make_user, capsys):
    from yingji.cli import main
    from yingji.command.models import RoadNetwork

    make_user("root", "sysadmin", CITY)
    synthetic = None
    assert main(["road", "import", str(MONACO)]) == 0
    out = json.loads(capsys.readouterr().out)
    net = RoadNetwork.objects.get(pk=out["id"])
    assert net.is_active and not net.is_synthetic and net.source == "monaco.osm.pbf"
    assert "ODbL" in net.licence and net.n_nodes > 1000
    assert (data_dir / "roads" / net.file_name).exists()
    assert synthetic is None
    bad = main(["road", "import", str(data_dir / "nope.osm.pbf")])
    assert bad == 2
    assert RoadNetwork.objects.count() == 1
