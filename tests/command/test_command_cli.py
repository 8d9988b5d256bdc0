"""`yingji dispatch nearest` prints JSON: id, name, travel seconds and metres, fastest first."""

from __future__ import annotations

import json

from tests.command.conftest import INCIDENT_POINT, expected_route_seconds
from tests.conftest import CITY
from yingji.cli import main


def test_dispatch_nearest_prints_ranked_json(road_network, make_user, make_team, capsys):
    from yingji.command import network

    make_user("root", "sysadmin", CITY)
    teams = [make_team("甲危化队（示例）", (121.70, 42.05)), make_team("乙危化队（示例）", (121.95, 42.20)),
             make_team("丙防汛队（示例）", (121.81, 42.11), specialties="防汛抗旱"),
             make_team("丁危化队休整（示例）", (121.80, 42.10), readiness="resting")]
    args = ["dispatch", "nearest", "--lon", str(INCIDENT_POINT[0]), "--lat", str(INCIDENT_POINT[1]),
            "--kind", "teams", "--specialty", "危化", "--k", "5"]
    assert main(args) == 0
    out = json.loads(capsys.readouterr().out)
    graph = network.graph_for()
    expected = {t.pk: expected_route_seconds(graph, (t.lon, t.lat), INCIDENT_POINT, "emergency") for t in teams[:2]}
    assert [r["id"] for r in out["results"]] == sorted(expected, key=expected.get)  # resting and 防汛 teams left out
    for r in out["results"]:
        assert set(r) >= {"id", "name", "seconds", "metres"}
        assert abs(r["seconds"] - expected[r["id"]]) < 0.5 and r["metres"] > 0
    assert main(["dispatch", "nearest", "--lon", "42.1", "--lat", "121.8", "--kind", "teams"]) == 2
    assert "经纬度是否填反" in capsys.readouterr().err


def test_evacuation_and_shelter_coverage(road_network, commander, api_client):
    from yingji.resources.models import Shelter

    def shelter(name, point, area, division):
        return Shelter.objects.create(name=name, shelter_type="emergency", level="county", total_area_m2=area,
                                      effective_area_m2=area, manager="管理人", manager_phone="13900000003",
                                      lon=point[0], lat=point[1], division_code=division)

    near = shelter("海州广场避难场所（示例）", (121.66, 42.02), 150, "210902000000")  # capacity 99
    far = shelter("彰武体育场避难场所（示例）", (122.43, 42.40), 3000, "210922000000")  # capacity 1999
    client = api_client(commander)
    body = client.post("/api/v1/allocations/evacuation", {
        "points": [{"id": "v1", "name": "海州某村", "lon": 121.67, "lat": 42.03, "people": 150}], "limit_minutes": 30},
        content_type="application/json").json()
    # the near shelter takes its 99; the far one is beyond 30 minutes, so 51 are reported unassigned
    assert [(a["shelter_id"], a["people"]) for a in body["assignments"]] == [(near.pk, 99)]
    assert body["unassigned"][0]["people"] == 51
    longer = client.post("/api/v1/allocations/evacuation", {
        "points": [{"id": "v1", "lon": 121.67, "lat": 42.03, "people": 150}], "limit_minutes": 600},
        content_type="application/json").json()
    assert {a["shelter_id"]: a["people"] for a in longer["assignments"]} == {near.pk: 99, far.pk: 51}
    cov = client.get("/api/v1/routing/shelter-coverage", {"limit_minutes": 30, "spacing_km": 4}).json()
    rows = {r["county"]: r for r in cov["counties"]}
    assert rows["210902"]["capacity"] == 99 and rows["210902"]["area_per_capacity_m2"] > 1.5
    assert rows["210902"]["territory_share"] > rows["210921"]["territory_share"]
