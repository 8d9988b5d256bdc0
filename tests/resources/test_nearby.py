"""'What is near here': resources within a radius, nearest first, within the user's scope."""

from __future__ import annotations

from decimal import Decimal

from tests.conftest import ZHANGWU, ZHANGWU_POINT
from yingji.geo.distance import haversine_m
from yingji.resources.models import RescueTeam, Shelter


def _team(name, dlon, division=ZHANGWU):
    return RescueTeam.objects.create(name=name, category="professional", level="county", headcount=5, leader="甲",
                                     leader_phone="13900000000", duty_phone="13900000000", division_code=division,
                                     lon=ZHANGWU_POINT[0] + dlon, lat=ZHANGWU_POINT[1])


def test_results_are_sorted_by_distance_and_limited_to_the_radius(zhangwu_admin, api_client):
    far, near, middle = _team("远队", 0.05), _team("近队", 0.001), _team("中队", 0.01)
    Shelter.objects.create(name="中间避难所", shelter_type="emergency", level="county", total_area_m2=Decimal(100),
                           effective_area_m2=Decimal(90), manager="乙", manager_phone="13900000000", division_code=ZHANGWU,
                           lon=ZHANGWU_POINT[0] + 0.005, lat=ZHANGWU_POINT[1])
    client = api_client(zhangwu_admin)
    lon, lat = ZHANGWU_POINT
    body = client.get(f"/api/v1/nearby/?lon={lon}&lat={lat}&radius_m=2000").json()
    assert [i["name"] for i in body["items"]] == ["近队", "中间避难所", "中队"]
    assert body["items"][0]["distance_m"] == round(haversine_m(lon, lat, near.lon, near.lat), 1)
    assert body["items"][0]["url"] == f"/r/teams/{near.pk}/"
    only_teams = client.get(f"/api/v1/nearby/?lon={lon}&lat={lat}&radius_m=5000&kinds=teams").json()
    assert [i["name"] for i in only_teams["items"]] == ["近队", "中队", "远队"]
    assert far.pk in [i["id"] for i in only_teams["items"]] and middle.pk


def test_scope_and_bad_input(haizhou_admin, zhangwu_admin, api_client):
    _team("近队", 0.001)
    lon, lat = ZHANGWU_POINT
    assert api_client(haizhou_admin).get(f"/api/v1/nearby/?lon={lon}&lat={lat}&radius_m=5000").json()["count"] == 0
    client = api_client(zhangwu_admin)
    bad_kind = client.get(f"/api/v1/nearby/?lon={lon}&lat={lat}&kinds=dragons")
    assert bad_kind.status_code == 400 and "未知图层" in bad_kind.json()["error"]["message"]
    assert client.get(f"/api/v1/nearby/?lon={lon}&lat={lat}&radius_m=0").status_code == 400
    assert client.get("/api/v1/nearby/?lon=0&lat=0").status_code == 400
