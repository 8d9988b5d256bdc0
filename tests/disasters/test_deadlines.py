"""Reporting time limits by level and stage, counted by the incidents' deadline engine: county
初报 2 h from the disaster, the city's 初报 2 h from the first county 初报, daily (zero) reports
by 09:00 / 10:00 while 24-hour zero reporting runs, 核报 2 / 3 working days; met, late, running,
overdue; on the home page, on the 值班台, and alerted once (reminder, then overdue)."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from tests.conftest import CITY, HAIZHOU, PASSWORD, ZHANGWU
from tests.disasters.conftest import ZW_TOWN_A
from yingji.rules.disaster_reports import BEIJING

START = dt.datetime(2025, 7, 28, 6, 0, tzinfo=BEIJING)  # a Monday


@pytest.fixture
def clock():
    with time_machine.travel(START + dt.timedelta(hours=1), tick=False) as traveller:
        yield traveller


@pytest.fixture
def flood(people, clock):
    from yingji.disasters.services import create_event

    return create_event(people["city"], {
        "title": "测试洪涝过程", "hazard_type": "flood", "start_at": START, "division_code": CITY,
        "affected_codes": [ZHANGWU, HAIZHOU]})


def _rows(event, now=None):
    from yingji.disasters.deadlines import rows

    return {(r.division, r.stage): r for r in rows(event, now)}


def test_county_initial_report_two_hours_from_the_disaster(people, flood, file, clock):
    rows = _rows(flood)
    assert set(rows) == {(ZHANGWU, "initial"), (HAIZHOU, "initial")}
    assert rows[(ZHANGWU, "initial")].due == START + dt.timedelta(hours=2)
    assert rows[(ZHANGWU, "initial")].state == "running"
    assert rows[(ZHANGWU, "initial")].text == "灾害发生后2小时内"
    clock.move_to(START + dt.timedelta(hours=2))  # exactly at the due time: still on time
    assert _rows(flood)[(ZHANGWU, "initial")].state == "running"
    clock.move_to(START + dt.timedelta(hours=2, seconds=1))
    assert _rows(flood)[(ZHANGWU, "initial")].state == "overdue"
    file("zhangwu", flood, "initial", ZW_TOWN_A, report_at=START + dt.timedelta(minutes=90))
    file("haizhou", flood, "initial", HAIZHOU, report_at=START + dt.timedelta(hours=3))
    rows = _rows(flood)
    assert rows[(ZHANGWU, "initial")].state == "met"
    assert rows[(HAIZHOU, "initial")].state == "late"


def test_the_city_forwards_within_two_hours_of_the_first_county_report(people, flood, file, clock):
    file("zhangwu", flood, "initial", ZHANGWU, report_at=START + dt.timedelta(minutes=50), affected_population=10)
    row = _rows(flood)[(CITY, "initial")]
    assert row.due == START + dt.timedelta(minutes=170) and row.text == "收到下级报告后2小时内"
    assert row.state == "running"
    file("city", flood, "initial", CITY, report_at=START + dt.timedelta(minutes=55), affected_population=10)
    assert _rows(flood)[(CITY, "initial")].state == "met"


def test_an_officers_report_meets_the_county_limit_only_once_accepted(people, flood, file, clock, make_user):
    from yingji.disasters.services import review_report

    officer = make_user("officer_dl", "info_officer", "210922100201")
    report = file(officer, flood, "initial", "210922100201", report_at=START + dt.timedelta(minutes=30))
    assert _rows(flood)[(ZHANGWU, "initial")].done is None
    clock.move_to(START + dt.timedelta(hours=3))
    review_report(people["zhangwu"], report, {}, "")
    row = _rows(flood)[(ZHANGWU, "initial")]
    assert row.done == START + dt.timedelta(hours=3) and row.state == "late"


def test_final_reports_in_working_days(people, flood, file, clock):
    from yingji.disasters.services import mark_stabilised

    file("zhangwu", flood, "initial", ZHANGWU)
    file("haizhou", flood, "initial", HAIZHOU)
    file("city", flood, "initial", CITY)
    stabilised = dt.datetime(2025, 8, 1, 15, 0, tzinfo=BEIJING)  # a Friday
    clock.move_to(stabilised)
    event = mark_stabilised(people["city"], flood, stabilised)
    rows = _rows(event)
    assert rows[(ZHANGWU, "final")].due == dt.datetime(2025, 8, 6, 0, 0, tzinfo=BEIJING)  # end of Tuesday
    assert (CITY, "final") not in rows  # the city's clock starts with the last county 核报
    file("zhangwu", event, "final", ZHANGWU, report_at=dt.datetime(2025, 8, 4, 9, 0, tzinfo=BEIJING))
    assert (CITY, "final") not in _rows(event)
    file("haizhou", event, "final", HAIZHOU, report_at=dt.datetime(2025, 8, 6, 0, 0, tzinfo=BEIJING))
    rows = _rows(event, dt.datetime(2025, 8, 6, 1, 0, tzinfo=BEIJING))
    assert rows[(HAIZHOU, "final")].state_at(dt.datetime(2025, 8, 7, tzinfo=BEIJING)) == "met"  # at due: on time
    city = rows[(CITY, "final")]
    assert city.due == dt.datetime(2025, 8, 12, 0, 0, tzinfo=BEIJING)  # 3 working days after Wednesday 00:00
    assert city.text == "收到下级报告后3个工作日内"


def test_daily_zero_reports_while_zero_reporting_runs(people, file, clock):
    from yingji.disasters.services import create_event, mark_stabilised

    event = create_event(people["city"], {
        "title": "重大洪涝", "hazard_type": "flood", "start_at": START, "division_code": CITY,
        "affected_codes": [ZHANGWU], "daily_reporting": True})
    clock.move_to(dt.datetime(2025, 7, 30, 9, 30, tzinfo=BEIJING))
    daily = sorted((r for r in _rows_list(event) if r.stage == "daily"), key=lambda r: (r.due, r.division))
    # 07-29 and 07-30 (and 07-31, not yet due), for the county at 09:00 and the city at 10:00
    assert [(timezone.localtime(r.due, BEIJING).strftime("%m-%d %H:%M"), r.division) for r in daily] == [
        ("07-29 09:00", ZHANGWU), ("07-29 10:00", CITY), ("07-30 09:00", ZHANGWU), ("07-30 10:00", CITY),
        ("07-31 09:00", ZHANGWU), ("07-31 10:00", CITY)]
    assert [r.state for r in daily[:4]] == ["overdue", "overdue", "overdue", "running"]
    file("zhangwu", event, "initial", ZW_TOWN_A, report_at=dt.datetime(2025, 7, 29, 8, 0, tzinfo=BEIJING))
    file("zhangwu", event, "update", ZW_TOWN_A, report_at=dt.datetime(2025, 7, 30, 9, 20, tzinfo=BEIJING))
    daily = sorted((r for r in _rows_list(event) if r.stage == "daily" and r.division == ZHANGWU), key=lambda r: r.due)
    assert [r.state for r in daily] == ["met", "late", "running"]
    clock.move_to(dt.datetime(2025, 7, 31, 8, 0, tzinfo=BEIJING))
    mark_stabilised(people["city"], event, dt.datetime(2025, 7, 30, 23, 0, tzinfo=BEIJING))
    event.refresh_from_db()
    assert max(r.due for r in _rows_list(event) if r.stage == "daily").date() == dt.date(2025, 7, 30)


def _rows_list(event):
    from yingji.disasters.deadlines import rows

    return rows(event)


def test_overdue_reports_on_the_home_page_and_the_duty_board(people, flood, clock):
    clock.move_to(START + dt.timedelta(hours=5))
    client = Client()
    assert client.login(username=people["zhangwu"].username, password=PASSWORD)
    html = client.get("/").content.decode()
    assert "灾情报告超时" in html and "彰武县初报" in html and "海州区初报" not in html
    board = client.get("/incidents/").content.decode()
    assert 'data-testid="other-deadline"' in board and "县级初报" in board and "已超时" in board
    assert "彰武县" in board and "海州区" not in board
    page = client.get(f"/disasters/{flood.pk}/").content.decode()
    assert "已超时" in page and "灾害发生后2小时内" in page


def test_reminder_then_overdue_alert_once_each(people, flood, clock, django_capture_on_commit_callbacks):
    from yingji.disasters.deadlines import check_deadlines
    from yingji.live.models import LiveEvent

    with django_capture_on_commit_callbacks(execute=True):
        clock.move_to(START + dt.timedelta(minutes=80))
        assert check_deadlines() == 0  # 40 minutes left: nothing yet
        clock.move_to(START + dt.timedelta(minutes=95))
        assert check_deadlines() == 2 and check_deadlines() == 0  # one reminder per county
        clock.move_to(START + dt.timedelta(hours=2, minutes=1))
        assert check_deadlines() == 2 and check_deadlines() == 0
    events = list(LiveEvent.objects.filter(channel="deadlines").order_by("id"))
    assert [e.kind for e in events] == ["reminder", "reminder", "overdue", "overdue"]
    assert events[2].data["sound"] is True and "【超时】测试洪涝过程" in events[2].data["text"]
    assert {e.division_code for e in events} == {ZHANGWU, HAIZHOU}
