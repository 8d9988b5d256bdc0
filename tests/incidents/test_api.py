"""API: idempotent intake, nested reports, timeline, escalation and receipt, shared error shape."""

from __future__ import annotations

import datetime as dt
import json
import uuid

from django.utils import timezone

from tests.conftest import ZHANGWU, ZHANGWU_POINT
from tests.incidents.conftest import ART12


def post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def intake_body(**extra):
    now = timezone.now()
    body = {"client_token": str(uuid.uuid4()), "title": "彰武县道路交通事故", "type_code": "accident.road_traffic",
            "description": "两车相撞", "received_at": (now - dt.timedelta(minutes=3)).isoformat(),
            "occurred_at": (now - dt.timedelta(minutes=10)).isoformat(), "division_code": ZHANGWU,
            "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1], "injuries": 1}
    body.update(extra)
    return body


def test_intake_retry_returns_the_same_incident(officers, api_client):
    client = api_client(officers["zhangwu"])
    body = intake_body()
    first = post(client, "/api/v1/incidents/", body)
    retry = post(client, "/api/v1/incidents/", body)
    assert (first.status_code, retry.status_code) == (201, 200)
    assert first.json()["id"] == retry.json()["id"]
    listing = client.get("/api/v1/incidents/").json()
    assert listing["count"] == 1 and listing["items"][0]["grade_name"] == "一般事故"


def test_negative_count_answers_the_error_shape(officers, api_client):
    response = post(api_client(officers["zhangwu"]), "/api/v1/incidents/", intake_body(deaths=-1))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "validation_failed" and "不能为负数" in error["message"] and "deaths" in error["fields"]


def test_reports_timeline_escalation_and_receipt(officers, api_client):
    county, city = api_client(officers["zhangwu"]), api_client(officers["city"])
    incident = post(county, "/api/v1/incidents/", intake_body()).json()
    final_first = post(county, f"/api/v1/incidents/{incident['id']}/reports/", {"kind": "final", "issuer": "李", **ART12})
    assert final_first.status_code == 400 and final_first.json()["error"]["code"] == "illegal_transition"
    first = post(county, f"/api/v1/incidents/{incident['id']}/reports/",
                 {"kind": "first", "issuer": "李局长", "deaths": 3, "submit_upward": True, **ART12})
    assert first.status_code == 201, first.content
    assert first.json()["grade_name"] == "较大事故"
    detail = county.get(f"/api/v1/incidents/{incident['id']}").json()
    assert [r["kind"] for r in detail["reports"]] == ["first"]
    assert detail["receipts"][0]["receiving_unit"] == "阜新市应急管理局"
    pending = city.get("/api/v1/incident-receipts/?pending=1").json()
    assert pending["count"] == 1
    ack = post(city, f"/api/v1/incident-receipts/{pending['items'][0]['id']}/acknowledge", {})
    assert ack.status_code == 200 and ack.json()["acknowledged_by"] == "duty_city"
    timeline = county.get(f"/api/v1/incidents/{incident['id']}/timeline/").json()
    kinds = [e["kind"] for e in timeline["items"]]
    assert kinds[0] == "intake" and {"report", "upward", "receipt", "grade"} <= set(kinds)
    docx = county.get(first.json()["docx_url"])
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    pdf = county.get(first.json()["pdf_url"])
    assert pdf.content.startswith(b"%PDF")


def test_other_county_cannot_see_the_incident(officers, api_client):
    incident = post(api_client(officers["zhangwu"]), "/api/v1/incidents/", intake_body()).json()
    other = api_client(officers["haizhou"])
    assert other.get(f"/api/v1/incidents/{incident['id']}").status_code == 403
    assert other.get("/api/v1/incidents/").json()["count"] == 0


def test_deadlines_with_countdown_and_stats(officers, api_client):
    client = api_client(officers["zhangwu"])
    post(client, "/api/v1/incidents/", intake_body())
    deadlines = client.get("/api/v1/incident-deadlines/").json()
    phone = next(d for d in deadlines["items"] if d["kind"] == "phone_report")
    assert 0 < phone["remaining_seconds"] <= 20 * 60
    done = post(client, f"/api/v1/incident-deadlines/{phone['id']}/complete", {"note": "已电话报告市局"})
    assert done.json()["status"] == "done"
    stats = client.get("/api/v1/incident-deadlines/stats").json()
    assert stats["items"][0]["unit"] == "彰武县应急管理局" and stats["items"][0]["on_time"] == 1
