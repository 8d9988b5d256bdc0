"""Inspections: the two-inspector rule, the on-site record, findings that become hidden hazards
with the ordered deadline, the enterprise's rectification in the hazards loop, and the 复查."""

from __future__ import annotations

import datetime as dt

import pytest

from yingji.core.errors import ServiceError
from yingji.enforcement import inspections as service
from yingji.enforcement.models import CaseDocument, Inspection
from yingji.hazards import loop
from yingji.hazards.models import HiddenHazard

from .conftest import inspected


def test_an_inspection_needs_two_different_certified_inspectors(clock, staff, enterprises, inspectors):
    user = staff["supervisor"]
    base = {"enterprise": enterprises[0], "planned_on": "2026-06-03"}
    with pytest.raises(ServiceError, match="两名以上持证执法人员"):
        service.schedule(user, {**base, "inspector_a": inspectors[0], "inspector_b": inspectors[0]})
    with pytest.raises(ServiceError, match="赵执法的执法证（21090003）在 2026-06-03 已失效"):
        service.schedule(user, {**base, "inspector_a": inspectors[0], "inspector_b": inspectors[2]})
    assert Inspection.objects.count() == 0
    ok = service.schedule(user, {**base, "inspector_a": inspectors[0], "inspector_b": inspectors[1]})
    assert ok.state == "planned" and ok.division_code == enterprises[0].division_code


def test_the_record_is_refused_when_a_certificate_lapsed_before_the_inspection_day(clock, staff, enterprises, inspectors):
    inspectors[1].valid_until = dt.date(2026, 5, 10)
    inspectors[1].save()
    inspection = Inspection.objects.create(enterprise=enterprises[0], planned_on=dt.date(2026, 5, 1),
                                           inspector_a=inspectors[0], inspector_b=inspectors[1],
                                           division_code=enterprises[0].division_code)
    with pytest.raises(ServiceError, match="李执法的执法证.*2026-05-20 已失效"):
        service.record_on_site(staff["supervisor"], inspection.pk, {"inspected_on": "2026-05-20", "summary": "检查",
                                                                    "signed_by": "张厂长"})
    inspection.refresh_from_db()
    assert inspection.state == "planned" and inspection.version == 1


def test_the_record_needs_the_enterprise_signature_or_the_refusal_noted(clock, staff, enterprises, inspectors):
    inspection = service.schedule(staff["supervisor"], {"enterprise": enterprises[0], "inspector_a": inspectors[0],
                                                        "inspector_b": inspectors[1], "planned_on": "2026-05-20"})
    with pytest.raises(ServiceError, match="须有被检查单位负责人签字"):
        service.record_on_site(staff["supervisor"], inspection.pk, {"inspected_on": "2026-05-20", "summary": "检查"})
    done = service.record_on_site(staff["supervisor"], inspection.pk, {
        "inspected_on": "2026-05-20", "summary": "检查", "refusal_note": "负责人拒绝签字，已录像"})
    assert done.signed_by == "拒绝签字：负责人拒绝签字，已录像"
    assert CaseDocument.objects.filter(inspection=done, kind="inspection_record").count() == 1


def test_findings_become_hidden_hazards_with_the_ordered_deadline_and_the_review_closes_them(
        clock, staff, enterprises, inspectors):
    supervisor, company = staff["supervisor"], staff["enterprise"]
    inspection = inspected(supervisor, enterprises[0], inspectors)
    ordered = service.order_rectification(supervisor, inspection.pk, {"deadline": "2026-06-20"})
    assert ordered.state == "ordered" and ordered.order_number.endswith("应急责改〔2026〕1号")
    assert ordered.review_due_on() == dt.date(2026, 6, 30)
    (hazard,) = service.linked_hazards(ordered)
    assert (hazard.state, hazard.grade, hazard.source, hazard.deadline) == (
        "confirmed", "general", "inspection", dt.date(2026, 6, 20))
    assert hazard.enterprise == enterprises[0]
    # The review cannot pass while the enterprise has not rectified.
    with pytest.raises(ServiceError, match="仍有隐患未完成整改"):
        service.review(supervisor, inspection.pk, True, "")
    loop.transition(company, hazard.pk, "start_rectification", {
        "measures": "送检报警器并更换失效探头", "responsible_person": "设备科刘工", "deadline": "2026-06-15"})
    loop.transition(company, hazard.pk, "request_review", {"note": "已整改"})
    clock.move_to(dt.datetime(2026, 6, 16, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))))
    reviewed = service.review(supervisor, inspection.pk, True, "报警器已检定，合格", "2026-06-16")
    assert reviewed.state == "closed" and reviewed.reviewed_on == dt.date(2026, 6, 16)
    hazard.refresh_from_db()
    assert hazard.state == "closed" and hazard.closed_at is not None
    kinds = list(CaseDocument.objects.filter(inspection=inspection).values_list("kind", flat=True))
    assert kinds == ["inspection_record", "rectification_order", "review_opinion"]


def test_a_failed_review_sends_the_hazard_back_to_the_enterprise(clock, staff, enterprises, inspectors):
    supervisor, company = staff["supervisor"], staff["enterprise"]
    inspection = inspected(supervisor, enterprises[0], inspectors)
    service.order_rectification(supervisor, inspection.pk, {"deadline": "2026-06-20"})
    hazard = HiddenHazard.objects.get(source="inspection")
    loop.transition(company, hazard.pk, "start_rectification", {
        "measures": "更换探头", "responsible_person": "刘工", "deadline": "2026-06-15"})
    loop.transition(company, hazard.pk, "request_review", {})
    with pytest.raises(ServiceError, match="请填写复查未通过的理由"):
        service.review(supervisor, inspection.pk, False, "")
    failed = service.review(supervisor, inspection.pk, False, "2号探头仍未检定")
    hazard.refresh_from_db()
    assert failed.state == "review_failed" and hazard.state == "review_failed"
    assert hazard.last_reason == "2号探头仍未检定"


def test_an_order_needs_findings_and_a_deadline_after_the_inspection(clock, staff, enterprises, inspectors):
    supervisor = staff["supervisor"]
    empty = inspected(supervisor, enterprises[0], inspectors, findings=())
    with pytest.raises(ServiceError, match="没有检查发现的问题"):
        service.order_rectification(supervisor, empty.pk, {"deadline": "2026-06-20"})
    assert service.finish_without_findings(supervisor, empty.pk).state == "no_findings"
    found = inspected(supervisor, enterprises[0], inspectors)
    with pytest.raises(ServiceError, match="整改期限须晚于检查日期"):
        service.order_rectification(supervisor, found.pk, {"deadline": "2026-05-19"})
    with pytest.raises(ServiceError, match="已登记检查发现的问题，须下达整改指令"):
        service.finish_without_findings(supervisor, found.pk)
    assert HiddenHazard.objects.count() == 0


def test_roles_without_the_capability_and_other_counties_are_refused(clock, staff, enterprises, inspectors,
                                                                       make_user):
    inspection = inspected(staff["supervisor"], enterprises[0], inspectors)
    with pytest.raises(ServiceError, match="角色无权"):
        service.order_rectification(staff["viewer"], inspection.pk, {"deadline": "2026-06-20"})
    other = make_user("hz_supervisor", "supervisor", "210902000000")
    with pytest.raises(ServiceError, match="不在您的管辖范围内"):
        service.order_rectification(other, inspection.pk, {"deadline": "2026-06-20"})
    assert Inspection.objects.get(pk=inspection.pk).state == "recorded"
