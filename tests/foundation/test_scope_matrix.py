"""Regional scope: every role × own region / other region × list / detail / edit / export / API."""

from __future__ import annotations

import io
import json

import pytest
from django.test import Client

from tests.conftest import CITY, ZHANGWU

ROLES = ["sysadmin", "city_admin", "county_admin", "duty_officer", "commander", "supervisor", "enterprise", "readonly"]
# Who may edit enterprise files (see Enterprise.write_roles).
ENTERPRISE_WRITERS = {"sysadmin", "city_admin", "county_admin", "supervisor", "enterprise"}


@pytest.fixture
def county_user(make_user, enterprises):
    """A user of the given role scoped to 彰武县 (the enterprise user belongs to enterprise A)."""

    def make(role):
        own, _ = enterprises
        return make_user(f"u_{role}", role, ZHANGWU, enterprise=own if role == "enterprise" else None)

    return make


def web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("role", ROLES)
def test_list_shows_only_own_region(role, county_user, enterprises):
    own, other = enterprises
    response = web(county_user(role)).get("/r/enterprises/")
    assert response.status_code == 200
    body = response.content.decode()
    assert own.name in body
    assert other.name not in body


@pytest.mark.parametrize("role", ROLES)
def test_detail_own_region_ok_other_region_refused(role, county_user, enterprises):
    own, other = enterprises
    client = web(county_user(role))
    assert client.get(f"/r/enterprises/{own.pk}/").status_code == 200
    refused = client.get(f"/r/enterprises/{other.pk}/")
    assert refused.status_code == 403
    assert "不在您的管辖范围内" in refused.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_edit_own_region_only_for_writers_and_never_other_region(role, county_user, enterprises):
    own, other = enterprises
    client = web(county_user(role))
    form = {"name": own.name + "（改）", "uscc": own.uscc, "industry": "hazchem", "scale": "small",
            "division_code": ZHANGWU, "lon": own.lon, "lat": own.lat, "coord_source": "WGS84", "version": own.version}
    response = client.post(f"/r/enterprises/{own.pk}/edit/", form)
    own.refresh_from_db()
    if role in ENTERPRISE_WRITERS:
        assert response.status_code == 302, response.content.decode()
        assert own.name.endswith("（改）")
    else:
        assert response.status_code == 403
        assert not own.name.endswith("（改）")
    other_form = dict(form, name="越权修改", uscc=other.uscc, division_code=other.division_code,
                      lon=other.lon, lat=other.lat, version=other.version)
    assert client.post(f"/r/enterprises/{other.pk}/edit/", other_form).status_code == 403
    other.refresh_from_db()
    assert other.name != "越权修改"


@pytest.mark.parametrize("role", ROLES)
def test_export_contains_only_own_region(role, county_user, enterprises):
    from openpyxl import load_workbook

    own, other = enterprises
    client = web(county_user(role))
    response = client.get("/r/enterprises/export/?format=xlsx")
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == [own.name]
    csv_text = client.get("/r/enterprises/export/?format=csv").content.decode("utf-8-sig")
    assert own.name in csv_text and other.name not in csv_text


@pytest.mark.parametrize("role", ROLES)
def test_api_enforces_the_same_scope(role, county_user, enterprises, api_client):
    own, other = enterprises
    client = api_client(county_user(role))
    listing = client.get("/api/v1/enterprises/").json()
    assert [item["name"] for item in listing["items"]] == [own.name]
    assert listing["count"] == 1
    assert client.get(f"/api/v1/enterprises/{own.pk}").status_code == 200
    refused = client.get(f"/api/v1/enterprises/{other.pk}")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    patch = client.patch(f"/api/v1/enterprises/{own.pk}", json.dumps({"phone": "13900000000"}), content_type="application/json")
    assert patch.status_code == (200 if role in ENTERPRISE_WRITERS else 403)
    other_patch = client.patch(f"/api/v1/enterprises/{other.pk}", json.dumps({"phone": "1"}), content_type="application/json")
    assert other_patch.status_code == 403
    exported = client.get("/api/v1/enterprises/export?format=geojson").json()
    assert [f["properties"]["name"] for f in exported["features"]] == [own.name]


@pytest.mark.parametrize("role", ["sysadmin", "city_admin", "duty_officer", "readonly"])
def test_city_users_see_the_whole_city(role, make_user, enterprises, api_client):
    user = make_user(f"city_{role}", role, CITY)
    names = {item["name"] for item in api_client(user).get("/api/v1/enterprises/").json()["items"]}
    assert names == {e.name for e in enterprises}


def test_county_admin_cannot_move_a_record_out_of_scope(county_user, enterprises, api_client):
    own, _ = enterprises
    client = api_client(county_user("county_admin"))
    response = client.patch(f"/api/v1/enterprises/{own.pk}",
                            json.dumps({"division_code": "210902", "lon": 121.624, "lat": 41.961}), content_type="application/json")
    assert response.status_code == 403, response.content.decode()
    own.refresh_from_db()
    assert own.division_code == ZHANGWU


def test_enterprise_user_cannot_create_enterprises(county_user, api_client):
    client = api_client(county_user("enterprise"))
    response = client.post("/api/v1/enterprises/", json.dumps({"name": "新企业", "uscc": "91350100M000100Y43", "industry": "other",
                                                             "division_code": ZHANGWU}), content_type="application/json")
    assert response.status_code == 403
