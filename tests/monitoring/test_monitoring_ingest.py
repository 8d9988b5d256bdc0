"""HTTP batch ingest with a device token, idempotency, quarantine, the readings API
(raw and downsampled), latest values, roll-ups and retention, sensor validation."""

from __future__ import annotations

import json
import time

import pytest
from django.test import Client

from tests.conftest import HAIZHOU, PASSWORD, ZHANGWU

pytestmark = pytest.mark.django_db


@pytest.fixture
def device(staff):
    from yingji.monitoring.selectors import issue_device_token

    token, _ = issue_device_token(staff["admin"], "彰武测试网关", ZHANGWU)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def post(client, body):
    data = body if isinstance(body, (bytes, str)) else json.dumps(body)
    return client.post("/api/v1/ingest/", data, content_type="application/json")


def now_ms():
    return int(time.time() * 1000)


def test_batch_is_stored_once_even_when_sent_twice(device, tank):
    from yingji.monitoring.models import LatestValue, Reading

    t = now_ms() - 10_000
    batch = {"readings": [{"s": "TANK-LV", "t": t + i * 1000, "v": 5 + i * 0.1, "seq": i} for i in range(5)]
             + [{"s": "TANK-TE", "t": "2026-01-01T08:00:00+08:00", "v": 21.5}] * 0}
    first = post(device, batch)
    assert first.status_code == 200, first.content
    assert first.json()["stored"] == 5
    again = post(device, batch)
    assert again.json() == {"accepted": 5, "stored": 0, "duplicates": 5, "quarantined": 0, "problems": []}
    assert Reading.objects.filter(sensor=tank[1]).count() == 5
    assert LatestValue.objects.get(sensor=tank[1]).value == pytest.approx(5.4)


def test_iso_times_are_accepted(device, tank):
    from yingji.monitoring.models import Reading

    when = time.strftime("%Y-%m-%dT%H:%M:%S+08:00", time.gmtime(time.time() + 8 * 3600 - 60))
    assert post(device, {"readings": [{"s": "TANK-TE", "t": when, "v": 21.5}]}).json()["stored"] == 1
    assert Reading.objects.get(sensor=tank[2]).t % 1000 == 0


def test_bad_token_is_refused(tank):
    response = post(Client(HTTP_AUTHORIZATION="Bearer yjd_wrong"), {"readings": []})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_problems_are_quarantined_with_reasons_and_good_readings_kept(device, tank, gauge):
    from yingji.monitoring.models import QuarantinedMessage, Reading

    t = now_ms() - 5000
    response = post(device, {"readings": [
        {"s": "TANK-LV", "t": t, "v": 5.0},
        {"s": "NO-SUCH", "t": t, "v": 1.0},
        {"s": "TANK-LV", "t": t + 1, "v": 99.0},               # outside the valid range 0–12
        {"s": "TANK-LV", "t": t + 2, "v": "high"},
        {"s": "TANK-LV", "t": now_ms() + 3_600_000, "v": 5.0},  # an hour in the future
        {"s": "GAUGE-WL", "t": t, "v": 1.0},                   # another county: not this token's
    ]})
    assert response.status_code == 200
    body = response.json()
    assert body["stored"] == 1 and body["quarantined"] == 5
    reasons = sorted(QuarantinedMessage.objects.values_list("reason", flat=True))
    assert reasons == ["bad_time", "bad_value", "forbidden", "out_of_range", "unknown_sensor"]
    assert Reading.objects.count() == 1
    assert "有效量程" in QuarantinedMessage.objects.get(reason="out_of_range").detail


def test_malformed_body_is_a_clear_400_and_kept(device):
    from yingji.monitoring.models import QuarantinedMessage

    response = post(device, b"{not json")
    assert response.status_code == 400
    assert "JSON" in response.json()["error"]["message"]
    assert QuarantinedMessage.objects.get().reason == "bad_json"


def test_quarantine_page_counts_by_reason(device, tank, staff):
    post(device, {"readings": [{"s": "NO-SUCH", "t": now_ms(), "v": 1}, {"s": "NO-SUCH-2", "t": now_ms(), "v": 1}]})
    client = Client()
    client.force_login(staff["city_admin"])
    page = client.get("/monitoring/quarantine/").content.decode()
    assert "未登记的传感器 <b>2</b>" in page and "NO-SUCH-2" in page
    client.force_login(staff["readonly"])
    assert client.get("/monitoring/quarantine/").status_code == 403


def test_readings_api_raw_and_downsampled(pipeline, tank, staff, api_client):
    from yingji.monitoring.ingest import insert_readings

    _, level, _ = tank
    end = now_ms() // 3_600_000 * 3_600_000
    start = end - 3 * 86_400_000
    insert_readings([(level.pk, t, 5.0 + (t // 60_000) % 3, None) for t in range(start, end, 60_000)])
    client = api_client(staff["duty"])
    raw = client.get(f"/api/v1/readings/?sensor={level.pk}&start={end - 600_000}&end={end}").json()
    assert raw["bucket_s"] == 0 and len(raw["points"]) == 10
    day = client.get(f"/api/v1/readings/?sensor={level.pk}&start={start}&end={end}").json()
    assert day["bucket_s"] == 900 and len(day["points"]) == 3 * 96
    t0, lo, mean, hi, n = day["points"][0]
    assert (lo, hi, n) == (5.0, 7.0, 15) and mean == pytest.approx(6.0, abs=0.2)
    hourly = client.get(f"/api/v1/readings/?sensor={level.pk}&start={start}&end={end}&bucket=3600").json()
    assert len(hourly["points"]) == 72 and all(p[4] == 60 for p in hourly["points"])
    assert day["sensor"]["upper"] == {"1": 9.5, "2": 9.0, "3": 8.0, "4": 7.0}
    bad = client.get(f"/api/v1/readings/?sensor={level.pk}&start=yesterday")
    assert bad.status_code == 400 and "时间格式无效" in bad.json()["error"]["message"]
    assert api_client(staff["haizhou"]).get(f"/api/v1/readings/?sensor={level.pk}").status_code == 403


def test_rollup_keeps_long_ranges_after_raw_retention(tank, monkeypatch):
    from yingji.monitoring import series
    from yingji.monitoring.ingest import insert_readings
    from yingji.monitoring.models import HourlyRollup, Reading

    _, level, _ = tank
    end = now_ms() // 86_400_000 * 86_400_000
    start = end - 200 * 86_400_000
    insert_readings([(level.pk, t, float((t // 3_600_000) % 24), None) for t in range(start, end, 600_000)])
    assert series.rollup(end + 1) == 200 * 24
    monkeypatch.setenv("YINGJI_MONITOR_RAW_DAYS", "90")
    pruned = series.prune(end)
    assert pruned["readings"] == 110 * 24 * 6
    assert Reading.objects.order_by("t").first().t >= end - 90 * 86_400_000
    assert HourlyRollup.objects.count() == 200 * 24
    year = series.series(level.pk, start, end, None)
    assert year["bucket_s"] == 86400 and len(year["points"]) == 200
    assert all(p[1] == 0.0 and p[3] == 23.0 and p[4] == 144 for p in year["points"])


def test_latest_values_for_the_console(pipeline, tank, gauge, staff, api_client):
    from tests.monitoring.conftest import feed

    feed(pipeline, "TANK-LV", [5.0, 8.4])
    items = api_client(staff["city_duty"]).get("/api/v1/monitoring/latest").json()["items"]
    by_code = {i["code"]: i for i in items}
    assert by_code["TANK-LV"]["value"] == 8.4 and by_code["TANK-LV"]["alarm_level"] == 3
    assert by_code["GAUGE-WL"]["value"] is None and by_code["GAUGE-WL"]["stale"] is True
    county = api_client(staff["duty"]).get("/api/v1/monitoring/latest?alarming=1").json()["items"]
    assert [i["code"] for i in county] == ["TANK-LV"]


def test_sensor_thresholds_are_validated_in_chinese(tank, staff, api_client):
    obj, _, _ = tank
    client = api_client(staff["admin"])
    response = client.post("/api/v1/sensors/", {"code": "NEW-1", "name": "新测点", "monitored_object_id": obj.pk,
                                                 "kind": "pressure", "upper_4": 1.2, "upper_3": 1.0},
                           content_type="application/json")
    assert response.status_code == 400
    assert "上限报警值必须随级别升高而增大" in response.json()["error"]["message"]
    ok = client.post("/api/v1/sensors/", {"code": "NEW-1", "name": "新测点", "monitored_object_id": obj.pk,
                                           "kind": "pressure", "upper_4": 0.8, "upper_3": 1.0},
                     content_type="application/json")
    assert ok.status_code == 201, ok.content
    assert ok.json()["division_code"] == ZHANGWU and ok.json()["unit"] == "MPa"
    bad_code = client.post("/api/v1/sensors/", {"code": "a/b#", "name": "x", "monitored_object_id": obj.pk, "kind": "level"},
                           content_type="application/json")
    assert bad_code.status_code == 400 and "MQTT" in bad_code.json()["error"]["message"]


def test_device_tokens_are_issued_by_administrators_of_that_division(staff, api_client):
    body = {"name": "网关", "division_code": HAIZHOU}
    assert api_client(staff["admin"]).post("/api/v1/monitoring/device-tokens", body,
                                           content_type="application/json").status_code == 403
    assert api_client(staff["duty"]).post("/api/v1/monitoring/device-tokens", {**body, "division_code": ZHANGWU},
                                          content_type="application/json").status_code == 403
    ok = api_client(staff["city_admin"]).post("/api/v1/monitoring/device-tokens", body, content_type="application/json")
    assert ok.status_code == 201 and ok.json()["token"].startswith("yjd_")


def test_missing_sequence_numbers_raise_one_data_quality_alarm_naming_the_range(device, tank, staff):
    """Readings lost on the way (a gap in ``seq``) become a data-quality alarm that says which
    sensor and which numbers; later gaps update the same open alarm (issue 13, finding 8)."""
    from yingji.monitoring.alarms import describe
    from yingji.monitoring.models import Alarm

    t = now_ms() - 60_000
    assert post(device, {"readings": [{"s": "TANK-LV", "t": t + i * 1000, "v": 5.0, "seq": i} for i in range(1, 4)]}
                ).json()["stored"] == 3
    assert not Alarm.objects.filter(rule="gap").exists()
    post(device, {"readings": [{"s": "TANK-LV", "t": t + 10_000, "v": 5.0, "seq": 40}]})
    alarm = Alarm.objects.get(rule="gap")
    assert alarm.sensor == tank[1] and alarm.level == 4 and not alarm.condition_active and alarm.is_open
    assert alarm.detail == "缺失序号 4–39（共 36 条）"
    assert "数据缺失：缺失序号 4–39（共 36 条）" in describe(alarm)
    # A device restart (counter begins again) is not a gap; a later gap repeats the open alarm.
    post(device, {"readings": [{"s": "TANK-LV", "t": t + 11_000, "v": 5.0, "seq": 1},
                               {"s": "TANK-LV", "t": t + 12_000, "v": 5.0, "seq": 3}]})
    alarm.refresh_from_db()
    assert Alarm.objects.filter(rule="gap").count() == 1
    assert alarm.occurrences == 2 and alarm.detail == "缺失序号 2（1 条）"
    # The duty console reads it in Chinese.
    html = staff["admin"] and Client()
    assert html.login(username=staff["admin"].username, password=PASSWORD)
    page = html.get(f"/monitoring/alarms/{alarm.pk}/").content.decode()
    assert "数据缺失（序号不连续）" in page and "缺失序号 2（1 条）" in page


def test_shared_stream_holds_a_gap_until_the_other_process_has_had_its_chance(tank, monkeypatch):
    """Two ingest processes on one shared subscription: the one that stores seq 10 first sees
    4–9 "missing" while the other still holds them. The gap waits the grace period and is raised
    only for what is still absent then: none when the other process stored them, the rest
    otherwise."""
    from yingji.monitoring.ingest import IngestPipeline
    from yingji.monitoring.models import Alarm
    from yingji.monitoring.payloads import RawReading

    monkeypatch.setenv("YINGJI_INGEST_SHARED", "1")
    monkeypatch.setenv("YINGJI_GAP_GRACE_S", "30")
    first, second = IngestPipeline(), IngestPipeline()
    t = now_ms() - 600_000
    level = lambda seq: RawReading("TANK-LV", t + seq * 1000, 5.0, seq)  # noqa: E731

    first.ingest([level(s) for s in range(1, 4)])
    first.ingest([level(10)])                   # 4–9 are with the other process
    assert first.confirm_gaps(time.time() + 5) == 0 and first.pending_gaps
    second.ingest([level(s) for s in range(4, 10)])
    assert first.confirm_gaps(time.time() + 31) == 0
    assert not Alarm.objects.filter(rule="gap").exists() and not first.pending_gaps

    # A real loss: 12 and 14–15 never arrive, 13 does (late, through the other process).
    first.ingest([level(11)])
    first.ingest([level(16)])
    second.ingest([level(13)])
    assert not Alarm.objects.filter(rule="gap").exists()
    first.sweep(time.time() + 31)               # the periodic sweep confirms what is due
    alarm = Alarm.objects.get(rule="gap")
    assert alarm.detail == "缺失序号 12（1 条）；缺失序号 14–15（共 2 条）"


def test_a_lone_ingest_process_raises_a_gap_at_once(tank, monkeypatch):
    from yingji.monitoring.ingest import IngestPipeline
    from yingji.monitoring.models import Alarm
    from yingji.monitoring.payloads import RawReading

    monkeypatch.delenv("YINGJI_INGEST_SHARED", raising=False)
    lone = IngestPipeline()
    t = now_ms() - 600_000
    lone.ingest([RawReading("TANK-LV", t + s * 1000, 5.0, s) for s in (1, 2, 5)])
    assert Alarm.objects.get(rule="gap").detail == "缺失序号 3–4（共 2 条）" and not lone.pending_gaps


def test_a_slow_batch_is_logged_with_where_its_time_went(tank, monkeypatch, caplog):
    """An operator whose alarms arrive late reads in the log which batches held them up and in
    which phase (checks, insert, latest values, evaluation, alarms, commit)."""
    from yingji.monitoring import ingest
    from yingji.monitoring.payloads import RawReading

    pipeline = ingest.IngestPipeline()
    t = now_ms() - 60_000
    monkeypatch.setattr(ingest, "SLOW_BATCH_S", 60.0)
    pipeline.ingest([RawReading("TANK-LV", t, 5.0, None)])
    assert "slow ingest batch" not in caplog.text  # under the threshold: nothing logged
    monkeypatch.setattr(ingest, "SLOW_BATCH_S", 0.0)
    with caplog.at_level("WARNING", logger="yingji.monitoring.ingest"):
        pipeline.ingest([RawReading("TANK-LV", t + 1000, 5.0, None), RawReading("TANK-LV", t + 2000, 9.6, None)])
    line = next(r.getMessage() for r in caplog.records if "slow ingest batch" in r.getMessage())
    assert line.startswith("slow ingest batch: 2 readings, 1 alarm changes in ")
    for phase in ("check", "insert", "latest", "evaluate", "alarms", "commit"):
        assert f"{phase} " in line, line


def test_a_long_garbage_collection_in_the_ingest_process_is_logged(monkeypatch, caplog):
    import gc

    from yingji.monitoring import mqtt

    monkeypatch.setattr(mqtt, "SLOW_BATCH_S", 0.0)
    mqtt.watch_collections()
    mqtt.watch_collections()  # once per process, however often the worker starts
    try:
        assert gc.callbacks.count(mqtt._on_collection) == 1
        with caplog.at_level("WARNING", logger="yingji.monitoring.mqtt"):
            gc.collect()
    finally:
        gc.callbacks.remove(mqtt._on_collection)
    assert any(r.getMessage().startswith("garbage collection of generation 2 paused the process ")
               for r in caplog.records), caplog.text
