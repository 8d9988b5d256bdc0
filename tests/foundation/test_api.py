"""The JSON API: token auth, one error shape, pagination, OpenAPI, optimistic locking."""

import json

import pytest
from django.test import Client

from tests.conftest import CITY, ZHANGWU, ZHANGWU_POINT


def error_of(response):
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "fields"}
    return body["error"]


def test_openapi_document_lists_the_registries(db, make_user):
    from yingji.accounts.models import ApiToken

    client = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(make_user('reader', 'readonly'))}")
    doc = client.get("/api/v1/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/enterprises/", "/api/v1/enterprises/{pk}", "/api/v1/organisations/", "/api/v1/divisions/",
                 "/api/v1/users/", "/api/v1/audit/"):
        assert path in doc["paths"], path
    assert "bearerAuth" in json.dumps(doc["components"]) or "BearerToken" in json.dumps(doc["components"])


def test_the_openapi_document_is_built_once_per_process_and_served_alike(db, make_user, monkeypatch):
    """Building the document takes seconds of CPU: the reference page of one user must not hold up
    every other request of the web process each time (yingji.api.base.YingjiAPI)."""
    import ninja.main

    from yingji.accounts.models import ApiToken
    from yingji.urls import api

    built = []
    original = ninja.main.get_schema
    monkeypatch.setattr(ninja.main, "get_schema", lambda **kw: built.append(kw) or original(**kw))
    monkeypatch.setattr(api, "_schemas", {})
    first = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(make_user('reader', 'readonly'))}")
    second = Client(HTTP_AUTHORIZATION=f"Bearer {ApiToken.issue(make_user('admin2', 'sysadmin'))}")
    documents = [c.get("/api/v1/openapi.json").json() for c in (first, second, first)]
    assert len(built) == 1
    assert documents[0] == documents[1] == documents[2] == json.loads(json.dumps(original(api=api, path_prefix="/api/v1/")))


def test_missing_or_bad_token_is_401(db):
    assert error_of(Client().get("/api/v1/enterprises/"))["code"] == "not_authenticated"
    bad = Client(HTTP_AUTHORIZATION="Bearer nope").get("/api/v1/enterprises/")
    assert bad.status_code == 401 and error_of(bad)["code"] == "not_authenticated"


def test_revoked_token_and_inactive_user_are_refused(make_user, api_client):
    from yingji.accounts.models import ApiToken

    user = make_user("t1", "readonly")
    client = api_client(user)
    assert client.get("/api/v1/me").status_code == 200
    ApiToken.objects.update(revoked=True)
    assert client.get("/api/v1/me").status_code == 401


def test_unknown_id_is_404_and_unknown_path_is_json_404(make_user, api_client):
    client = api_client(make_user("t2", "readonly"))
    response = client.get("/api/v1/enterprises/999999")
    assert response.status_code == 404
    assert "不存在" in error_of(response)["message"]
    assert client.get("/api/v1/no-such-thing/").status_code == 404


def test_validation_errors_are_400_with_fields_and_nothing_written(make_user, api_client):
    from yingji.regions.models import Enterprise

    client = api_client(make_user("t3", "county_admin", ZHANGWU))
    response = client.post("/api/v1/enterprises/", json.dumps({"name": "坏数据", "uscc": "123", "industry": "nope",
                                                             "division_code": "210922"}), content_type="application/json")
    assert response.status_code == 400
    err = error_of(response)
    assert err["code"] == "validation_failed"
    assert "uscc" in err["fields"] and "industry" in err["fields"]
    assert not Enterprise.objects.filter(name="坏数据").exists()


def test_malformed_json_is_400(make_user, api_client):
    client = api_client(make_user("t4", "county_admin", ZHANGWU))
    response = client.post("/api/v1/enterprises/", "{not json", content_type="application/json")
    assert response.status_code == 400
    error_of(response)


def test_pagination_shape_and_limits(make_user, api_client, enterprises):
    client = api_client(make_user("t5", "readonly", CITY))
    page = client.get("/api/v1/enterprises/?page=1&page_size=1").json()
    assert page["count"] == 2 and len(page["items"]) == 1
    second = client.get("/api/v1/enterprises/?page=2&page_size=1").json()
    assert second["items"][0]["id"] != page["items"][0]["id"]
    assert client.get("/api/v1/enterprises/?page_size=1000").status_code == 200
    too_big = client.get("/api/v1/enterprises/?page_size=1001")
    assert too_big.status_code == 400 and "page_size" in error_of(too_big)["fields"]
    assert client.get("/api/v1/enterprises/?page=0").status_code == 400


def test_search_filter_and_ordering(make_user, api_client, enterprises):
    client = api_client(make_user("t6", "readonly", CITY))
    assert [i["name"] for i in client.get("/api/v1/enterprises/?q=彰武").json()["items"]] == ["彰武测试化工有限公司"]
    assert client.get("/api/v1/enterprises/?division=210902").json()["count"] == 1
    names = [i["name"] for i in client.get("/api/v1/enterprises/?ordering=-name").json()["items"]]
    assert names == sorted(names, reverse=True)
    assert client.get("/api/v1/enterprises/?ordering=password").status_code == 400


def test_second_save_of_the_same_version_is_409(make_user, api_client, enterprises):
    own, _ = enterprises
    first = api_client(make_user("ed1", "county_admin", ZHANGWU))
    second = api_client(make_user("ed2", "county_admin", ZHANGWU))
    ok = first.patch(f"/api/v1/enterprises/{own.pk}", json.dumps({"phone": "111", "version": own.version}),
                     content_type="application/json")
    assert ok.status_code == 200 and ok.json()["version"] == own.version + 1
    stale = second.patch(f"/api/v1/enterprises/{own.pk}", json.dumps({"phone": "222", "version": own.version}),
                         content_type="application/json")
    assert stale.status_code == 409
    err = error_of(stale)
    assert err["code"] == "version_conflict" and "刷新" in err["message"]
    own.refresh_from_db()
    assert own.phone == "111"


def test_second_save_in_the_web_form_is_refused_with_a_clear_message(make_user, enterprises):
    own, _ = enterprises
    form = {"name": own.name, "uscc": own.uscc, "industry": "hazchem", "scale": "small", "division_code": ZHANGWU,
            "lon": own.lon, "lat": own.lat, "coord_source": "WGS84", "version": own.version}
    a, b = Client(), Client()
    a.force_login(make_user("wa", "county_admin", ZHANGWU))
    b.force_login(make_user("wb", "county_admin", ZHANGWU))
    assert a.post(f"/r/enterprises/{own.pk}/edit/", dict(form, phone="A")).status_code == 302
    refused = b.post(f"/r/enterprises/{own.pk}/edit/", dict(form, phone="B"))
    assert refused.status_code == 409
    assert "已被" in refused.content.decode() and "刷新" in refused.content.decode()
    own.refresh_from_db()
    assert own.phone == "A"


def test_token_issued_by_cli_authenticates(make_user):
    from yingji.accounts.services import issue_token

    user = make_user("cli_user", "duty_officer")
    token = issue_token(user)
    me = Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/me").json()
    assert me["username"] == "cli_user" and me["role_label"] == "值班员"


def test_divisions_geojson_in_scope(make_user, api_client):
    county = api_client(make_user("g1", "readonly", ZHANGWU))
    names = {f["properties"]["name"] for f in county.get("/api/v1/divisions/geojson?level=county").json()["features"]}
    assert names == {"彰武县"}
    city = api_client(make_user("g2", "readonly", CITY))
    names = {f["properties"]["name"] for f in city.get("/api/v1/divisions/geojson?level=county").json()["features"]}
    assert names == {"海州区", "新邱区", "太平区", "清河门区", "细河区", "阜新蒙古族自治县", "彰武县"}
    townships = city.get("/api/v1/divisions/geojson?level=township").json()["features"]
    assert len(townships) == 83 and all(f["properties"]["synthetic"] for f in townships)


def test_bad_filter_values_are_400_not_500(make_user, api_client, enterprises):
    client = api_client(make_user("t7", "readonly", CITY))
    assert client.get("/api/v1/enterprises/?industry=hazchem").json()["count"] == 2
    assert client.get("/api/v1/enterprises/?industry=coal_mine").json()["count"] == 0
    web = Client()
    web.force_login(make_user("t8", "readonly", CITY))
    assert web.get("/r/enterprises/?page_size=abc").status_code == 200
    assert web.get("/r/enterprises/?division=21x").status_code == 400


def test_foreign_keys_are_accepted_under_their_openapi_name(make_user, api_client):
    from yingji.regions.models import Organisation

    parent = Organisation.objects.create(name="阜新市应急管理局", kind="bureau", division_code=CITY)
    child = Organisation.objects.create(name="值班室", kind="other", division_code=CITY)
    client = api_client(make_user("fk1", "city_admin", CITY))
    response = client.patch(f"/api/v1/organisations/{child.pk}", json.dumps({"parent_id": parent.pk}),
                            content_type="application/json")
    assert response.status_code == 200, response.content
    child.refresh_from_db()
    assert child.parent_id == parent.pk
    created = client.post("/api/v1/organisations/", json.dumps({"name": "科室", "kind": "other", "parent_id": parent.pk,
                                                              "division_code": "210900"}), content_type="application/json")
    assert created.status_code == 201 and created.json()["parent"] == parent.pk


def test_an_administrator_changes_and_deactivates_a_user_through_the_api(make_user, api_client):
    """PATCH /api/v1/users/{pk} (left out of the fuzz stage, which must not lock itself out)."""
    admin = api_client(make_user("cityadm", "city_admin", CITY))
    county = make_user("zw-duty", "duty_officer", ZHANGWU)
    county_client = api_client(county)
    assert county_client.get("/api/v1/me").status_code == 200
    renamed = admin.patch(f"/api/v1/users/{county.pk}", {"full_name": "彰武值班员"}, content_type="application/json")
    assert renamed.status_code == 200 and renamed.json()["full_name"] == "彰武值班员"
    bad_role = admin.patch(f"/api/v1/users/{county.pk}", {"role": "emperor"}, content_type="application/json")
    assert bad_role.status_code == 400 and error_of(bad_role)["code"] == "validation_failed"
    missing = admin.patch("/api/v1/users/99999999999999999999", {"full_name": "x"}, content_type="application/json")
    assert missing.status_code == 404
    off = admin.patch(f"/api/v1/users/{county.pk}", {"is_active": False}, content_type="application/json")
    assert off.status_code == 200
    assert county_client.get("/api/v1/me").status_code == 401  # deactivation ends the user's tokens
