"""Inspections: scheduling with two certified inspectors, the on-site record, findings that
become hidden hazards of the hazards loop, the 责令限期整改指令书 and the 复查 that closes the
loop. Every step goes through ``core.records`` (the state machine in ``rules.enforcement``)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import require
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.core.records import change, create_record, transition
from yingji.hazards import loop as hazard_loop
from yingji.hazards.models import HiddenHazard
from yingji.rules import enforcement as rules
from yingji.rules import hidden_hazard as hh
from yingji.core.records import audited_transaction

from . import documents
from .models import Finding, Inspection

INSPECTION_FIELDS = ("enterprise", "source", "planned_on", "inspector_a", "inspector_b", "checklist", "plan",
                     "is_synthetic")
# Hidden-hazard states in which the enterprise has finished and the bureau reviews.
AWAITING_REVIEW = frozenset({"pending_review", "resumption_requested", "review_passed", "closed"})


def parse_date(value, label: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationFailed(f"{label}“{value}”不是有效日期（格式：2026-05-31）", fields={field: ["日期无效"]}) from None


def _check_inspectors(inspection: Inspection, on: dt.date) -> list[str]:
    return rules.inspector_problems([i.fact() for i in inspection.inspectors()], on)


def schedule(user, data: dict) -> Inspection:
    """A single inspection outside the plan (complaint, assignment) or by hand."""
    require(user, "enforcement.inspect")
    data = {k: v for k, v in data.items() if k in INSPECTION_FIELDS and v not in (None, "")}
    for key in ("inspector_a", "inspector_b", "enterprise"):
        if key not in data:
            raise ValidationFailed("请选择被检查单位和两名执法人员", fields={key: ["必填"]})
    data["planned_on"] = parse_date(data.get("planned_on"), "计划检查日期", "planned_on") or timezone.localdate()
    inspection = Inspection(**{k: v for k, v in data.items() if k in ("inspector_a", "inspector_b")})
    problems = _check_inspectors(inspection, data["planned_on"])
    if problems:
        raise ValidationFailed("；".join(problems), code="inspectors", fields={"inspector_b": problems})
    return create_record(user, Inspection, data)


def _get(user, pk) -> Inspection:
    return scope.get_visible(Inspection.objects.select_related("enterprise", "inspector_a", "inspector_b"), pk, user,
                             "执法检查")


def record_on_site(user, inspection_id: int, data: dict, *, expected_version=None) -> Inspection:
    """现场检查记录: date, place, what was checked (checklist results), the enterprise's
    signature; the two inspectors must hold certificates valid on the inspection day."""
    inspection = _get(user, inspection_id)
    inspected_on = parse_date(data.get("inspected_on"), "检查日期", "inspected_on") or timezone.localdate()
    if inspected_on > timezone.localdate():
        raise ValidationFailed("检查日期不能晚于今天", fields={"inspected_on": ["晚于今天"]})
    items = data.get("items")
    if items is None and inspection.checklist_id:
        items = [{**row, "result": "符合"} for row in inspection.checklist.item_list()]
    signed = (data.get("signed_by") or "").strip()
    if not signed and (data.get("refusal_note") or "").strip():
        signed = f"拒绝签字：{data['refusal_note'].strip()}"
    summary = (data.get("summary") or "").strip()
    if not summary:
        raise ValidationFailed("请填写检查情况", fields={"summary": ["必填"]})
    with audited_transaction():
        done = transition(
            user, inspection, rules.INSPECTION_MACHINE, "record", expected_version=expected_version,
            context=lambda row: {"inspector_problems": _check_inspectors(row, inspected_on), "signed_by": signed},
            inspected_on=inspected_on, place=(data.get("place") or inspection.enterprise.address or "")[:200],
            summary=summary, items=items or [], signed_by=signed[:60])
        documents.archive(user, documents.inspection_record(done), inspection=done)
    return done


def add_finding(user, inspection_id: int, data: dict) -> Finding:
    inspection = _get(user, inspection_id)
    require(user, "enforcement.inspect")
    if inspection.state != "recorded":
        raise Conflict(f"检查状态为“{inspection.get_state_display()}”，只能在填写现场检查记录后、下达整改指令前登记问题")
    description = (data.get("description") or "").strip()
    if not description:
        raise ValidationFailed("请填写问题描述", fields={"description": ["必填"]})
    return create_record(user, Finding, {
        "inspection": inspection, "description": description, "clause": (data.get("clause") or "").strip(),
        "location_text": (data.get("location_text") or "").strip(), "grade": data.get("grade") or hh.GRADE_GENERAL,
    }, parent=inspection)


def order_rectification(user, inspection_id: int, data: dict, *, expected_version=None) -> Inspection:
    """责令限期整改指令书: each finding becomes a confirmed hidden hazard with the deadline."""
    inspection = _get(user, inspection_id)
    deadline = parse_date(data.get("deadline"), "整改期限", "deadline")
    if deadline is not None and inspection.inspected_on and deadline <= inspection.inspected_on:
        raise ValidationFailed("整改期限须晚于检查日期", fields={"deadline": ["早于检查日期"]})
    findings = list(inspection.findings.all())
    ordered_on = parse_date(data.get("ordered_on"), "下达日期", "ordered_on") or inspection.inspected_on or timezone.localdate()
    with audited_transaction():
        done = transition(
            user, inspection, rules.INSPECTION_MACHINE, "order", expected_version=expected_version,
            context={"findings": findings, "deadline": deadline},
            deadline=deadline, ordered_on=ordered_on, order_number=_order_number(inspection, ordered_on))
        for finding in findings:
            hazard = hazard_loop.register_inspection_finding(
                user, inspection.enterprise, title=finding.description.splitlines()[0][:60],
                description=finding.description, grade=finding.grade, deadline=deadline,
                discovered_on=inspection.inspected_on or ordered_on, clause=finding.clause,
                location_text=finding.location_text)
            change(user, finding, note=f"转为隐患（编号 {hazard.pk}）", hidden_hazard=hazard)
        documents.archive(user, documents.rectification_order(done), inspection=done)
    return done


def _order_number(inspection: Inspection, day: dt.date) -> str:
    serial = Inspection.objects.filter(division_code__startswith=inspection.division_code[:6],
                                       ordered_on__year=day.year).count() + 1
    return f"（{inspection.division_code[:6]}）应急责改〔{day.year}〕{serial}号"


def finish_without_findings(user, inspection_id: int, *, expected_version=None) -> Inspection:
    inspection = _get(user, inspection_id)
    return transition(user, inspection, rules.INSPECTION_MACHINE, "finish", expected_version=expected_version,
                      context={"findings": inspection.findings.exists()})


def linked_hazards(inspection: Inspection) -> list[HiddenHazard]:
    ids = [f.hidden_hazard_id for f in inspection.findings.all() if f.hidden_hazard_id]
    return list(HiddenHazard.objects.filter(pk__in=ids).order_by("pk"))


def review(user, inspection_id: int, passed: bool, opinion: str, reviewed_on=None, *,
           expected_version=None) -> Inspection:
    """复查 (整改复查意见书): the two inspectors check the rectification. Passing accepts and
    closes (销号) every linked hidden hazard; failing sends them back to the enterprise."""
    inspection = _get(user, inspection_id)
    opinion = (opinion or "").strip()
    day = parse_date(reviewed_on, "复查日期", "reviewed_on") or timezone.localdate()
    hazards = linked_hazards(inspection)
    waiting = [h for h in hazards if h.state not in AWAITING_REVIEW]
    action = "pass_review" if passed else "fail_review"
    with audited_transaction():
        done = transition(
            user, inspection, rules.INSPECTION_MACHINE, action, expected_version=expected_version,
            context=lambda row: {"inspector_problems": _check_inspectors(row, day), "reason": opinion,
                                 "all_rectified": not waiting or None},
            reviewed_on=day, review_opinion=opinion or ("复查合格" if passed else ""))
        for hazard in hazards:
            _review_hazard(user, hazard, passed, opinion)
        documents.archive(user, documents.review_opinion(done, hazards), inspection=done)
    return done


def _review_hazard(user, hazard: HiddenHazard, passed: bool, opinion: str) -> None:
    text = opinion or "执法复查合格"
    if passed:
        if hazard.state == "pending_review":
            hazard = hazard_loop.transition(user, hazard.pk, "pass_review", {"opinion": text})
        elif hazard.state == "resumption_requested":
            hazard = hazard_loop.transition(user, hazard.pk, "approve_resumption", {"opinion": text})
        if hazard.state == "review_passed":
            hazard_loop.transition(user, hazard.pk, "close", {"opinion": text})
    elif hazard.state == "pending_review":
        hazard_loop.transition(user, hazard.pk, "fail_review", {"reason": opinion})
    elif hazard.state == "resumption_requested":
        hazard_loop.transition(user, hazard.pk, "refuse_resumption", {"reason": opinion})


def get_inspection(user, pk) -> Inspection:
    inspection = _get(user, pk)
    if inspection is None:
        raise NotFound("执法检查不存在")
    return inspection
