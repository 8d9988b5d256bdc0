"""API: /api/v1/enforcement/ — inspections and cases with their steps and procedure clocks
(registries add /api/v1/inspectors/ and /api/v1/supervision-grades/). Errors in the one shape:
400 invalid input or a refused step, 403 role or scope, 404, 409 stale version or wrong state."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from django.utils import timezone
from ninja import Router, Schema

from yingji.core.api_schemas import errors, page_of
from yingji.core.errors import ValidationFailed
from yingji.core.pagination import paginate
from yingji.rules import enforcement as rules

from . import cases, inspections, selectors

ERRORS = errors(400, 403, 404, 409)


class EnforcementInspectionOut(Schema):
    id: int
    enterprise_id: int
    source: str
    planned_on: dt.date
    inspector_a_id: int
    inspector_b_id: int
    state: str
    inspected_on: Optional[dt.date]
    summary: str
    signed_by: str
    order_number: str
    deadline: Optional[dt.date]
    reviewed_on: Optional[dt.date]
    review_opinion: str
    hidden_hazard_ids: list[int]
    version: int

    @staticmethod
    def resolve_hidden_hazard_ids(obj):
        return [f.hidden_hazard_id for f in obj.findings.all() if f.hidden_hazard_id]


EnforcementInspectionList = page_of(EnforcementInspectionOut, "EnforcementInspectionList")


class EnforcementInspectionStepIn(Schema):
    action: str  # record, finding, order, finish, pass_review, fail_review
    version: Optional[int] = None
    fields: dict[str, str] = {}


class EnforcementClockOut(Schema):
    kind: str
    label: str
    due_on: dt.date
    done_on: Optional[dt.date]
    state: str
    working_days: bool
    source: str


class EnforcementCaseOut(Schema):
    id: int
    number: str
    enterprise_id: int
    inspection_id: Optional[int]
    cause: str
    state: str
    filed_on: dt.date
    facts: str
    penalty: str
    fine_yuan: Optional[Decimal]
    needs_law_review: bool
    law_review_result: str
    notified_on: Optional[dt.date]
    decision_number: str
    decided_on: Optional[dt.date]
    served_on: Optional[dt.date]
    published_on: Optional[dt.date]
    closed_on: Optional[dt.date]
    clocks: list[EnforcementClockOut]
    version: int

    @staticmethod
    def resolve_clocks(obj):
        today = timezone.localdate()
        return [{"kind": c.kind, "label": c.label, "due_on": c.due_on, "done_on": c.done_on, "state": c.state(today),
                 "working_days": c.working_days, "source": c.source} for c in obj.clocks()]


EnforcementCaseList = page_of(EnforcementCaseOut, "EnforcementCaseList")


class EnforcementCaseStepIn(Schema):
    action: str  # a step of the case machine, or law_review, waive, hearing_held, publish
    version: Optional[int] = None
    fields: dict[str, str] = {}


def enforcement_router() -> Router:
    router = Router(tags=["监管执法"])

    @router.get("/inspections/", response={200: EnforcementInspectionList}, summary="执法检查（本人管辖范围）")
    def list_inspections(request, state: str = "", source: str = "", page: int = 1, page_size: int = 50):
        return paginate(request, selectors.inspections(request.auth, state, source))

    @router.get("/inspections/{int:pk}", response={200: EnforcementInspectionOut, **ERRORS}, summary="执法检查详情")
    def inspection(request, pk: int):
        return inspections.get_inspection(request.auth, pk)

    @router.post("/inspections/{int:pk}/step", response={200: EnforcementInspectionOut, **ERRORS},
                 summary="现场检查记录、登记问题、责令整改、办结、复查")
    def inspection_step(request, pk: int, payload: EnforcementInspectionStepIn):
        user, data, version = request.auth, payload.fields, payload.version
        if payload.action == "record":
            inspections.record_on_site(user, pk, data, expected_version=version)
        elif payload.action == "finding":
            inspections.add_finding(user, pk, data)
        elif payload.action == "order":
            inspections.order_rectification(user, pk, data, expected_version=version)
        elif payload.action == "finish":
            inspections.finish_without_findings(user, pk, expected_version=version)
        elif payload.action in ("pass_review", "fail_review"):
            inspections.review(user, pk, payload.action == "pass_review", data.get("opinion", ""),
                               data.get("reviewed_on"), expected_version=version)
        else:
            raise ValidationFailed(f"未知操作“{payload.action}”", code="unknown_action")
        return inspections.get_inspection(user, pk)

    @router.get("/cases/", response={200: EnforcementCaseList}, summary="执法案件（本人管辖范围）")
    def list_cases(request, state: str = "", page: int = 1, page_size: int = 50):
        return paginate(request, selectors.cases(request.auth, state))

    @router.get("/cases/{int:pk}", response={200: EnforcementCaseOut, **ERRORS}, summary="案件详情及程序时限")
    def case(request, pk: int):
        return cases.get_case(request.auth, pk)

    @router.post("/cases/{int:pk}/step", response={200: EnforcementCaseOut, **ERRORS},
                 summary="案件的一步：" + "、".join(t.label for t in rules.CASE_MACHINE.transitions.values()))
    def case_step(request, pk: int, payload: EnforcementCaseStepIn):
        user, data = request.auth, payload.fields
        if payload.action == "law_review":
            cases.law_review(user, pk, data.get("result") == "passed", data.get("opinion", ""), data.get("reviewed_on"))
        elif payload.action == "waive":
            cases.record_waiver(user, pk)
        elif payload.action == "hearing_held":
            cases.record_hearing(user, pk, data.get("held_on"), data.get("note", ""))
        elif payload.action == "publish":
            cases.publish(user, pk, data.get("published_on"))
        else:
            cases.step(user, pk, payload.action, data, expected_version=payload.version)
        return cases.get_case(user, pk)

    return router


def mount(api) -> None:
    api.add_router("/enforcement/", enforcement_router())
