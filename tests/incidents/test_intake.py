"""接报: one transaction, idempotent by client token, bad input refused with a clear message."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from yingji.audit.models import AuditEntry
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.incidents.models import Incident, IncidentDeadline, TimelineEntry
from yingji.incidents.services import take_call


def test_intake_records_incident_timeline_deadlines_and_audit(officers, intake_data):
    incident, created = take_call(officers["zhangwu"], intake_data())
    assert created
    assert incident.receiving_unit.name == "彰武县应急管理局"
    assert incident.state == "received"
    assert incident.grade_name == "一般事故"
    assert incident.division_code.startswith("210922")
    kinds = set(incident.deadlines.values_list("kind", flat=True))
    # Fuxin: phone 20 min + written 1 h from 接报; Decree 493: county → city within 2 h; 补报 window.
    assert {"phone_report", "written_report", "upward_report", "casualty_supplement"} <= kinds
    phone = incident.deadlines.get(kind="phone_report")
    assert phone.due_at == incident.received_at + dt.timedelta(minutes=20)
    assert TimelineEntry.objects.filter(incident=incident, kind="intake").count() == 1
    assert AuditEntry.objects.filter(model="incidents.Incident", object_id=str(incident.pk), action="create").exists()


def test_same_client_token_twice_creates_one_incident(officers, intake_data):
    data = intake_data()
    first, created_first = take_call(officers["zhangwu"], data)
    second, created_second = take_call(officers["zhangwu"], dict(data))
    assert (created_first, created_second) == (True, False)
    assert first.pk == second.pk
    assert Incident.objects.count() == 1
    assert IncidentDeadline.objects.filter(incident=first, kind="phone_report").count() == 1


def test_intake_without_token_is_refused(officers, intake_data):
    with pytest.raises(ValidationFailed, match=r"缺少或无效的提交令牌 client_token") as exc:
        take_call(officers["zhangwu"], intake_data(client_token=""))
    assert "client_token" in exc.value.fields


@pytest.mark.parametrize("field", ["deaths", "missing", "serious_injuries", "injuries", "trapped", "direct_loss_yuan"])
def test_negative_counts_are_refused_and_nothing_written(officers, intake_data, field):
    with pytest.raises(ValidationFailed, match="不能为负数") as exc:
        take_call(officers["zhangwu"], intake_data(**{field: -1}))
    assert "不能为负数" in exc.value.message
    assert field in exc.value.fields
    assert Incident.objects.count() == 0 and TimelineEntry.objects.count() == 0


def test_receipt_before_occurrence_and_future_times_are_refused(officers, intake_data):
    now = timezone.now()
    with pytest.raises(ValidationFailed, match=r"时间有误：接报时间不能早于事发时间") as exc:
        take_call(officers["zhangwu"], intake_data(occurred_at=now, received_at=now - dt.timedelta(hours=1)))
    assert "接报时间不能早于事发时间" in exc.value.message
    with pytest.raises(ValidationFailed, match=r"时间有误：接报时间晚于当前时间，请检查是否填错") as exc:
        take_call(officers["zhangwu"], intake_data(received_at=now + dt.timedelta(days=1)))
    assert "晚于当前时间" in exc.value.message
    assert Incident.objects.count() == 0


def test_point_outside_the_division_is_refused(officers, intake_data):
    from tests.conftest import HAIZHOU_POINT

    with pytest.raises(ValidationFailed, match=r"位于海州区，不在所属区划彰武县范围内") as exc:
        take_call(officers["zhangwu"], intake_data(lon=HAIZHOU_POINT[0], lat=HAIZHOU_POINT[1]))
    assert "不在所属区划" in exc.value.message
    assert Incident.objects.count() == 0


def test_county_cannot_take_a_call_for_another_county(officers, intake_data):
    from tests.conftest import HAIZHOU

    with pytest.raises(Forbidden, match=r"区划 210902 不在您的管辖范围内"):
        take_call(officers["zhangwu"], intake_data(division_code=HAIZHOU, lon=None, lat=None))


def test_readonly_user_cannot_take_calls(units, make_user, intake_data):
    viewer = make_user("viewer", "readonly")
    with pytest.raises(Forbidden, match=r"您的角色（只读）无权修改突发事件"):
        take_call(viewer, intake_data())


def test_division_is_derived_from_the_map_point(officers, intake_data):
    incident, _ = take_call(officers["zhangwu"], intake_data(division_code=""))
    assert incident.division_code.startswith("210922")


def test_token_reused_by_a_user_of_another_region_is_refused(officers, intake_data):
    data = intake_data()
    take_call(officers["zhangwu"], data)
    with pytest.raises(Forbidden, match=r"“彰武县某化工企业储罐泄漏起火”不在您的管辖范围"):
        take_call(officers["haizhou"], dict(data))


def test_city_intake_with_its_own_code_prefilled_files_the_incident_in_the_clicked_county(officers, intake_data):
    """The form pre-fills the officer's own (city) code; the point clicked in 彰武县 decides the
    county (issue 14: an incident in 彰武县 was stored as 210900000000)."""
    from tests.conftest import CITY

    incident, _ = take_call(officers["city"], intake_data(division_code=CITY))
    assert incident.division_code == "210922000000"
    # An explicit county choice that agrees with the point is kept as chosen.
    same, _ = take_call(officers["city"], intake_data(division_code="210922"))
    assert same.division_code == "210922000000"
