"""Each registry: create through the API, validation, regional scope, change history and the
version check (two people editing the same record)."""

from __future__ import annotations

import pytest

from tests.conftest import HAIZHOU_POINT, ZHANGWU, ZHANGWU_POINT, patch_json, post_json

LOC = {"division_code": "210922", "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1], "coord_source": "WGS84"}
VALID = {
    "teams": {"name": "彰武测试专业队", "category": "professional", "specialties": "水域,危化", "level": "county",
              "headcount": 30, "leader": "张三", "leader_phone": "13900001111", "duty_phone": "0418-2800000", **LOC},
    "experts": {"name": "李四", "category": "hazchem", "employer": "测试大学", "level": "city", "phone": "13900002222",
                "division_code": "210922"},
    "warehouses": {"code": "T-01", "name": "测试储备库", "level": "county", "area_m2": "500.5", "manager": "王五",
                   "manager_phone": "13900003333", **LOC},
    "equipment": {"name": "测试排涝泵车", "kind": "pump", "owner_unit": "彰武县应急管理局", **LOC},
    "shelters": {"name": "测试公园避难场所", "shelter_type": "emergency", "level": "county", "total_area_m2": "5000",
                 "effective_area_m2": "3000", "facilities": "照明、标识", "manager": "赵六", "manager_phone": "13900004444", **LOC},
    "officers": {"name": "钱七", "roles": "网格员、灾害信息员", "phone": "13900005555", **LOC, "division_code": "210922100000"},
    "protection-targets": {"name": "测试小学", "kind": "school", "population": 800, **LOC},
}
# One piece of bad input per registry: (field, value, the field that must carry the error).
INVALID = {
    "teams": [("headcount", 0, "headcount"), ("specialties", "危化、挖煤", "specialties"), ("duty_phone", "12ab", "duty_phone"),
              ("category", "外星", "category")],
    "experts": [("category", "unknown", "category"), ("phone", "123456789012345", "phone")],
    "warehouses": [("area_m2", "-5", "area_m2"), ("level", "global", "level")],
    "equipment": [("kind", "tank", "kind")],
    "shelters": [("effective_area_m2", "6000", "effective_area_m2"), ("facilities", "泳池", "facilities")],
    "officers": [("division_code", "210922", "division_code"), ("roles", "", "roles")],
    "protection-targets": [("population", -1, "population")],
}


@pytest.mark.parametrize("key", list(VALID))
def test_create_read_history_and_stale_edit_refused(key, zhangwu_admin, api_client):
    client = api_client(zhangwu_admin)
    created = post_json(client, f"/api/v1/{key}/", VALID[key])
    assert created.status_code == 201, created.content.decode()
    record = created.json()
    assert record["division_code"].startswith("210922")
    first = patch_json(client, f"/api/v1/{key}/{record['id']}", {"name": VALID[key]["name"] + "（改）", "version": record["version"]})
    assert first.status_code == 200, first.content.decode()
    stale = patch_json(client, f"/api/v1/{key}/{record['id']}", {"name": "后保存者", "version": record["version"]})
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "version_conflict"
    assert "请刷新后重新编辑" in stale.json()["error"]["message"]
    assert client.get(f"/api/v1/{key}/{record['id']}").json()["name"].endswith("（改）")
    history = client.get(f"/api/v1/{key}/{record['id']}/history").json()
    assert [h["action"] for h in history] == ["update", "create"]
    assert "name" in history[0]["changed_fields"]


@pytest.mark.parametrize("key,case", [(k, c) for k, cases in INVALID.items() for c in cases])
def test_bad_input_is_refused_per_field(key, case, zhangwu_admin, api_client):
    field, value, error_field = case
    client = api_client(zhangwu_admin)
    response = post_json(client, f"/api/v1/{key}/", dict(VALID[key], **{field: value}))
    assert response.status_code == 400, response.content.decode()
    error = response.json()["error"]
    assert error_field in error["fields"], error
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])
    assert client.get(f"/api/v1/{key}/").json()["count"] == 0


@pytest.mark.parametrize("key", [k for k in VALID if "lon" in VALID[k]])
def test_point_outside_the_division_is_refused(key, zhangwu_admin, api_client):
    client = api_client(zhangwu_admin)
    response = post_json(client, f"/api/v1/{key}/", dict(VALID[key], lon=HAIZHOU_POINT[0], lat=HAIZHOU_POINT[1]))
    assert response.status_code == 400
    assert "海州区" in response.json()["error"]["message"]


@pytest.mark.parametrize("key", list(VALID))
def test_scope_other_county_cannot_see_or_write(key, zhangwu_admin, haizhou_admin, make_user, api_client):
    own = api_client(zhangwu_admin)
    record = post_json(own, f"/api/v1/{key}/", VALID[key]).json()
    other = api_client(haizhou_admin)
    assert other.get(f"/api/v1/{key}/").json()["count"] == 0
    assert other.get(f"/api/v1/{key}/{record['id']}").status_code == 403
    assert patch_json(other, f"/api/v1/{key}/{record['id']}", {"name": "越权"}).status_code == 403
    fresh = dict(VALID[key], code="T-02") if key == "warehouses" else VALID[key]
    assert post_json(other, f"/api/v1/{key}/", fresh).status_code == 403  # filing into 彰武县
    viewer = api_client(make_user("zw_viewer", "readonly", ZHANGWU))
    assert viewer.get(f"/api/v1/{key}/{record['id']}").status_code == 200
    assert post_json(viewer, f"/api/v1/{key}/", fresh).status_code == 403


def test_gcj02_input_is_stored_as_wgs84(zhangwu_admin, api_client):
    from yingji.geo.coords import wgs84_to_gcj02

    gcj = wgs84_to_gcj02(*ZHANGWU_POINT)
    record = post_json(api_client(zhangwu_admin), "/api/v1/teams/", dict(VALID["teams"], lon=gcj[0], lat=gcj[1], coord_source="GCJ02")).json()
    assert abs(record["lon"] - ZHANGWU_POINT[0]) < 1e-6 and abs(record["lat"] - ZHANGWU_POINT[1]) < 1e-6
    assert record["coord_source"] == "GCJ02"


def test_shelter_capacity_is_derived_and_can_be_overridden(zhangwu_admin, api_client):
    client = api_client(zhangwu_admin)
    shelter = post_json(client, "/api/v1/shelters/", VALID["shelters"]).json()
    assert shelter["capacity"] == 1999
    bigger = patch_json(client, f"/api/v1/shelters/{shelter['id']}", {"effective_area_m2": "4500"}).json()
    assert bigger["capacity"] == 2999
    fixed = patch_json(client, f"/api/v1/shelters/{shelter['id']}", {"capacity_override": 800}).json()
    assert fixed["capacity"] == 800
    # Capacity is derived: a value sent for it is ignored.
    ignored = patch_json(client, f"/api/v1/shelters/{shelter['id']}", {"capacity": 99999}).json()
    assert ignored["capacity"] == 800
    over = patch_json(client, f"/api/v1/shelters/{shelter['id']}", {"status": "open", "occupancy": 801})
    assert over.status_code == 400 and "超过容纳人数" in over.json()["error"]["message"]


def test_multi_valued_fields_are_normalised(zhangwu_admin, api_client):
    team = post_json(api_client(zhangwu_admin), "/api/v1/teams/", dict(VALID["teams"], specialties="水域 危化，危化")).json()
    assert team["specialties"] == "危化、水域"


def test_web_list_detail_and_form(zhangwu_admin, api_client):
    from django.test import Client

    post_json(api_client(zhangwu_admin), "/api/v1/shelters/", VALID["shelters"])
    web = Client()
    web.force_login(zhangwu_admin)
    listing = web.get("/r/shelters/").content.decode()
    assert "测试公园避难场所" in listing and "1999" in listing
    assert "/resources/import/shelters/" in listing  # the 导入 button
    assert web.get("/r/shelters/new/").status_code == 200


def test_material_catalogue_is_readable_everywhere_but_written_by_scope(materials, zhangwu_admin, api_client):
    client = api_client(zhangwu_admin)
    assert client.get("/api/v1/materials/").json()["count"] == 2
    tent = materials[0]
    assert client.get(f"/api/v1/materials/{tent.pk}").status_code == 200
    assert patch_json(client, f"/api/v1/materials/{tent.pk}", {"name": "改"}).status_code == 403
    county = post_json(client, "/api/v1/materials/", {"code": "ZW-001", "name": "县级自购物资", "category": "flood", "unit": "个",
                                                     "division_code": ZHANGWU})
    assert county.status_code == 201
