"""Volunteers: self-registration from the portal, confirmation, call-ups for an incident or a
drill with accept/decline, check-in and check-out, and the hours served."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.conftest import HAIZHOU, ZHANGWU
from yingji.core.errors import Conflict, Forbidden, ValidationFailed


def _volunteer(user, name, skills, division=ZHANGWU, state="active"):
    from yingji.core import records
    from yingji.social.models import Volunteer

    return records.create_record(user, Volunteer, {"name": name, "phone": f"1370418{abs(hash(name)) % 10000:04d}",
                                                   "skills": skills, "division_code": division}, server={"state": state})


@pytest.fixture
def callup(people):
    from yingji.core import records
    from yingji.social.models import Callup

    return records.create_record(people["zhangwu"], Callup, {
        "title": "巡堤查险", "purpose": "other", "meet_at": timezone.now(), "place": "河堤", "needed": 3, "skills": "搜救",
        "division_code": ZHANGWU})


def test_portal_registration_waits_for_confirmation_and_refuses_a_second_one(people, client):
    from yingji.audit.models import AuditEntry
    from yingji.social import volunteers
    from yingji.social.models import Volunteer

    page = client.post("/portal/volunteer/", {"name": "", "phone": "13704180001", "division_code": ZHANGWU})
    assert page.status_code == 400 and "请填写姓名" in page.content.decode() and "须同意" in page.content.decode()
    assert not Volunteer.objects.exists()
    done = client.post("/portal/volunteer/", {"name": "赵六", "phone": "13704180001", "division_code": ZHANGWU,
                                              "skills": ["医疗救护", "驾驶"], "availability": "weekend", "consent": "1"})
    assert done.status_code == 302
    v = Volunteer.objects.get()
    assert (v.state, v.source, v.skills, v.division_code) == ("pending", "portal", "医疗救护、驾驶", ZHANGWU)
    assert AuditEntry.objects.filter(model="social.Volunteer", object_id=str(v.pk), action="create", note="公众门户自助登记").exists()
    again = client.post("/portal/volunteer/", {"name": "赵六", "phone": "13704180001", "division_code": ZHANGWU, "consent": "1"})
    assert again.status_code == 409 and "已登记为志愿者" in again.content.decode()
    with pytest.raises(Forbidden):
        volunteers.confirm(people["haizhou"], v)
    assert volunteers.confirm(people["zhangwu"], v).state == "active"


def test_a_callup_for_an_incident_names_the_incident(people):
    from yingji.core import records
    from yingji.social.models import Callup

    with pytest.raises(ValidationFailed, match="突发事件召集须关联事件"):
        records.create_record(people["zhangwu"], Callup, {"title": "抢险", "purpose": "incident", "meet_at": timezone.now(),
                                                          "place": "镇政府", "needed": 2, "division_code": ZHANGWU})
    assert not Callup.objects.exists()


def test_invitation_answers_attendance_and_hours_served(people, callup):
    from yingji.social import volunteers
    from yingji.social.models import Volunteer

    a = _volunteer(people["zhangwu"], "甲", "搜救、驾驶")
    b = _volunteer(people["zhangwu"], "乙", "搜救")
    _volunteer(people["zhangwu"], "丙", "心理疏导")  # skills do not match
    _volunteer(people["zhangwu"], "丁", "搜救", state="pending")  # not confirmed
    _volunteer(people["city"], "戊", "搜救", division=HAIZHOU)  # another county
    rows = volunteers.invite(people["zhangwu"], callup)
    assert sorted(r.volunteer.name for r in rows) == ["乙", "甲"]
    with pytest.raises(ValidationFailed, match="没有可邀请的志愿者"):
        volunteers.invite(people["zhangwu"], callup)
    row_a = next(r for r in rows if r.volunteer == a)
    row_b = next(r for r in rows if r.volunteer == b)
    volunteers.answer(people["duty"], row_a, True)
    volunteers.answer(people["duty"], row_b, False)
    with pytest.raises(Conflict, match="未接受召集，不能签到"):
        volunteers.check_in(people["duty"], row_b)
    start = timezone.now() - dt.timedelta(hours=5)
    row_a = volunteers.check_in(people["duty"], row_a, start)
    with pytest.raises(Conflict, match="已签到，不能再更改答复"):
        volunteers.answer(people["duty"], row_a, False)
    with pytest.raises(Conflict, match="已签到未签退"):
        volunteers.close(people["zhangwu"], callup)
    with pytest.raises(ValidationFailed, match="签退时间须晚于签到时间"):
        volunteers.check_out(people["duty"], row_a, start - dt.timedelta(minutes=1))
    row_a = volunteers.check_out(people["duty"], row_a, start + dt.timedelta(hours=4, minutes=35))
    assert row_a.hours == Decimal("4.5")
    assert Volunteer.objects.get(pk=a.pk).hours_served == Decimal("4.5")
    summary = volunteers.summary(callup)
    assert (summary["invited"], summary["accepted"], summary["declined"], summary["hours"]) == (2, 1, 1, Decimal("4.5"))
    assert volunteers.close(people["zhangwu"], callup).state == "closed"
    with pytest.raises(Conflict, match="召集已结束"):
        volunteers.answer(people["duty"], row_b, True)
    with pytest.raises(Forbidden):
        volunteers.check_in(people["viewer"], row_b)


def test_hours_accumulate_over_callups_and_the_page_shows_them(people, callup, client):
    from yingji.core import records
    from yingji.social import volunteers
    from yingji.social.models import Callup, Volunteer

    a = _volunteer(people["zhangwu"], "甲", "搜救")
    second = records.create_record(people["zhangwu"], Callup, {
        "title": "演练保障", "purpose": "other", "meet_at": timezone.now(), "place": "广场", "needed": 1,
        "division_code": ZHANGWU})
    base = timezone.now() - dt.timedelta(days=2)
    for n, c in enumerate((callup, second)):
        row = volunteers.invite(people["zhangwu"], c)[0]
        volunteers.answer(people["zhangwu"], row, True)
        volunteers.check_in(people["zhangwu"], row, base + dt.timedelta(days=n))
        volunteers.check_out(people["zhangwu"], row, base + dt.timedelta(days=n, hours=2, minutes=12))
    assert Volunteer.objects.get(pk=a.pk).hours_served == Decimal("4.4")
    client.force_login(people["zhangwu"])
    page = client.get(f"/social/callups/{callup.pk}/").content.decode()
    assert "累计服务 2.2 小时" in page and "甲" in page
    client.force_login(people["city"])
    assert client.get(f"/social/callups/{callup.pk}/").status_code == 200
    client.force_login(people["haizhou"])
    assert client.get(f"/social/callups/{callup.pk}/").status_code == 403
