"""Rosters with three tiers, month calendar, swaps with approval, handover acknowledgement,
daily/zero reports, the on-duty widget on every page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import CITY, ZHANGWU
from tests.duty.conftest import DUTY_NOW
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.duty import services
from yingji.duty.models import DutyRoster, DutyShift


@pytest.fixture
def roster(duty_units, make_user):
    admin = make_user("zw_admin", "county_admin", ZHANGWU)
    from yingji.core.records import create_record

    month = timezone.localdate().replace(day=1)
    roster = create_record(admin, DutyRoster, {"organisation": duty_units["zhangwu"], "month": month})
    services.fill_month(admin, roster, {"leader": [("张局长", "139")], "chief": [("李科长", "138"), ("王科长", "137")],
                                        "officer": [("赵值班", "136"), ("钱值班", "135"), ("孙值班", "134")]})
    return roster


def test_month_is_filled_with_three_tiers_and_shown_as_a_calendar(roster):
    import calendar

    days = calendar.monthrange(roster.month.year, roster.month.month)[1]
    assert roster.shifts.count() == 3 * days
    weeks = services.month_calendar(roster)
    cells = [c for week in weeks for c in week if c]
    assert len(cells) == days
    assert [s.tier for s in cells[0]["shifts"]] == ["leader", "chief", "officer"]


def test_on_duty_now_lists_three_tiers(roster, duty_units):
    now = timezone.now()
    names = [s["tier_label"] for s in services.on_duty_summary(duty_units["zhangwu"], now)]
    assert names == ["带班领导", "值班长（值班科长）", "值班员"]


def test_nobody_is_on_duty_before_the_first_shift_of_the_month(duty_units, make_user, fixed_clock):
    fixed_clock.move_to(DUTY_NOW.replace(day=1, hour=8, minute=0))
    admin = make_user("zw_admin", "county_admin", ZHANGWU)
    from yingji.core.records import create_record

    month = DUTY_NOW.date().replace(day=1)
    roster = create_record(admin, DutyRoster, {"organisation": duty_units["zhangwu"], "month": month})
    services.fill_month(admin, roster, {"leader": [("张局长", "139")], "chief": [("李科长", "138")],
                                        "officer": [("赵值班", "136")]})
    assert services.on_duty_summary(duty_units["zhangwu"], timezone.now()) == []
    fixed_clock.move_to(DUTY_NOW.replace(day=1, hour=8, minute=31))
    assert len(services.on_duty_summary(duty_units["zhangwu"], timezone.now())) == 3


def test_overlapping_shift_in_the_same_tier_is_refused(roster, make_user):
    from yingji.core.records import create_record

    officer = make_user("zw_duty", "duty_officer", ZHANGWU)
    existing = roster.shifts.filter(tier="officer").first()
    with pytest.raises(ValidationFailed, match=r"输入有误：与已有班次重叠") as exc:
        create_record(officer, DutyShift, {"roster": roster, "tier": "officer", "person_name": "重复",
                                           "starts_at": existing.starts_at + dt.timedelta(hours=2),
                                           "ends_at": existing.ends_at + dt.timedelta(hours=2)})
    assert "重叠" in exc.value.message


def test_swap_needs_approval_by_someone_else(roster, make_user):
    officer = make_user("zw_duty", "duty_officer", ZHANGWU)
    leader = make_user("zw_lead", "commander", ZHANGWU)
    shift = roster.shifts.filter(tier="officer", ends_at__gt=timezone.now()).order_by("starts_at").last()
    swap = services.request_swap(officer, shift, "周替班", "家中有事", "133")
    shift.refresh_from_db()
    assert shift.person_name != "周替班"  # nothing changes until approved
    with pytest.raises(Forbidden, match=r"调班须由带班领导或管理员审批"):
        services.decide_swap(officer, swap, True)
    services.decide_swap(leader, swap, True, "同意")
    shift.refresh_from_db()
    assert shift.person_name == "周替班" and shift.phone == "133"
    with pytest.raises(Conflict, match=r"该调班申请已.*不能重复审批"):
        services.decide_swap(leader, swap, False)


def test_handover_must_be_acknowledged_by_the_incoming_shift(duty_units, make_user):
    outgoing = make_user("zw_a", "duty_officer", ZHANGWU)
    incoming = make_user("zw_b", "duty_officer", ZHANGWU)
    handover = services.create_handover(outgoing, duty_units["zhangwu"], {
        "outgoing_name": "赵值班", "incoming_name": "钱值班", "summary": "夜间接报1起，已续报", "pending_items": "等待终报"})
    with pytest.raises(Forbidden, match=r"交接班记录须由接班人员确认，交班人不能自行确认"):
        services.acknowledge_handover(outgoing, handover)
    done = services.acknowledge_handover(incoming, handover, "已接班")
    assert done.acknowledged_by == incoming and done.acknowledged_at is not None
    with pytest.raises(Conflict, match=r"该交接班记录已于 .+ 确认"):
        services.acknowledge_handover(incoming, handover)


def test_zero_report_rules(duty_units, make_user):
    officer = make_user("zw_duty", "duty_officer", ZHANGWU)
    with pytest.raises(ValidationFailed, match=r"零报告的突发事件数应为0"):
        services.submit_daily_report(officer, duty_units["zhangwu"], timezone.localdate(), is_zero=True,
                                     incident_count=2)
    with pytest.raises(ValidationFailed, match=r"不能报送未来日期的值班日报"):
        services.submit_daily_report(officer, duty_units["zhangwu"], timezone.localdate() + dt.timedelta(days=1),
                                     is_zero=True)
    with pytest.raises(Forbidden, match=r"“海州区应急管理局”不在您的管辖范围内"):
        services.submit_daily_report(officer, duty_units["haizhou"], timezone.localdate(), is_zero=True)


def test_every_page_shows_who_is_on_duty(roster, make_user):
    now = timezone.now()
    assert roster.shifts.filter(starts_at__lte=now, ends_at__gt=now).exists()
    client = Client()
    client.force_login(make_user("zw_view", "readonly", ZHANGWU))
    body = client.get("/").content.decode()
    assert 'data-testid="on-duty"' in body and "带班" in body and "张局长" in body


def test_calendar_page_shows_the_month_and_a_swap_can_be_requested(roster, make_user):
    officer = make_user("zw_duty", "duty_officer", ZHANGWU)
    client = Client()
    client.force_login(officer)
    body = client.get("/duty/").content.decode()
    assert 'data-testid="duty-calendar"' in body and "张局长" in body and "赵值班" in body
    shift = roster.shifts.filter(tier="officer", ends_at__gt=timezone.now()).order_by("starts_at").last()
    response = client.post(f"/duty/shifts/{shift.pk}/swap/", {"replacement_name": "周替班", "reason": "培训"})
    assert response.status_code == 302
    assert shift.swaps.get().status == "pending"
    assert "周替班" in client.get("/duty/").content.decode()


def test_shift_list_names_each_roster_in_its_filter_without_a_query_per_roster(duty_units, make_user):
    """The 值班表 filter of the shift list names each roster by its unit and month; the page's
    queries do not grow with the rosters offered (each name read its unit by a query of its own)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from yingji.core.records import create_record

    admin = make_user("city_admin_r", "city_admin", CITY)
    month = timezone.localdate().replace(day=1)

    def page() -> tuple[str, int]:
        client = Client()
        client.force_login(admin)
        client.get("/r/duty-shifts/")  # the session and the menus read once
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/r/duty-shifts/").content.decode()
        return html, len(queries)

    for unit in ("city", "zhangwu"):
        roster = create_record(admin, DutyRoster, {"organisation": duty_units[unit], "month": month})
        services.fill_month(admin, roster, {"officer": [("赵值班", "136")]})
    _, few = page()
    for unit in ("haizhou", "police"):
        roster = create_record(admin, DutyRoster, {"organisation": duty_units[unit], "month": month})
        services.fill_month(admin, roster, {"officer": [("钱值班", "135")]})
    html, more = page()
    assert f"阜新市公安局 {month:%Y年%m月}值班表" in html and f"海州区应急管理局 {month:%Y年%m月}值班表" in html
    assert more == few
