"""Escalation from 彰武县 to the city duty room, receipts, deadlines and overdue alerts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from tests.incidents.conftest import ART12
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.incidents import deadline_service
from yingji.incidents.models import IncidentDeadline, ReportReceipt, TimelineEntry
from yingji.incidents.services import acknowledge_receipt, escalate, file_report, forward, log_entry
from yingji.live.models import LiveEvent


def first_report(user, incident, upward=False, **figures):
    return file_report(user, incident, "first", {**ART12, "issuer": "李局长", **figures}, submit_upward=upward)


def commit_hooks(django_capture_on_commit_callbacks):
    return django_capture_on_commit_callbacks(execute=True)


def test_escalation_arrives_live_at_the_city_and_starts_its_clock(officers, units, incident,
                                                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = first_report(officers["zhangwu"], incident, upward=False, deaths=3)
        receipt = escalate(officers["zhangwu"], report)
    assert receipt.receiving_unit == units["city"]
    assert receipt.division_code == "210900000000"
    event = LiveEvent.objects.filter(channel="incidents", kind="escalated").get()
    assert event.division_code == "210900000000"  # visible to the city, not to 海州区
    assert event.data["sound"] is True and "彰武县应急管理局" in event.data["text"]
    # The county's written report and upward report are done at the moment of sending.
    county = {d.kind: d for d in incident.deadlines.filter(unit=units["zhangwu"])}
    assert county["written_report"].status == "done" and county["upward_report"].status == "done"
    # The city's own per-level deadline (较大事故 must go on to the province) runs from receipt.
    city = incident.deadlines.get(unit=units["city"], kind="upward_report")
    assert city.starts_at == receipt.received_at
    assert city.due_at == receipt.received_at + dt.timedelta(hours=2)
    assert not incident.deadlines.filter(unit=units["city"], kind="phone_report").exists()


def test_general_accident_stops_at_the_city(officers, units, incident):
    first_report(officers["zhangwu"], incident, upward=True)  # 一般事故: 第十条 — up to the city only
    assert not incident.deadlines.filter(unit=units["city"]).exists()
    assert incident.receipts.get().receiving_unit == units["city"]


def test_city_acknowledges_and_the_county_sees_who_and_when(officers, units, incident,
                                                            django_capture_on_commit_callbacks):
    report = first_report(officers["zhangwu"], incident, upward=True)
    receipt = report.receipts.get()
    with pytest.raises(Forbidden, match=r"首报 → 阜新市应急管理局”不在您的管辖范围内（210922）"):
        acknowledge_receipt(officers["zhangwu"], receipt)  # only the receiving duty room signs
    with pytest.raises(Forbidden, match=r"首报 → 阜新市应急管理局”不在您的管辖范围内（210902）"):
        acknowledge_receipt(officers["haizhou"], receipt)
    with django_capture_on_commit_callbacks(execute=True):
        done = acknowledge_receipt(officers["city"], receipt)
    assert done.acknowledged_by == officers["city"] and done.acknowledged_at >= done.received_at
    assert LiveEvent.objects.get(kind="acknowledged").division_code == "210922000000"
    with pytest.raises(Conflict, match=r"该报告已由duty_city签收"):
        acknowledge_receipt(officers["city"], receipt)
    assert TimelineEntry.objects.filter(incident=incident, kind="receipt").count() == 1


def test_the_same_report_cannot_be_sent_up_twice(officers, incident):
    report = first_report(officers["zhangwu"], incident, upward=True)
    with pytest.raises(Conflict, match=r"该报告已报送阜新市应急管理局，不能重复报送"):
        escalate(officers["zhangwu"], report)
    assert ReportReceipt.objects.count() == 1


def test_city_has_no_parent_in_the_platform(officers, intake_data):
    from yingji.incidents.services import take_call

    incident, _ = take_call(officers["city"], intake_data())
    report = first_report(officers["city"], incident)
    # The city's filed 首报 is its written report; escalation beyond the platform is refused clearly.
    assert incident.deadlines.get(kind="written_report").status == "done"
    with pytest.raises(ValidationFailed, match=r"阜新市应急管理局在本平台没有上级值班室") as exc:
        escalate(officers["city"], report)
    assert "没有上级值班室" in exc.value.message


def test_forward_to_a_department(officers, units, incident):
    report = first_report(officers["zhangwu"], incident)
    receipt = forward(officers["zhangwu"], report, units["police"])
    assert receipt.route == "forward" and receipt.receiving_unit == units["police"]
    with pytest.raises(ValidationFailed, match=r"只能转送至部门或指挥部"):
        forward(officers["zhangwu"], report, units["haizhou"])


def test_phone_call_to_the_parent_completes_the_phone_report(officers, units, incident):
    log_entry(officers["zhangwu"], incident, "call", "已电话报告市局值班室（接电人：赵）", complete_phone_report=True)
    phone = incident.deadlines.get(unit=units["zhangwu"], kind="phone_report")
    assert phone.status == "done" and not phone.late


def test_overdue_is_alerted_once_with_sound(officers, units, incident, django_capture_on_commit_callbacks):
    phone = incident.deadlines.get(kind="phone_report")
    later = phone.due_at + dt.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert deadline_service.check_overdue(phone.due_at) == 0  # exactly at due time is on time
        alerted = deadline_service.check_overdue(later)
        again = deadline_service.check_overdue(later + dt.timedelta(minutes=5))
    assert alerted == 1 and again == 0
    event = LiveEvent.objects.get(channel="deadlines", kind="overdue")
    assert event.data["sound"] is True and "电话报告" in event.data["text"]
    assert event.division_code == units["zhangwu"].division_code
    assert TimelineEntry.objects.filter(incident=incident, kind="overdue").count() == 1


def test_late_report_counts_in_the_monthly_statistics(officers, units, intake_data):
    from yingji.incidents.services import take_call

    now = timezone.now()
    incident, _ = take_call(officers["zhangwu"], intake_data(received_at=now - dt.timedelta(hours=2),
                                                              occurred_at=now - dt.timedelta(hours=3)))
    written = incident.deadlines.get(kind="written_report")
    first_report(officers["zhangwu"], incident, upward=True)  # done after the due time: 迟报
    stats = deadline_service.overdue_statistics(IncidentDeadline.objects.all())
    row = next(r for r in stats if r["unit"] == "彰武县应急管理局")
    assert row["late"] == 2  # written report (1 h) and upward report (2 h) sent after their due times
    assert row["open_overdue"] == 1  # the 20-minute phone report was never recorded
    assert row["overdue_total"] == 3 and row["on_time"] == 0
    assert row["month"] == timezone.localtime(written.due_at).strftime("%Y-%m")


def test_grade_rising_adds_the_city_deadline_to_the_province(officers, units, incident):
    first_report(officers["zhangwu"], incident, upward=True)
    assert not incident.deadlines.filter(unit=units["city"], kind="upward_report").exists()
    file_report(officers["zhangwu"], incident, "follow_up", {**ART12, "issuer": "李局长", "deaths": 5})
    city = incident.deadlines.get(unit=units["city"], kind="upward_report")
    assert city.status == "pending"


def test_the_job_queue_checks_the_deadline_when_due(officers, incident, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    from yingji.jobs.models import TaskRun
    from yingji.jobs.services import run_pending

    runs = TaskRun.objects.filter(task_path=deadline_service.check_deadlines_job.module_path)
    assert runs.count() >= 2  # one per reporting deadline, each a task due just after it
    queued = DBTaskResult.objects.filter(id__in=list(runs.values_list("task_result_id", flat=True)), status="READY")
    assert queued.count() == runs.count() and all(r.run_after > timezone.now() for r in queued)
    IncidentDeadline.objects.filter(incident=incident, kind="phone_report").update(
        due_at=timezone.now() - dt.timedelta(seconds=1))
    queued.update(run_after=timezone.now())  # as if the time had come
    with django_capture_on_commit_callbacks(execute=True):
        run_pending()
    assert LiveEvent.objects.filter(channel="deadlines", kind="overdue").count() == 1


def test_the_page_offers_登记完成_only_for_the_users_own_deadlines(officers, units, incident):
    """The county saw 登记完成 beside the city's deadline of its escalated incident, and the server
    refused it (403): the page asks the same scope check the service does."""
    from django.test import Client

    report = first_report(officers["zhangwu"], incident, upward=False, deaths=3)
    escalate(officers["zhangwu"], report)
    city = incident.deadlines.get(unit=units["city"], kind="upward_report")
    own = incident.deadlines.filter(unit=units["zhangwu"], status="pending", window=False).first()
    action = f"/incidents/deadlines/{city.pk}/complete/"
    county, city_web = Client(), Client()
    county.force_login(officers["zhangwu"])
    city_web.force_login(officers["city"])
    page = county.get(f"/incidents/{incident.pk}/").content.decode()
    assert action not in page
    if own is not None:
        assert f"/incidents/deadlines/{own.pk}/complete/" in page
    assert county.post(action, {"note": "已电话报告"}).status_code == 403
    assert action in city_web.get(f"/incidents/{incident.pk}/").content.decode()
