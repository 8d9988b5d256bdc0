"""Warning inputs the API fuzzer turned into server errors are refused with a 400 naming the field
(issue 13, finding 7)."""

from __future__ import annotations

import json

import pytest

from tests.warnings.conftest import warning_data

pytestmark = pytest.mark.django_db


def post(client, url, data, method="post"):
    body = json.dumps(data, default=str)
    return getattr(client, method)(url, body, content_type="application/json")


def test_a_circle_without_its_centre_is_refused(roles, api_client):
    client = api_client(roles["drafter"])
    response = post(client, "/api/v1/warnings/", warning_data(circle_radius_km=5, circle_lon=121.7))
    assert response.status_code == 400, response.content
    assert set(response.json()["error"]["fields"]) == {"circle_lon", "circle_lat"}


def test_a_derived_warning_without_a_level_is_refused(roles, api_client, publish_warning):
    from yingji.warnings import services

    original = publish_warning(services.create_warning(roles["drafter"], warning_data()))
    client = api_client(roles["drafter"])
    refused = post(client, f"/api/v1/warnings/{original.pk}/derive", {"kind": "upgrade", "changes": {"level": "红色"}})
    assert refused.status_code == 400, refused.content
    assert "level" in refused.json()["error"]["fields"]
    derived = post(client, f"/api/v1/warnings/{original.pk}/derive", {"kind": "update", "changes": {}})
    assert derived.status_code == 201, derived.content
    cleared = post(client, f"/api/v1/warnings/{derived.json()['id']}", {"level": None}, method="patch")
    assert cleared.status_code == 400, cleared.content
    assert cleared.json()["error"]["fields"] == {"level": ["必填，1–4 的整数"]}


def test_a_cap_form_without_its_file_is_refused(roles, api_client, make_user):
    client = api_client(make_user("capper", "sysadmin"))
    boundary = "b0undary"
    body = f"--{boundary}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nx\r\n--{boundary}--\r\n"
    response = client.post("/api/v1/cap-imports/", body, content_type=f"multipart/form-data; boundary={boundary}")
    assert response.status_code == 400, response.content
    assert response.json()["error"]["fields"] == {"file": ["必填"]}
    broken = client.post("/api/v1/cap-imports/", b"--x--\r\n", content_type="multipart/form-data")
    assert broken.status_code == 400, broken.content
    assert broken.json()["error"]["code"] == "bad_request"
