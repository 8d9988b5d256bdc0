"""API: /api/v1/incidents/ (intake, nested reports, timeline), receipts, deadlines, documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional
from urllib.parse import quote

from django.http import HttpResponse
from ninja import Router, Schema, Status

from yingji.core.api_schemas import DOCX, FeatureCollection, errors, file_download
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import paginate
from yingji.regions.models import Organisation

from . import documents, selectors, services
from .deadline_service import complete_manually, overdue_statistics
from .schemas import (
    DeadlineList,
    DeadlineOut,
    DeadlineStatsList,
    EntryList,
    EntryOut,
    IncidentDetailOut,
    IncidentList,
    IncidentOut,
    ReceiptList,
    ReceiptOut,
    ReportList,
    ReportOut,
)


class FiguresIn(Schema):
    deaths: Optional[int] = None
    missing: Optional[int] = None
    serious_injuries: Optional[int] = None
    injuries: Optional[int] = None
    trapped: Optional[int] = None
    relocated: Optional[int] = None
    affected_population: Optional[int] = None
    direct_loss_yuan: Optional[Decimal] = None


class IntakeIn(FiguresIn):
    client_token: str
    title: str
    type_code: str
    description: str
    source: str = "phone"
    received_at: Optional[dt.datetime] = None
    occurred_at: Optional[dt.datetime] = None
    division_code: Optional[str] = None
    lon: Optional[float] = None
    lat: Optional[float] = None
    coord_source: Optional[str] = None
    address: str = ""
    caller_name: str = ""
    caller_phone: str = ""
    caller_unit: str = ""


class ReportIn(FiguresIn):
    kind: str
    issuer: str
    title: str = ""
    report_at: Optional[dt.datetime] = None
    unit_overview: str = ""
    time_place_scene: str = ""
    brief_course: str = ""
    casualties_and_loss: str = ""
    measures_taken: str = ""
    other_matters: str = ""
    submit_upward: bool = False


class EntryIn(Schema):
    kind: str
    text: str
    at: Optional[dt.datetime] = None
    complete_phone_report: bool = False


class NoteIn(Schema):
    note: str = ""


class ForwardIn(Schema):
    department: int


def _no_none(data: dict) -> dict:
    return {k: v for k, v in data.items() if v is not None}


def mount(api) -> None:
    api.add_router("/incidents/", incidents_router())
    api.add_router("/incident-reports/", reports_router())
    api.add_router("/incident-receipts/", receipts_router())
    api.add_router("/incident-deadlines/", deadlines_router())


def incidents_router() -> Router:
    router = Router(tags=["突发事件"])

    @router.get("/", response=IncidentList, operation_id="incidents_list", summary="突发事件列表")
    def list_incidents(request, q: str = "", state: str = "", open: str = "", type_code: str = "",
                       category: str = "", grade_level: str = "", division: str = "", page: int = 1,
                       page_size: int = 50):
        page_data = paginate(request, selectors.filtered(request.auth, request.GET))
        return {"items": [selectors.incident_json(i) for i in page_data["items"]], "count": page_data["count"]}

    @router.post("/", response={200: IncidentDetailOut, 201: IncidentDetailOut, **errors(403, 409)}, operation_id="incidents_intake", summary="接报（幂等）")
    def intake(request, payload: IntakeIn):
        """Send the same ``client_token`` again (retry) and the incident already recorded comes back with 200."""
        incident, created = services.take_call(request.auth, _no_none(payload.dict()))
        return Status(201 if created else 200, selectors.incident_json(incident, detail=True))

    @router.get("/geojson", response=FeatureCollection, operation_id="incidents_geojson", summary="未办结事件点位（GeoJSON）")
    def geojson(request):
        return selectors.board_geojson(request.auth)

    @router.get("/{int:pk}", response={200: IncidentDetailOut, **errors(403)}, operation_id="incidents_detail", summary="事件详情（含各版报告）")
    def detail(request, pk: int):
        return selectors.incident_json(services.get_incident(request.auth, pk), detail=True)

    @router.get("/{int:pk}/reports/", response={200: ReportList, **errors(403)}, operation_id="incidents_reports", summary="事件的各版报告")
    def reports(request, pk: int):
        incident = services.get_incident(request.auth, pk)
        items = [selectors.report_json(r) for r in incident.reports.order_by("sequence")]
        return {"items": items, "count": len(items)}

    @router.post("/{int:pk}/reports/", response={201: ReportOut, **errors(403, 409)}, operation_id="incidents_report_create",
                 summary="报送首报/续报/终报/补报")
    def file(request, pk: int, payload: ReportIn):
        incident = services.get_incident(request.auth, pk)
        data = _no_none(payload.dict())
        kind, upward = data.pop("kind"), data.pop("submit_upward")
        report = services.file_report(request.auth, incident, kind, data, submit_upward=upward)
        return Status(201, selectors.report_json(report))

    @router.get("/{int:pk}/timeline/", response={200: EntryList, **errors(403)}, operation_id="incidents_timeline", summary="事件时间线")
    def timeline(request, pk: int):
        incident = services.get_incident(request.auth, pk)
        items = [selectors.entry_json(e) for e in incident.timeline.all()]
        return {"items": items, "count": len(items)}

    @router.post("/{int:pk}/timeline/", response={201: EntryOut, **errors(403, 409)}, operation_id="incidents_timeline_add",
                 summary="记录电话或处置措施")
    def add_entry(request, pk: int, payload: EntryIn):
        incident = services.get_incident(request.auth, pk)
        entry = services.log_entry(request.auth, incident, payload.kind, payload.text, payload.at,
                                   complete_phone_report=payload.complete_phone_report)
        return Status(201, selectors.entry_json(entry))

    @router.post("/{int:pk}/close", response={200: IncidentOut, **errors(403, 409)}, operation_id="incidents_close", summary="办结")
    def close(request, pk: int, payload: NoteIn):
        incident = services.close_incident(request.auth, services.get_incident(request.auth, pk), payload.note)
        return selectors.incident_json(incident)

    return router


def reports_router() -> Router:
    router = Router(tags=["突发事件"])

    @router.post("/{int:pk}/escalate", response={201: ReceiptOut, **errors(400, 403, 409)}, operation_id="incident_report_escalate",
                 summary="报送上级值班室")
    def escalate(request, pk: int):
        receipt = services.escalate(request.auth, services.get_report(request.auth, pk))
        return Status(201, selectors.receipt_json(receipt))

    @router.post("/{int:pk}/forward", response={201: ReceiptOut, **errors(403, 409)}, operation_id="incident_report_forward", summary="转送部门")
    def forward(request, pk: int, payload: ForwardIn):
        report = services.get_report(request.auth, pk)
        department = Organisation.objects.filter(pk=payload.department).first()
        if department is None:
            raise NotFound(f"单位（编号 {payload.department}）不存在")
        return Status(201, selectors.receipt_json(services.forward(request.auth, report, department)))

    @router.get("/{int:pk}/document", operation_id="incident_report_document", summary="公文（docx 或 pdf）",
                response={200: None, **errors(403)}, openapi_extra=file_download(DOCX, "application/pdf"))
    def document(request, pk: int, format: str = "docx"):
        report = services.get_report(request.auth, pk)
        return document_response(report, format)

    return router


def document_response(report, fmt: str) -> HttpResponse:
    if fmt == "pdf":
        content, ctype = documents.build_pdf(report), "application/pdf"
    elif fmt == "docx":
        content = documents.build_docx(report)
        ctype = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        raise ValidationFailed("format 应为 docx 或 pdf", fields={"format": ["docx 或 pdf"]})
    response = HttpResponse(content, content_type=ctype)
    name = documents.filename(report, fmt)
    response["Content-Disposition"] = f"attachment; filename=\"report.{fmt}\"; filename*=UTF-8''{quote(name)}"
    return response


def receipts_router() -> Router:
    router = Router(tags=["突发事件"])

    @router.get("/", response=ReceiptList, operation_id="incident_receipts_list", summary="本单位收到的报告")
    def list_receipts(request, pending: str = ""):
        qs = selectors.receipts_for(request.auth, pending_only=pending in ("1", "true"))
        page = paginate(request, qs)
        return {"items": [selectors.receipt_json(r) for r in page["items"]], "count": page["count"]}

    @router.post("/{int:pk}/acknowledge", response={200: ReceiptOut, **errors(403, 409)}, operation_id="incident_receipt_acknowledge", summary="签收")
    def acknowledge(request, pk: int):
        return selectors.receipt_json(services.acknowledge_receipt(request.auth, services.get_receipt(request.auth, pk)))

    return router


def deadlines_router() -> Router:
    router = Router(tags=["突发事件"])

    @router.get("/", response=DeadlineList, operation_id="incident_deadlines_list", summary="报告时限（含倒计时）")
    def list_deadlines(request, status: str = "pending"):
        page = paginate(request, selectors.deadlines_for(request.auth, status))
        return {"items": [selectors.deadline_json(d) for d in page["items"]], "count": page["count"]}

    @router.get("/stats", response={200: DeadlineStatsList, **errors(400)}, operation_id="incident_deadlines_stats", summary="各单位每月超时统计")
    def stats(request):
        items = overdue_statistics(selectors.deadlines_for(request.auth, "all"))
        return {"items": items, "count": len(items)}

    @router.post("/{int:pk}/complete", response={200: DeadlineOut, **errors(403, 409)}, operation_id="incident_deadline_complete",
                 summary="登记时限完成（平台外报告）")
    def complete(request, pk: int, payload: NoteIn):
        deadline = selectors.get_deadline(request.auth, pk)
        return selectors.deadline_json(complete_manually(request.auth, deadline, payload.note))

    return router
