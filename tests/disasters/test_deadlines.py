"""Time limits per county: 初报 within 2 h of the disaster, 核报 within 2 working days of
stabilisation; met, late, running, overdue; the home-page panel lists the overdue ones."""

from __future__ import annotations

import datetime as dt

from django.test import Client
from django.utils import timezone

from tests.conftest import HAIZHOU, PASSWORD, ZHANGWU
from tests.disasters.conftest import ZW_TOWN_A


def test_initial_report_deadline_per_county(people, event, file):
    from yingji.disasters.deadlines import event_deadlines

    rows = {(r.county, r.stage): r for r in event_deadlines(event)}
    assert set(rows) == {(ZHANGWU, "initial"), (HAIZHOU, "initial")}
    assert rows[(ZHANGWU, "initial")].due == event.start_at + dt.timedelta(hours=2)
    assert rows[(ZHANGWU, "initial")].state == "overdue"  # the fixture's event started 6 h ago
    file("zhangwu", event, "initial", ZW_TOWN_A, report_at=event.start_at + dt.timedelta(minutes=90))
    file("haizhou", event, "initial", HAIZHOU, report_at=event.start_at + dt.timedelta(hours=3))
    rows = {(r.county, r.stage): r for r in event_deadlines(event)}
    assert rows[(ZHANGWU, "initial")].state == "met"
    assert rows[(HAIZHOU, "initial")].state == "late"


def test_final_report_deadline_after_stabilisation(people, event, file):
    from yingji.disasters.deadlines import event_deadlines
    from yingji.disasters.services import mark_stabilised

    file("zhangwu", event, "initial", ZHANGWU)
    event = mark_stabilised(people["city"], event)
    final = next(r for r in event_deadlines(event) if r.county == ZHANGWU and r.stage == "final")
    assert final.state == "running" and final.due > timezone.now() + dt.timedelta(days=1)
    file("zhangwu", event, "final", ZHANGWU)
    final = next(r for r in event_deadlines(event) if r.county == ZHANGWU and r.stage == "final")
    assert final.state == "met"


def test_overdue_reports_appear_on_the_home_page(people, event):
    client = Client()
    assert client.login(username=people["zhangwu"].username, password=PASSWORD)
    html = client.get("/").content.decode()
    assert "灾情报告超时" in html and "彰武县初报" in html and "海州区初报" not in html
    page = client.get(f"/disasters/{event.pk}/").content.decode()
    assert "已超时" in page and "灾害发生后2小时内" in page
