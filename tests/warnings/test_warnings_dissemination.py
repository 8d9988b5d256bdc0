"""Targeting (division and polygon), queued deliveries sent through real local servers,
retries with back-off, permanent failures, cancel, rate limiting, receipts and coverage."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from tests.conftest import CITY, HAIZHOU, ZHANGWU
from tests.warnings.conftest import publish, warning_data
from yingji.warnings import dispatch, services
from yingji.warnings.models import AreaPopulation, Delivery, Subscriber

# Two points in 彰武县 and one in 海州区 (inside the real county boundaries).
ZHANGWU_IN = (122.431, 42.488)
ZHANGWU_FAR = (122.30, 42.75)
HAIZHOU_IN = (121.624, 41.961)
SQUARE_AROUND_ZHANGWU_IN = [[122.40, 42.46], [122.46, 42.46], [122.46, 42.52], [122.40, 42.52]]


def _subscriber(phone, division, point=None):
    lon, lat = point if point else (None, None)
    return Subscriber.objects.create(phone=phone, division_code=division, lon=lon, lat=lat)


@pytest.fixture
def people(db):
    from yingji.geo.townships import township_at

    town = township_at(*ZHANGWU_IN)
    return {
        "zw_in": _subscriber("13800000001", ZHANGWU, ZHANGWU_IN),
        "zw_far": _subscriber("13800000002", ZHANGWU, ZHANGWU_FAR),
        "zw_town_no_location": _subscriber("13800000003", town),
        "hz": _subscriber("13800000004", HAIZHOU, HAIZHOU_IN),
        "inactive": Subscriber.objects.create(phone="13800000005", division_code=ZHANGWU, active=False),
    }


def _phones(warning, kind="public"):
    return set(Delivery.objects.filter(warning=warning, channel="sms", recipient_kind=kind).values_list("address", flat=True))


def test_division_targeting_reaches_county_subscribers_and_officials(draft, roles, channels, people, make_user):
    zw_official = make_user("zw_official", "county_admin", region=ZHANGWU)
    zw_official.phone = "13911111111"
    zw_official.save()
    hz_official = make_user("hz_official", "county_admin", region=HAIZHOU)
    hz_official.phone = "13922222222"
    hz_official.save()
    warning = publish(draft, roles)
    assert _phones(warning) == {"13800000001", "13800000002", "13800000003"}
    # County official of 彰武 and the city-level drafter (above the area) — not 海州's official.
    assert _phones(warning, "official") == {"13911111111", "13900000001"}
    assert Delivery.objects.filter(warning=warning, channel="email", address="drafter@bureau.test").exists()
    assert Delivery.objects.filter(warning=warning, channel="inapp", recipient_id=zw_official.pk, status="delivered").exists()
    assert Delivery.objects.get(warning=warning, channel="broadcast").status == "queued"
    assert Delivery.objects.get(warning=warning, channel="web").status == "delivered"


def test_polygon_targeting_uses_points_and_townships(roles, channels, people):
    data = warning_data(area_codes=[], area_polygon=SQUARE_AROUND_ZHANGWU_IN, area_desc="彰武县城周边")
    warning = publish(services.create_warning(roles["drafter"], data), roles)
    # Inside the square: the located subscriber; the one without a location is reached through
    # the township the square touches; the far one and 海州 are not.
    assert _phones(warning) == {"13800000001", "13800000003"}


def test_circle_targeting(roles, channels, people):
    data = warning_data(area_codes=[], circle_lon=ZHANGWU_IN[0], circle_lat=ZHANGWU_IN[1], circle_radius_km=2,
                        area_desc="泄漏点周边2公里")
    warning = publish(services.create_warning(roles["drafter"], data), roles)
    assert "13800000001" in _phones(warning) and "13800000002" not in _phones(warning)


def test_drill_is_not_sent_to_the_public(roles, channels, people):
    warning = publish(services.create_warning(roles["drafter"], warning_data(cap_status="Exercise")), roles)
    assert _phones(warning) == set()
    assert "<status>Exercise</status>" in warning.cap_xml


def test_sms_sent_with_segments_and_signature(draft, roles, channels, people, gateway):
    warning = publish(draft, roles)
    counts = dispatch.drain("sms")
    assert counts == {"sent": 4}
    payload = gateway.sms_payloads()[0]
    assert payload["content"].startswith("【阜新市应急管理局】")
    assert payload["segments"] >= 2  # a Chinese text longer than 70 characters is split by 67
    statuses = set(Delivery.objects.filter(warning=warning, channel="sms").values_list("status", flat=True))
    assert statuses == {"sent"}
    assert Delivery.objects.filter(warning=warning, channel="sms").exclude(external_id="").count() == 4


def test_retries_with_backoff_then_sent(draft, roles, channels, people, gateway):
    gateway.fail_first = 1
    warning = publish(draft, roles)
    assert dispatch.drain("sms") == {"retry": 4}
    rows = list(Delivery.objects.filter(warning=warning, channel="sms"))
    assert {(r.status, r.attempts) for r in rows} == {("queued", 1)}
    assert all(r.next_attempt_at > timezone.now() + dt.timedelta(seconds=25) for r in rows)
    assert "HTTP 503" in rows[0].last_error
    # Not due yet: nothing is sent.
    assert dispatch.drain("sms") == {}
    Delivery.objects.filter(warning=warning).update(next_attempt_at=timezone.now())
    assert dispatch.drain("sms") == {"sent": 4}
    assert set(Delivery.objects.filter(warning=warning, channel="sms").values_list("attempts", flat=True)) == {2}


def test_backoff_doubles_and_gives_up_after_max_attempts(draft, roles, channels, people, gateway):
    gateway.fail_first = 100
    warning = publish(draft, roles)
    waits = []
    for _ in range(3):
        before = timezone.now()
        dispatch.drain("sms")
        row = Delivery.objects.filter(warning=warning, channel="sms").first()
        waits.append((row.next_attempt_at - before).total_seconds())
        Delivery.objects.filter(warning=warning, status="queued").update(next_attempt_at=timezone.now())
    assert 29 <= waits[0] <= 32 and 59 <= waits[1] <= 62
    assert set(Delivery.objects.filter(warning=warning, channel="sms").values_list("status", flat=True)) == {"failed"}


def test_rejected_number_fails_without_retry(draft, roles, channels, people, gateway):
    gateway.reject_numbers = {"13800000002"}
    warning = publish(draft, roles)
    dispatch.drain("sms")
    bad = Delivery.objects.get(warning=warning, address="13800000002")
    assert bad.status == "failed" and "空号" in bad.last_error and bad.attempts == 1


def test_cancel_stops_what_is_not_yet_sent(draft, roles, channels, people, gateway):
    warning = publish(draft, roles)
    dispatch.dispatch_once("sms", limit=2)
    stopped = services.stop_deliveries(roles["drafter"], warning, "内容有误")
    assert stopped >= 2
    dispatch.drain("sms")
    statuses = list(Delivery.objects.filter(warning=warning, channel="sms").values_list("status", flat=True))
    assert statuses.count("sent") == 2 and statuses.count("cancelled") == len(statuses) - 2
    assert len(gateway.sms_payloads()) == 1


def test_lift_cancels_pending_deliveries_of_original(draft, roles, channels, people, gateway):
    original = publish(draft, roles)
    lift = publish(services.derive_warning(roles["drafter"], original, "lift"), roles)
    assert not Delivery.objects.filter(warning=original, status="queued").exists()
    assert Delivery.objects.filter(warning=original, status="cancelled").count() > 0
    dispatch.drain("sms")
    sent = [p["content"] for p in gateway.sms_payloads()]
    assert all("解除" in text for text in sent)
    assert Delivery.objects.filter(warning=lift, channel="sms", status="sent").count() == 4


def test_broadcast_posts_cap(draft, roles, channels, gateway):
    warning = publish(draft, roles)
    assert dispatch.drain("broadcast") == {"delivered": 1}
    path, body = [r for r in gateway.requests if r[0].startswith("/broadcast")][0]
    assert body.decode() == warning.cap_xml


def test_email_through_smtp_with_refused_recipient(draft, roles, channels, smtp_server, make_user):
    nobody = make_user("nobody", "readonly", region=ZHANGWU)
    nobody.email = "nobody@bureau.test"
    nobody.save()
    warning = publish(draft, roles)
    counts = dispatch.drain("email")
    assert counts == {"sent": 1, "failed": 1}
    assert smtp_server.messages[0]["to"] == ["drafter@bureau.test"]
    assert b"application/cap+xml" in smtp_server.messages[0]["data"]
    assert "拒收" in Delivery.objects.get(warning=warning, address="nobody@bureau.test").last_error


def test_receipts_mark_delivered(draft, roles, channels, people, gateway, client):
    warning = publish(draft, roles)
    dispatch.drain("sms")
    row = Delivery.objects.filter(warning=warning, channel="sms").first()
    body = json.dumps({"receipts": [{"id": row.pk, "status": "delivered"}]})
    refused = client.post("/api/v1/deliveries/receipts", body, content_type="application/json", HTTP_X_RECEIPT_TOKEN="bad")
    assert refused.status_code == 403
    ok = client.post("/api/v1/deliveries/receipts", body, content_type="application/json", HTTP_X_RECEIPT_TOKEN="r-token")
    assert ok.json() == {"updated": 1}
    row.refresh_from_db()
    assert row.status == "delivered" and row.delivered_at is not None


def test_rate_limiter_paces_sends():
    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limiter = dispatch.RateLimiter(rate=10, burst=10, clock=lambda: now[0], sleep=sleep)
    sent = 0
    while sent < 100:
        sent += limiter.acquire(10)
    # 100 messages at 10/s with a burst of 10 take 9 s of waiting.
    assert sum(slept) == pytest.approx(9.0, abs=0.2)


def test_coverage_report(draft, roles, channels, people, gateway):
    AreaPopulation.objects.create(division_code=ZHANGWU, population=4, year=2020, source="测试")
    gateway.reject_numbers = {"13800000002"}
    warning = publish(draft, roles)
    dispatch.drain("sms")
    from yingji.warnings.selectors import coverage

    report = coverage(warning)
    assert report["population"] == 4
    assert report["public_targeted"] == 3 and report["public_reached"] == 2
    assert report["reach_ratio"] == pytest.approx(0.5)
    assert report["by_county"]["210922"]["failed"] == 1
    assert report["by_channel"]["sms"]["targeted"] == 4
