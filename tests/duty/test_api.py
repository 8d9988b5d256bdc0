"""Duty API: rosters and shifts (registry routes), who is on duty now, handover, daily reports."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from tests.conftest import CITY, ZHANGWU


def post(client, url, body):
    return client.post(url, data=json.dumps(body, default=str), content_type="application/json")


def test_roster_shift_and_on_duty_now(duty_units, make_user, api_client):
    officer = make_user("duty_zw", "duty_officer", ZHANGWU)
    client = api_client(officer)
    month = timezone.localdate().replace(day=1)
    roster = post(client, "/api/v1/duty-rosters/", {"organisation_id": duty_units["zhangwu"].pk, "month": str(month)})
    assert roster.status_code == 201, roster.content
    assert roster.json()["division_code"] == ZHANGWU
    now = timezone.now()
    shift = post(client, "/api/v1/duty-shifts/", {"roster_id": roster.json()["id"], "tier": "leader", "person_name": "张带班",
                                                 "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
                                                 "ends_at": (now + dt.timedelta(hours=23)).isoformat()})
    assert shift.status_code == 201, shift.content
    now_on = client.get("/api/v1/duty-now/").json()
    assert now_on["unit"] == "彰武县应急管理局" and now_on["items"][0]["name"] == "张带班"
    assert client.get("/api/v1/duty-shifts/").json()["count"] == 1


def test_daily_status_lists_units_not_reported(duty_units, make_user, api_client):
    city = api_client(make_user("duty_city", "duty_officer", CITY))
    county = api_client(make_user("duty_zw", "duty_officer", ZHANGWU))
    today = str(timezone.localdate())
    assert post(county, "/api/v1/duty-daily-reports/", {"report_date": today, "is_zero": True}).status_code == 201
    status = city.get("/api/v1/duty-daily-reports/status").json()
    assert [r["unit"] for r in status["reported"]] == ["彰武县应急管理局"]
    assert "海州区应急管理局" in [u["name"] for u in status["missing"]]
    again = post(county, "/api/v1/duty-daily-reports/", {"report_date": today, "is_zero": True})
    assert again.status_code == 409 and "已报送" in again.json()["error"]["message"]
