"""The public portal (no login): content of its pages, caching headers, the Atom feed, the
nearest shelter, and the report form's validation, spam resistance and rate limit."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import CITY, ZHANGWU, ZHANGWU_POINT
from tests.social.conftest import png_bytes
from tests.warnings.conftest import publish, roles, warning_data  # noqa: F401

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(roles):  # noqa: F811
    from yingji.warnings import services

    return publish(services.create_warning(roles["drafter"], warning_data()), roles)


def _shelter(name, point, area, occupancy=0, status="open", division=ZHANGWU):
    from yingji.core import records
    from yingji.resources.models import Shelter

    return records.create_record(records.SYSTEM, Shelter, {
        "name": name, "shelter_type": "emergency", "level": "county", "total_area_m2": area, "effective_area_m2": area,
        "manager": "管理员", "manager_phone": "13904180000", "status": status, "occupancy": occupancy,
        "division_code": division, "lon": point[0], "lat": point[1]})


def test_home_and_warnings_show_what_is_in_force_with_cap_links_and_cache_headers(client, published):
    home = client.get("/portal/")
    assert home.status_code == 200 and "max-age=30" in home["Cache-Control"] and "public" in home["Cache-Control"]
    text = home.content.decode()
    assert published.title in text and "当前生效的预警（1）" in text
    assert f"/warnings/cap/{published.identifier}.xml" in text
    assert 'type="application/atom+xml"' in text
    page = client.get("/portal/warnings/").content.decode()
    assert published.instruction.split("；")[0] in page
    # the page needs no session: a visitor is never sent to the login page
    assert "sessionid" not in home.cookies


def test_the_atom_feed_is_valid_and_carries_each_cap_document(client, published):
    response = client.get("/portal/feed.atom")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1
    entry = entries[0]
    assert entry.find(f"{ATOM}title").text == f"【{published.get_level_display()}】{published.title}"
    assert entry.find(f"{ATOM}id").text == f"urn:cap:{published.sender_code}:{published.identifier}"
    enclosure = next(link for link in entry.findall(f"{ATOM}link") if link.get("rel") == "enclosure")
    assert enclosure.get("type") == "application/cap+xml"
    cap = client.get(enclosure.get("href").replace("http://testserver", ""))
    assert cap.status_code == 200 and published.identifier in cap.content.decode()


def test_published_plans_articles_and_decisions_only(client, people):
    from yingji.core import records
    from yingji.preparedness.models import EmergencyPlan
    from yingji.social.models import Article

    EmergencyPlan.objects.create(name="阜新市防汛应急预案（测试）", kind="special", owner_unit="市应急局", state="published",
                                 document_number="阜政办发〔2025〕1号", published_at=timezone.now(), division_code=CITY)
    EmergencyPlan.objects.create(name="涉密预案（测试）", kind="special", owner_unit="市应急局", state="published",
                                 classified=True, division_code=CITY)
    EmergencyPlan.objects.create(name="起草中的预案（测试）", kind="general", owner_unit="市应急局", division_code=CITY)
    plans = client.get("/portal/plans/").content.decode()
    assert "阜新市防汛应急预案（测试）" in plans and "阜政办发〔2025〕1号" in plans
    assert "涉密预案（测试）" not in plans and "起草中的预案" not in plans
    records.create_record(people["city"], Article, {"title": "防汛知识（测试）", "category": "flood", "body": "转移时带好证件。",
                                                    "published": True, "division_code": CITY})
    draft = records.create_record(people["city"], Article, {"title": "草稿文章（测试）", "category": "flood", "body": "未发布",
                                                            "division_code": CITY})
    listing = client.get("/portal/articles/?category=flood")
    assert "防汛知识（测试）" in listing.content.decode() and "草稿文章" not in listing.content.decode()
    assert "max-age=60" in listing["Cache-Control"]
    assert client.get(f"/portal/articles/{draft.pk}/").status_code == 404
    decisions = client.get("/portal/decisions/")
    assert decisions.status_code == 200 and "行政处罚决定公示" in decisions.content.decode()


def test_shelters_show_capacity_and_the_nearest_with_room(client, db):
    near_full = _shelter("最近但已满（测试）", (ZHANGWU_POINT[0] + 0.002, ZHANGWU_POINT[1]), 300, occupancy=199, status="full")
    nearer = _shelter("彰武一中操场（测试）", (ZHANGWU_POINT[0] + 0.01, ZHANGWU_POINT[1]), 3000, occupancy=120)
    _shelter("远处公园（测试）", (ZHANGWU_POINT[0] + 0.2, ZHANGWU_POINT[1] + 0.1), 6000)
    listing = client.get("/portal/shelters/")
    text = listing.content.decode()
    assert "彰武一中操场（测试）" in text and "<td>1999</td><td>120</td>" in text
    assert listing["Cache-Control"] == "public, max-age=60"
    found = client.get(f"/portal/shelters/?lon={ZHANGWU_POINT[0]}&lat={ZHANGWU_POINT[1]}")
    assert found["Cache-Control"] == "private, no-store"  # a visitor's position is not cached by others
    body = found.content.decode()
    first = body.index('data-testid="nearest-shelter"')
    assert body.index(nearer.name, first) < body.index("远处公园", first)
    assert near_full.name not in body[first:body.index("全部场所")]
    assert "位置无效" in client.get("/portal/shelters/?lon=abc&lat=1").content.decode()


def _form(client):
    page = client.get("/portal/report/")
    assert page["Cache-Control"].startswith("max-age=0") and "no-store" in page["Cache-Control"]
    text = page.content.decode()
    return text.split('name="token" value="')[1].split('"')[0]


def test_a_report_is_validated_and_lands_in_the_duty_rooms_queue(client, people):
    from yingji.social.models import PublicReport

    with time_machine.travel(timezone.now() - dt.timedelta(seconds=10), tick=True):
        token = _form(client)
    bad = client.post("/portal/report/", {"token": token, "kind": "hazard", "description": "短", "phone": "1390418"})
    text = bad.content.decode()
    assert bad.status_code == 400 and "请描述看到的情况（至少 5 个字）" in text and "电话号码格式不正确" in text
    not_image = client.post("/portal/report/", {"token": token, "kind": "hazard", "description": "桥栏杆断裂有危险",
                                                "address": "村东桥", "photo": SimpleUploadedFile("a.jpg", b"not an image")})
    assert not_image.status_code == 400 and "不是有效的图片文件" in not_image.content.decode()
    outside = client.post("/portal/report/", {"token": token, "kind": "hazard", "description": "桥栏杆断裂有危险",
                                              "lon": "116.4", "lat": "39.9"})
    assert outside.status_code == 400 and "不在本市范围内" in outside.content.decode()
    assert not PublicReport.objects.exists()
    ok = client.post("/portal/report/", {
        "token": token, "kind": "hazard", "description": "村东小桥栏杆断裂，有人落水危险", "phone": "13904181234",
        "lon": str(ZHANGWU_POINT[0]), "lat": str(ZHANGWU_POINT[1]),
        "photo": SimpleUploadedFile("bridge.png", png_bytes(), content_type="image/png")})
    assert ok.status_code == 302
    report = PublicReport.objects.get()
    assert (report.state, report.division_code, report.phone) == ("new", ZHANGWU, "13904181234")
    assert report.photo.name.endswith(".png") and len(report.fingerprint) == 64 and "127.0.0.1" not in report.fingerprint
    client.force_login(people["duty"])
    queue = client.get("/social/queue/").content.decode()
    assert "村东小桥栏杆断裂" in queue and "查看照片" in queue
    photo = client.get(f"/social/queue/{report.pk}/photo/")
    assert photo.status_code == 200 and photo["Content-Type"] == "image/png"


def test_spam_is_refused_without_a_captcha_and_the_rate_limit_holds(client, db):
    from yingji.social.models import PublicReport

    fast = client.post("/portal/report/", {"token": _form(client), "kind": "clue", "description": "山体有裂缝在扩大",
                                           "address": "某山坡"})
    assert fast.status_code == 400 and "提交过快" in fast.content.decode()
    with time_machine.travel(timezone.now() - dt.timedelta(seconds=30), tick=True):
        token = _form(client)
    trap = client.post("/portal/report/", {"token": token, "kind": "clue", "description": "山体有裂缝在扩大",
                                           "address": "某山坡", "website": "http://spam.example"})
    assert trap.status_code == 400
    forged = client.post("/portal/report/", {"token": token[:-3] + "abc", "kind": "clue", "description": "山体有裂缝在扩大",
                                             "address": "某山坡"})
    assert forged.status_code == 400 and "表单无效" in forged.content.decode()
    with time_machine.travel(timezone.now() - dt.timedelta(hours=3), tick=True):
        old = _form(client)
    expired = client.post("/portal/report/", {"token": old, "kind": "clue", "description": "山体有裂缝在扩大", "address": "某山坡"})
    assert expired.status_code == 400 and "表单已过期" in expired.content.decode()
    assert not PublicReport.objects.exists()
    for n in range(3):
        sent = client.post("/portal/report/", {"token": token, "kind": "clue", "description": f"山体有裂缝在扩大（第 {n} 次）",
                                               "address": "某山坡"})
        assert sent.status_code == 302
    limited = client.post("/portal/report/", {"token": token, "kind": "clue", "description": "山体有裂缝在扩大（第 4 次）",
                                              "address": "某山坡"})
    assert limited.status_code == 429 and "一小时内最多提交 3 次" in limited.content.decode()
    assert PublicReport.objects.count() == 3
    # another sender is not limited by the first one's reports
    other = client.post("/portal/report/", {"token": token, "kind": "clue", "description": "另一处山体裂缝",
                                            "address": "另一山坡"}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 302


def test_the_duty_room_handles_a_report_once(client, people):
    from yingji.core import records
    from yingji.core.errors import Conflict, ValidationFailed
    from yingji.social import public_reports
    from yingji.social.models import PublicReport

    report = records.create_record(records.SYSTEM, PublicReport, {"kind": "clue", "description": "河水上涨漫过路面",
                                                                  "address": "某桥", "division_code": ZHANGWU})
    with pytest.raises(ValidationFailed, match="须写明理由"):
        public_reports.handle(people["duty"], report, "dismissed")
    done = public_reports.handle(people["duty"], report, "referred", "转水利部门")
    assert done.state == "referred" and done.handler_name == "s_duty"
    with pytest.raises(Conflict, match="该报告已处理（已转办）"):
        public_reports.handle(people["duty"], done, "accepted")
