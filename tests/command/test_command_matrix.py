"""`yingji road import` on a fresh database, routing outside China on the imported extract, the
`yingji road matrix` CLI and the matrix API: one computation, checked against the independent
reference router (tests/routing_reference.py)."""

from __future__ import annotations

import json

import pytest

from tests import routing_reference
from tests.conftest import FIXTURES
from yingji.cli import main

GRID = FIXTURES / "osm" / "turns-grid.osm"
# two points on the grid (around 13.40 E, 52.50 N: outside China's bounding box)
A = (13.4015, 52.5001)
B = (13.4090, 52.5035)
FAR_EAST = (13.4240, 52.5002)  # beside the 2 km road


@pytest.fixture
def grid_network(db, data_dir, capsys):
    """The hand-written grid imported by the CLI on a database without any user."""
    from yingji.accounts.models import User

    assert not User.objects.exists()
    assert main(["road", "import", str(GRID), "--name", "测试网格"]) == 0
    return json.loads(capsys.readouterr().out)


def test_road_import_works_on_a_fresh_database_and_is_audited(grid_network):
    from yingji.audit.models import AuditEntry
    from yingji.command.models import RoadNetwork

    net = RoadNetwork.objects.get(pk=grid_network["id"])
    assert net.is_active and net.source == "turns-grid.osm" and net.n_nodes == 14
    assert AuditEntry.objects.filter(model="command.RoadNetwork", action="import").exists()


def test_points_outside_china_are_routed_on_the_imported_extract(grid_network, make_user, api_client):
    from yingji.command import network

    user = make_user("cmd", "commander", "210900000000")
    client = api_client(user)
    response = client.get("/api/v1/routing/route", {"from_lon": A[0], "from_lat": A[1], "to_lon": B[0],
                                                    "to_lat": B[1], "profile": "emergency"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["reachable"] and body["profile"] == "emergency" and body["profile_label"] == "应急车辆"
    graph = network.graph_for()
    assert body["seconds"] == pytest.approx(routing_reference.seconds(graph, "emergency", A, B), abs=0.1)
    assert len(body["snap_m"]) == 2 and body["snap_m"][0] == pytest.approx(11.1, abs=0.5)
    # a Fuxin point is outside this network: a clear Chinese JSON error, not China's box
    outside = client.get("/api/v1/routing/route", {"from_lon": 121.65, "from_lat": 42.01, "to_lon": B[0],
                                                   "to_lat": B[1]})
    assert outside.status_code == 400
    error = outside.json()["error"]
    assert error["code"] == "outside_network" and "不在当前路网范围内" in error["message"]
    swapped = client.get("/api/v1/routing/route", {"from_lon": 52.5, "from_lat": 13.40, "to_lon": B[0],
                                                   "to_lat": B[1]})
    assert swapped.status_code == 400 and "经纬度是否填反" in swapped.json()["error"]["message"]


def test_point_too_far_from_a_road_is_refused(grid_network, make_user, api_client, settings):
    settings.YINGJI_ROUTING_MAX_SNAP_M = 60.0
    client = api_client(make_user("cmd", "commander", "210900000000"))
    # inside the network's box, in the middle of a block: about 100 m from the nearest road
    response = client.get("/api/v1/routing/route", {"from_lon": 13.4015, "from_lat": 52.501, "to_lon": B[0],
                                                    "to_lat": B[1]})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "too_far_from_road" and "起点" in error["message"] and "超过 60 米" in error["message"]


def test_matrix_cli_prints_durations_distances_and_snapping(grid_network, tmp_path, capsys):
    from yingji.command import network
    from yingji.geo import router

    sources = tmp_path / "sources.csv"
    targets = tmp_path / "targets.csv"
    sources.write_text(f"lon,lat\n{A[0]},{A[1]}\n{FAR_EAST[0]},{FAR_EAST[1]}\n", encoding="utf-8")
    targets.write_text(f"{B[0]},{B[1]}\n{A[0]},{A[1]}\n", encoding="utf-8")
    assert main(["road", "matrix", "--sources", str(sources), "--targets", str(targets),
                 "--profile", "emergency"]) == 0
    out = json.loads(capsys.readouterr().out)
    graph = network.graph_for()
    assert len(out["durations_s"]) == 2 and all(len(row) == 2 for row in out["durations_s"])
    for i, a in enumerate([A, FAR_EAST]):
        for j, b in enumerate([B, A]):
            assert out["durations_s"][i][j] == pytest.approx(routing_reference.seconds(graph, "emergency", a, b),
                                                             abs=0.1)
            seconds, metres, _, _ = router.route(graph, "emergency", a, b)
            assert out["distances_m"][i][j] == pytest.approx(metres, abs=0.1)
    assert out["snap_m"]["sources"][1] == pytest.approx(22.2, abs=0.5)  # beside the long road, not 1 km
    assert out["profile"] == "emergency"

    bad = tmp_path / "bad.csv"
    bad.write_text("13.40,52.50\nabc\n", encoding="utf-8")
    assert main(["road", "matrix", "--sources", str(bad), "--targets", str(targets)]) == 2
    assert "第 2 行" in capsys.readouterr().err


def test_matrix_api_reports_unreachable_as_null(road_network, commander, api_client):
    """On the synthetic Fuxin network: close every segment touching one road segment's ends; a
    point on that segment can no longer be reached (null), the others still can."""
    import numpy as np

    from yingji.command import network

    graph = network.graph_for()
    e = int(np.flatnonzero(graph.main_component_mask[graph.edge_from] & graph.main_component_mask[graph.edge_to])[500])
    u, v = int(graph.edge_from[e]), int(graph.edge_to[e])
    ends = np.isin(graph.edge_from, [u, v]) | np.isin(graph.edge_to, [u, v])
    own = (np.isin(graph.edge_from, [u, v]) & np.isin(graph.edge_to, [u, v]))
    network.close_road(commander, reason="测试：四周封闭", edge_ids=np.flatnonzero(ends & ~own).tolist())
    cut_off = (float(graph.lon[u] + graph.lon[v]) / 2, float(graph.lat[u] + graph.lat[v]) / 2)
    body = api_client(commander).post("/api/v1/routing/matrix", {
        "sources": [[121.657, 42.011]], "destinations": [list(cut_off), [122.431, 42.488]]},
        content_type="application/json").json()
    assert body["durations_s"][0][0] is None and body["distances_m"][0][0] is None
    assert body["durations_s"][0][1] > 0 and body["distances_m"][0][1] > 50_000 and body["profile"] == "car"
