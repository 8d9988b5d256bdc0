"""Alarm lifecycle (raised → acknowledged → handled → closed) with who/when/note, roles and
regional scope, deduplication, escalation by time, and pushes to the console."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone

from tests.monitoring.conftest import alarm_events, feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(pipeline, tank, django_capture_on_commit_callbacks):
    from yingji.monitoring.models import Alarm

    with django_capture_on_commit_callbacks(execute=True):
        feed(pipeline, "TANK-LV", [5.0, 8.2])
    return Alarm.objects.get(sensor=tank[1])


def act(client, alarm, action, note="", version=None):
    body = {"note": note} if version is None else {"note": note, "version": version}
    return client.post(f"/api/v1/alarms/{alarm.pk}/{action}", body, content_type="application/json")


def test_new_alarm_is_pushed_with_sound_to_its_division(raised):
    kind, data = alarm_events()[0]
    assert kind == "raised" and data["sound"] is True
    assert data["level"] == 3 and data["level_name"] == "三级（黄色）"
    assert "8.2" in data["text"] and "测试储罐区" in data["text"]
    from yingji.live.models import LiveEvent

    assert LiveEvent.objects.get(kind="raised").division_code == raised.division_code


def test_full_lifecycle_records_who_when_and_notes(raised, staff, api_client, pipeline):
    from yingji.audit.models import AuditEntry

    client = api_client(staff["duty"])
    response = act(client, raised, "acknowledge", "已通知企业")
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "acknowledged"
    # Handling needs a note.
    refused = act(client, raised, "handle", "")
    assert refused.status_code == 400 and "处置情况" in refused.json()["error"]["message"]
    assert act(client, raised, "handle", "企业已降低进料，液位回落").status_code == 200
    # Closing is refused while the value is still over the threshold.
    refused = act(client, raised, "close", "")
    assert refused.status_code == 400 and "仍然存在" in refused.json()["error"]["message"]
    feed(pipeline, "TANK-LV", [6.0], start_ms=int(time.time() * 1000) + 1000)
    closed = act(client, raised, "close", "液位正常")
    assert closed.status_code == 200
    data = closed.json()
    assert data["state"] == "closed" and data["is_open"] is False
    steps = {s["step"]: s for s in data["timeline"]}
    assert steps["确认"]["by"] == "duty_zw" and steps["确认"]["note"] == "已通知企业"
    assert steps["处置"]["note"] == "企业已降低进料，液位回落"
    assert steps["关闭"]["at"] is not None
    notes = list(AuditEntry.objects.filter(model="monitoring.Alarm", action="transition").values_list("note", flat=True))
    assert any("确认报警" in n for n in notes) and any("关闭报警" in n for n in notes)


def test_dismiss_as_false_alarm_needs_a_reason(raised, staff, api_client):
    client = api_client(staff["duty"])
    assert act(client, raised, "dismiss", "").status_code == 400
    response = act(client, raised, "dismiss", "传感器校准中，误报")
    assert response.status_code == 200 and response.json()["dismissed"] is True


def test_roles_and_scope(raised, staff, api_client):
    assert act(api_client(staff["readonly"]), raised, "acknowledge").status_code == 403
    assert act(api_client(staff["supervisor"]), raised, "acknowledge").status_code == 403
    other = act(api_client(staff["haizhou"]), raised, "acknowledge")
    assert other.status_code == 403 and "管辖范围" in other.json()["error"]["message"]
    assert api_client(staff["haizhou"]).get(f"/api/v1/alarms/{raised.pk}").status_code == 403
    # The enterprise acknowledges its own alarm but may not close or dismiss it.
    own = api_client(staff["enterprise"])
    assert act(own, raised, "acknowledge", "收到").status_code == 200
    assert act(own, raised, "dismiss", "误报").status_code == 403
    # The city duty room sees the county's alarm.
    listing = api_client(staff["city_duty"]).get("/api/v1/alarms/?open=1").json()
    assert [a["id"] for a in listing["items"]] == [raised.pk]
    assert api_client(staff["haizhou"]).get("/api/v1/alarms/?open=1").json()["count"] == 0


def test_stale_edit_is_refused(raised, staff, api_client):
    client = api_client(staff["duty"])
    assert act(client, raised, "acknowledge", version=raised.version).status_code == 200
    assert act(client, raised, "handle", "x", version=raised.version).status_code == 409


def test_repeats_update_the_open_alarm_and_a_worse_level_needs_acknowledging_again(raised, staff, api_client, pipeline,
                                                                                     django_capture_on_commit_callbacks):
    from yingji.monitoring.models import Alarm

    act(api_client(staff["duty"]), raised, "acknowledge", "收到")
    base = int(time.time() * 1000) + 1000
    with django_capture_on_commit_callbacks(execute=True):
        feed(pipeline, "TANK-LV", [6.0, 8.1, 6.0, 8.3], start_ms=base)  # clears and repeats at the same level
    alarm = Alarm.objects.get(pk=raised.pk)
    assert Alarm.objects.filter(sensor=raised.sensor).count() == 1
    assert alarm.state == "acknowledged" and alarm.level == 3 and alarm.occurrences == 3 and alarm.peak_value == 8.3
    with django_capture_on_commit_callbacks(execute=True):
        feed(pipeline, "TANK-LV", [9.6], start_ms=base + 10_000)
    alarm.refresh_from_db()
    assert alarm.level == 1 and alarm.state == "raised"
    assert alarm_events()[-1][0] == "level_raised" and alarm_events()[-1][1]["sound"] is True


def test_after_closing_a_new_excursion_opens_a_new_alarm(raised, staff, api_client, pipeline):
    from yingji.monitoring.models import Alarm

    act(api_client(staff["duty"]), raised, "dismiss", "误报")
    feed(pipeline, "TANK-LV", [6.0, 8.5], start_ms=int(time.time() * 1000) + 1000)
    assert Alarm.objects.filter(sensor=raised.sensor).count() == 2
    assert Alarm.objects.filter(sensor=raised.sensor, is_open=True).count() == 1


def test_unacknowledged_alarm_escalates_by_tier(raised, staff, api_client, django_capture_on_commit_callbacks):
    from yingji.monitoring.alarms import escalate_due

    raised_at = raised.level_changed_at
    # Level 3: tier 1 after 30 min, tier 2 after 60 min.
    assert escalate_due(raised_at + dt.timedelta(minutes=29)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_due(raised_at + dt.timedelta(minutes=30)) == 1
    assert escalate_due(raised_at + dt.timedelta(minutes=31)) == 0  # not twice
    kind, data = alarm_events()[-1]
    assert kind == "escalated" and data["tier_name"] == "带班领导" and data["sound"] is True
    act(api_client(staff["duty"]), raised, "acknowledge", "收到")
    assert escalate_due(raised_at + dt.timedelta(minutes=90)) == 0  # acknowledged: no further escalation
    raised.refresh_from_db()
    assert raised.escalation_tier == 1


def test_web_console_acknowledge_and_incident_link(raised, staff):
    from django.test import Client

    client = Client()
    client.force_login(staff["duty"])
    page = client.get(f"/monitoring/alarms/{raised.pk}/").content.decode()
    assert "转为事件" in page and "source=monitoring" in page and f"alarm={raised.pk}" in page
    response = client.post(f"/monitoring/alarms/{raised.pk}/act/", {"action": "acknowledge", "note": "值班确认"})
    assert response.status_code == 302
    raised.refresh_from_db()
    assert raised.state == "acknowledged" and raised.acknowledged_by == staff["duty"]
    bad = client.post(f"/monitoring/alarms/{raised.pk}/act/", {"action": "handle", "note": ""}, follow=True)
    assert "请填写处置情况" in bad.content.decode()
    console = client.get("/monitoring/").content.decode()
    assert "值班监测台" in console and str(raised.pk) in console


def test_alarm_states_on_the_map(raised, staff):
    from django.test import Client

    client = Client()
    client.force_login(staff["city_duty"])
    data = client.get("/monitoring/map/alarms.geojson").json()
    (feature,) = data["features"]
    assert feature["properties"]["level"] == 3 and feature["properties"]["color"] == "#f9a825"
    # the marker says it in words and pulses while unconfirmed
    assert feature["properties"]["state"] == "待确认" and feature["properties"]["pulse"] is True
    assert feature["properties"]["badge"] == "3"
    # the monitored object's own marker on the 监测对象 layer carries the alarm too
    (obj,) = client.get("/api/v1/map/monitored-objects/").json()["features"]
    assert obj["properties"]["pulse"] is True and obj["properties"]["color"] == "#f9a825"
    assert obj["properties"]["state"] == "三级（黄色）报警 · 待确认"
    client.force_login(staff["haizhou"])
    assert client.get("/monitoring/map/alarms.geojson").json()["features"] == []
    assert timezone.now()


def test_alarm_turned_into_an_incident_in_one_click(raised, staff):
    """The alarm's 转为事件 link opens a pre-filled intake; filing it links the incident back."""
    import re
    from html import unescape

    from django.test import Client

    from yingji.incidents.models import Incident
    from yingji.regions.models import Organisation

    Organisation.objects.create(name="彰武县应急管理局", kind="bureau", division_code=staff["duty"].region_code)
    client = Client()
    client.force_login(staff["duty"])
    page = client.get(f"/monitoring/alarms/{raised.pk}/").content.decode()
    link = unescape(re.search(r'href="(/incidents/new/\?[^"]+)"', page).group(1))
    intake = client.get(link).content.decode()
    assert "监测报警" in intake and f'name="alarm" value="{raised.pk}"' in intake
    form = {m.group(1): unescape(m.group(2)) for m in re.finditer(r'name="(\w+)" value="([^"]*)"', intake)}
    form.update(re.findall(r'<textarea[^>]*name="(description)"[^>]*>([^<]*)</textarea>', intake))
    form.setdefault("type_code", "accident.hazchem")
    form["source"] = "monitoring"
    response = client.post("/incidents/new/", form)
    body = response.content.decode()
    assert response.status_code == 302, body[body.find("<main"):][:1500]
    incident = Incident.objects.get()
    assert "报警" in incident.title
    raised.refresh_from_db()
    assert raised.incident_url == f"/incidents/{incident.pk}/"


def test_alarm_text_quotes_the_reading_and_threshold_that_triggered_it(pipeline, tank):
    """Not the latest reading ("5.6m 超过 9.5m"), nor a threshold edited afterwards (issue 14)."""
    from yingji.monitoring.alarms import describe
    from yingji.monitoring.models import Alarm

    _, level, _ = tank
    feed(pipeline, "TANK-LV", [7.42, 9.61, 5.6])
    alarm = Alarm.objects.get(sensor=level)
    assert alarm.level == 1 and alarm.trigger_value == 9.61 and alarm.trigger_threshold == 9.5
    level.upper_1 = 9.8
    level.save()
    alarm.refresh_from_db()
    text = describe(alarm)
    assert text.endswith(f"1#罐液位 9.61{level.unit}，超过一级（红色）阈值 9.5{level.unit}"), text
    assert "5.6" not in text and "9.8" not in text
