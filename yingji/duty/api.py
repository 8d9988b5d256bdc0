"""API beyond the registries (duty-rosters, duty-shifts, duty-contacts): who is on duty now,
swaps, handovers, daily reports and the list of units that have not reported."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from django.utils import timezone
from ninja import Router, Schema, Status

from yingji.core.api_schemas import RecordId, errors, page_of
from yingji.core import scope
from yingji.core.errors import ValidationFailed
from yingji.core.pagination import paginate
from yingji.regions.models import Organisation

from . import services
from .models import DailyReport, DutyShift, Handover, ShiftSwap


class SwapIn(Schema):
    shift: int
    replacement_name: str
    reason: str
    replacement_phone: str = ""


class DecisionIn(Schema):
    approve: bool
    note: str = ""


class HandoverIn(Schema):
    outgoing_name: str
    incoming_name: str
    summary: str
    pending_items: str = ""
    handed_over_at: Optional[dt.datetime] = None


class AckIn(Schema):
    note: str = ""


class DailyIn(Schema):
    report_date: dt.date
    is_zero: bool
    summary: str = ""
    incident_count: int = 0


class OnDutyOut(Schema):
    tier: str
    tier_label: str
    name: str
    phone: str
    until: str


class DutyNowOut(Schema):
    unit: str
    items: list[OnDutyOut]
    count: int


class SwapOut(Schema):
    id: int
    shift: int
    original_name: str
    replacement_name: str
    reason: str
    status: str
    status_label: str
    decided_at: Optional[str]
    decision_note: str


class HandoverOut(Schema):
    id: int
    unit: str
    outgoing_name: str
    incoming_name: str
    handed_over_at: Optional[str]
    summary: str
    pending_items: str
    acknowledged_at: Optional[str]
    acknowledged_by: Optional[str]


class DailyOut(Schema):
    id: int
    unit: str
    unit_id: int
    report_date: str
    is_zero: bool
    incident_count: int
    summary: str
    submitted_at: Optional[str]


class MissingUnitOut(Schema):
    id: int
    name: str
    division_code: str
    duty_phone: str


class DailyStatusOut(Schema):
    date: str
    reported: list[DailyOut]
    missing: list[MissingUnitOut]


SwapList = page_of(SwapOut, "SwapList")
HandoverList = page_of(HandoverOut, "HandoverList")
DailyList = page_of(DailyOut, "DailyList")


def _unit(user, unit_id: int | None) -> Organisation:
    if unit_id:
        unit = services.get_or_404(Organisation, user, unit_id)
    else:
        unit = services.duty_unit_of(user)
    if unit is None:
        raise ValidationFailed("请指定值班单位 unit（您的账号没有对应的应急管理部门）", fields={"unit": ["必填"]})
    return unit


def _iso(value):
    return value.isoformat() if value else None


def swap_json(s: ShiftSwap) -> dict:
    return {"id": s.pk, "shift": s.shift_id, "original_name": s.original_name, "replacement_name": s.replacement_name,
            "reason": s.reason, "status": s.status, "status_label": s.get_status_display(),
            "decided_at": _iso(s.decided_at), "decision_note": s.decision_note}


def handover_json(h: Handover) -> dict:
    return {"id": h.pk, "unit": h.organisation.name, "outgoing_name": h.outgoing_name,
            "incoming_name": h.incoming_name, "handed_over_at": _iso(h.handed_over_at), "summary": h.summary,
            "pending_items": h.pending_items, "acknowledged_at": _iso(h.acknowledged_at),
            "acknowledged_by": h.acknowledged_by.display_name() if h.acknowledged_by else None}


def daily_json(r: DailyReport) -> dict:
    return {"id": r.pk, "unit": r.organisation.name, "unit_id": r.organisation_id, "report_date": str(r.report_date),
            "is_zero": r.is_zero, "incident_count": r.incident_count, "summary": r.summary,
            "submitted_at": _iso(r.submitted_at)}


def mount(api) -> None:
    router = Router(tags=["值班值守"])

    @router.get("/duty-now/", response={200: DutyNowOut, **errors(403, 404)}, operation_id="duty_now", summary="当前在岗值班人员")
    def duty_now(request, unit: RecordId = 0):
        org = _unit(request.auth, unit)
        items = services.on_duty_summary(org)
        return {"unit": org.name, "items": items, "count": len(items)}

    @router.post("/duty-swaps/", response={201: SwapOut, **errors(403, 404, 409)}, operation_id="duty_swap_request", summary="申请调班")
    def request_swap(request, payload: SwapIn):
        shift = services.get_or_404(DutyShift, request.auth, payload.shift)
        swap = services.request_swap(request.auth, shift, payload.replacement_name, payload.reason,
                                     payload.replacement_phone)
        return Status(201, swap_json(swap))

    @router.get("/duty-swaps/", response=SwapList, operation_id="duty_swap_list", summary="调班申请")
    def list_swaps(request, status: str = ""):
        qs = scope.visible(ShiftSwap.objects.all(), request.auth)
        if status:
            qs = qs.filter(status=status)
        page = paginate(request, qs.order_by("-created_at", "-pk"))
        return {"items": [swap_json(s) for s in page["items"]], "count": page["count"]}

    @router.post("/duty-swaps/{int:pk}/decide", response={200: SwapOut, **errors(403, 409)}, operation_id="duty_swap_decide", summary="审批调班")
    def decide(request, pk: int, payload: DecisionIn):
        swap = services.get_or_404(ShiftSwap, request.auth, pk)
        return swap_json(services.decide_swap(request.auth, swap, payload.approve, payload.note))

    @router.get("/duty-handovers/", response={200: HandoverList, **errors(400)}, operation_id="duty_handover_list", summary="交接班记录")
    def list_handovers(request):
        qs = scope.visible(Handover.objects.select_related("organisation", "acknowledged_by"), request.auth)
        page = paginate(request, qs.order_by("-handed_over_at", "-pk"))
        return {"items": [handover_json(h) for h in page["items"]], "count": page["count"]}

    @router.post("/duty-handovers/", response={201: HandoverOut, **errors(403, 404, 409)}, operation_id="duty_handover_create", summary="填写交接班记录")
    def create_handover(request, payload: HandoverIn, unit: RecordId = 0):
        data = {k: v for k, v in payload.dict().items() if v is not None}
        return Status(201, handover_json(services.create_handover(request.auth, _unit(request.auth, unit), data)))

    @router.post("/duty-handovers/{int:pk}/acknowledge", response={200: HandoverOut, **errors(403, 409)}, operation_id="duty_handover_ack",
                 summary="接班确认")
    def ack_handover(request, pk: int, payload: AckIn):
        handover = services.get_or_404(Handover, request.auth, pk)
        return handover_json(services.acknowledge_handover(request.auth, handover, payload.note))

    @router.get("/duty-daily-reports/", response=DailyList, operation_id="duty_daily_list", summary="值班日报")
    def list_daily(request, date: Optional[dt.date] = None):
        qs = scope.visible(DailyReport.objects.select_related("organisation"), request.auth)
        if date:
            qs = qs.filter(report_date=date)
        page = paginate(request, qs.order_by("-report_date", "division_code"))
        return {"items": [daily_json(r) for r in page["items"]], "count": page["count"]}

    @router.post("/duty-daily-reports/", response={201: DailyOut, **errors(403, 404, 409)}, operation_id="duty_daily_submit",
                 summary="报送值班日报或零报告")
    def submit_daily(request, payload: DailyIn, unit: RecordId = 0):
        report = services.submit_daily_report(request.auth, _unit(request.auth, unit), payload.report_date,
                                              is_zero=payload.is_zero, summary=payload.summary,
                                              incident_count=payload.incident_count)
        return Status(201, daily_json(report))

    @router.get("/duty-daily-reports/status", response={200: DailyStatusOut, **errors(403, 404)}, operation_id="duty_daily_status",
                summary="下级单位日报报送情况（含未报单位）")
    def daily_status(request, date: Optional[dt.date] = None, unit: RecordId = 0):
        status = services.daily_report_status(_unit(request.auth, unit), date or timezone.localdate())
        return {"date": str(status["date"]),
                "reported": [daily_json(r) for _, r in status["reported"]],
                "missing": [{"id": u.pk, "name": u.name, "division_code": u.division_code, "duty_phone": u.duty_phone}
                            for u in status["missing"]]}

    api.add_router("/", router)
