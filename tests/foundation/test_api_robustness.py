"""Inputs a fuzzer found turning into server errors answer 400 with the one error shape, and the
import templates of every registry download (issue 13, finding 7)."""

from __future__ import annotations

import pytest

from yingji.core.registry import REGISTRIES

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(make_user, api_client):
    return api_client(make_user("root", "sysadmin", "210000000000"))


@pytest.mark.parametrize("url,field", [
    ("/api/v1/divisions/?parent=abc", None), ("/api/v1/teams/?division=abc", None),
    ("/api/v1/teams/?page=99999999999999999999", "page"), ("/api/v1/teams/?page=-1", "page"),
    ("/api/v1/teams/?page_size=0", "page_size"), ("/api/v1/audit/?page=1e9", "page"),
    ("/api/v1/routing/coverage?spacing_km=1e309", "spacing_km"), ("/api/v1/routing/shelter-coverage?spacing_km=0", "spacing_km"),
    ("/api/v1/routing/coverage?limit_minutes=-1", "limit_minutes"),
    ("/api/v1/routing/shelter-coverage?limit_minutes=-1", "limit_minutes"),
    ("/api/v1/divisions/at?lon=-4.8e16&lat=7.6e143", "lon"), ("/api/v1/routing/nearest?lon=500&lat=42", "lon"),
    ("/api/v1/stock/expiring?days=99999999999", "days"), ("/api/v1/stock/current?warehouse=99999999999999999999", "warehouse"),
    ("/api/v1/readings/?sensor=99999999999999999999", "sensor"), ("/api/v1/preparedness/training-figures?year=0", "year"),
])
def test_bad_parameters_are_400_not_500(client, url, field):
    response = client.get(url)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and error["message"]
    if field:
        assert field in error["fields"]


@pytest.mark.parametrize("key", sorted(REGISTRIES))
def test_every_import_template_downloads(client, key):
    response = client.get(f"/api/v1/{key}/import-template")
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")


def test_division_at_a_point(client):
    from tests.conftest import ZHANGWU_POINT

    found = client.get("/api/v1/divisions/at", {"lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1]}).json()
    assert found == {"code": "210922000000", "name": "阜新市彰武县"}
    assert client.get("/api/v1/divisions/at", {"lon": 116.4, "lat": 39.9}).json() == {"code": None, "name": None}


def test_an_evacuation_with_a_negative_time_limit_is_400(client):
    from tests.conftest import ZHANGWU_POINT

    point = {"lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1], "people": 10}
    response = client.post("/api/v1/allocations/evacuation", {"points": [point], "limit_minutes": -5},
                           content_type="application/json")
    assert response.status_code == 400, response.content
    assert "limit_minutes" in response.json()["error"]["fields"]


def test_the_ranges_are_in_the_openapi_document(client):
    """Clients and fuzzers see the bounds that the 400s above enforce."""
    doc = client.get("/api/v1/openapi.json").json()
    params = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/divisions/at"]["get"]["parameters"]}
    assert (params["lon"]["minimum"], params["lon"]["maximum"]) == (-180, 180)
    assert (params["lat"]["minimum"], params["lat"]["maximum"]) == (-90, 90)
    coverage = {p["name"]: p["schema"] for p in doc["paths"]["/api/v1/routing/coverage"]["get"]["parameters"]}
    assert coverage["spacing_km"]["minimum"] == 0.5 and coverage["limit_minutes"]["exclusiveMinimum"] == 0


def test_a_nul_character_is_refused_before_it_reaches_the_database(client):
    """PostgreSQL cannot store U+0000 (psycopg raised ValueError: a 500 the fuzzer found on
    PostgreSQL only); it is refused with 400 in the query string and in JSON and form bodies."""
    listed = client.get("/api/v1/teams/?q=%00x")
    assert listed.status_code == 400 and listed.json()["error"]["code"] == "validation_failed"
    created = client.post("/api/v1/teams/", '{"name": "队\\u0000伍"}', content_type="application/json")
    assert created.status_code == 400 and "空字符" in created.json()["error"]["message"]
    form = client.post("/api/v1/teams/", "name=%00", content_type="application/x-www-form-urlencoded")
    assert form.status_code == 400
    assert client.get("/api/v1/teams/?q=%E6%95%91%E6%8F%B4").status_code == 200  # other text is fine
