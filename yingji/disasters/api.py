"""API: /api/v1/disasters/ (events, loss reports, stage summary, relief level, relief
payments) and /api/v1/relief-level (the calculator). Errors: ``{"error": {code, message,
fields}}`` with 400 (invalid input, unexplained jump or difference), 401, 403 (role or
scope), 404, 409 (stage out of order, household already paid)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from ninja import Router, Schema, Status

from yingji.api.base import paginate
from yingji.core import scope
from yingji.core.errors import Forbidden, NotFound, ValidationFailed
from yingji.geo import divcodes
from yingji.rules import relief as relief_rules

from . import selectors, services


class ErrorDetail(Schema):
    code: str
    message: str
    fields: dict[str, list[str]]


class ErrorOut(Schema):
    error: ErrorDetail


ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


class FiguresSchema(Schema):
    affected_population: int = 0
    deaths: int = 0
    missing: int = 0
    relocated: int = 0
    needing_aid: int = 0
    collapsed_rooms: int = 0
    collapsed_households: int = 0
    severe_rooms: int = 0
    severe_households: int = 0
    general_rooms: int = 0
    general_households: int = 0
    crop_affected_ha: Decimal = Decimal(0)
    crop_damaged_ha: Decimal = Decimal(0)
    crop_lost_ha: Decimal = Decimal(0)
    drought_aid_people: int = 0
    direct_loss_wan: Decimal = Decimal(0)


class ConditionOut(Schema):
    code: str
    name: str
    unit: str
    figure: Optional[int | str]
    level: Optional[int]
    label: Optional[str]
    threshold: Optional[int | str]
    next_level: Optional[int] = None
    next_label: Optional[str] = None
    next_threshold: Optional[int | str] = None


class ReliefOut(Schema):
    level: Optional[int]
    label: Optional[str]
    conditions: list[ConditionOut]
    table: str
    evaluations: list[ConditionOut] = []


class ReliefIn(Schema):
    dead_missing: int = 0
    relocated_or_needing_aid: int = 0
    collapsed_severe_rooms: int = 0
    collapsed_severe_households: int = 0
    drought_aid_people: int = 0
    agricultural_population: int = 0
    table: str = relief_rules.NATIONAL_2024.code


class EventIn(Schema):
    title: str
    hazard_type: str
    start_at: dt.datetime
    end_at: Optional[dt.datetime] = None
    division_code: Optional[str] = None
    affected_codes: list[str] = []
    description: str = ""
    agricultural_population: int = 0
    relief_table_id: Optional[int] = None


class EventOut(Schema):
    id: int
    title: str
    hazard_type: str
    start_at: dt.datetime
    end_at: Optional[dt.datetime]
    stabilised_at: Optional[dt.datetime]
    division_code: str
    affected_codes: list[str]
    description: str
    agricultural_population: int
    relief_table_id: Optional[int]
    version: int
    is_synthetic: bool


class EventList(Schema):
    items: list[EventOut]
    count: int


class EventDetailOut(EventOut):
    totals: Optional[FiguresSchema]
    relief: ReliefOut
    incident_ids: list[int]
    warning_ids: list[int]


class LinksIn(Schema):
    incident_ids: Optional[list[int]] = None
    warning_ids: Optional[list[int]] = None


class StabiliseIn(Schema):
    at: Optional[dt.datetime] = None


class ReportIn(FiguresSchema):
    stage: str
    reporter: str
    division_code: Optional[str] = None
    report_at: Optional[dt.datetime] = None
    summary: str = ""
    jump_explanation: str = ""
    difference_explanation: str = ""


class ReportOut(FiguresSchema):
    id: int
    event_id: int
    division_code: str
    stage: str
    sequence: int
    report_at: dt.datetime
    reporter: str
    summary: str
    jumps: list[dict]
    jump_explanation: str
    differences: list[dict]
    difference_explanation: str


class ReportList(Schema):
    items: list[ReportOut]
    count: int


class PartOut(Schema):
    code: str
    name: str
    figures: FiguresSchema


class StageOut(Schema):
    stage: str
    label: str
    parts: list[PartOut]
    sum: Optional[FiguresSchema]
    own_report_id: Optional[int]
    differing: list[str]


class PaymentIn(Schema):
    category: str
    head_name: str
    head_id_number: str
    household_size: int = 1
    people: int = 1
    amount_yuan: Decimal = Decimal(0)
    signer: str
    division_code: Optional[str] = None
    paid_at: Optional[dt.datetime] = None


class PaymentOut(Schema):
    id: int
    event_id: int
    category: str
    head_name: str
    household_size: int
    people: int
    amount_yuan: Decimal
    paid_at: dt.datetime
    signer: str
    division_code: str


class PaymentList(Schema):
    items: list[PaymentOut]
    count: int


def relief_json(result: relief_rules.ReliefLevel) -> dict:
    return {**result.to_json(), "evaluations": [e.to_json() for e in result.evaluations]}


def event_detail(event) -> dict:
    data = {f: getattr(event, f) for f in EventOut.model_fields}
    data["totals"] = selectors.event_totals(event)
    data["relief"] = relief_json(selectors.relief_for(event))
    data["incident_ids"] = sorted(event.incidents.values_list("pk", flat=True))
    data["warning_ids"] = sorted(event.warnings.values_list("pk", flat=True))
    return data


def disasters_router() -> Router:
    router = Router(tags=["灾情管理"])

    @router.get("/", response={200: EventList, 401: ErrorOut}, summary="灾害过程列表（本人管辖范围）")
    def list_events(request, hazard_type: str = "", page: int = 1, page_size: int = 50):
        qs = selectors.visible_events(request.auth)
        if hazard_type:
            qs = qs.filter(hazard_type=hazard_type)
        return paginate(request, qs)

    @router.post("/", response={201: EventOut, **ERRORS}, summary="新建灾害过程")
    def create_event(request, payload: EventIn):
        return Status(201, services.create_event(request.auth, payload.dict()))

    @router.get("/{int:pk}", response={200: EventDetailOut, **ERRORS},
                summary="灾害过程详情：当前合计与救助响应级别（满足的条件、升级还差多少）")
    def detail(request, pk: int):
        return event_detail(selectors.get_event(request.auth, pk))

    @router.put("/{int:pk}/links", response={200: EventDetailOut, **ERRORS}, summary="关联突发事件与预警")
    def links(request, pk: int, payload: LinksIn):
        event = selectors.get_event(request.auth, pk)
        services.link_records(request.auth, event, incident_ids=payload.incident_ids, warning_ids=payload.warning_ids)
        return event_detail(event)

    @router.post("/{int:pk}/stabilise", response={200: EventOut, **ERRORS, 409: ErrorOut},
                 summary="标记灾情稳定（之后可以核报）")
    def stabilise(request, pk: int, payload: StabiliseIn):
        return services.mark_stabilised(request.auth, selectors.get_event(request.auth, pk), payload.at)

    @router.get("/{int:pk}/reports", response={200: ReportList, **ERRORS}, summary="灾情报告（初报、续报、核报）")
    def list_reports(request, pk: int, division_code: str = "", page: int = 1, page_size: int = 50):
        qs = selectors.reports_of(selectors.get_event(request.auth, pk), request.auth)
        if division_code:
            qs = qs.filter(division_code__startswith=division_code.rstrip("0") or division_code)
        return paginate(request, qs)

    @router.post("/{int:pk}/reports", response={201: ReportOut, **ERRORS, 409: ErrorOut},
                 summary="报送灾情（400：大幅变化或与下级合计不一致而未说明；409：阶段顺序不对）")
    def file_report(request, pk: int, payload: ReportIn):
        event = selectors.get_event(request.auth, pk)
        return Status(201, services.file_report(request.auth, event, payload.dict()))

    @router.get("/{int:pk}/summary", response={200: list[StageOut], **ERRORS},
                summary="逐级汇总：按阶段列出下级区划的最新报告、合计与本级数字的差异")
    def summary(request, pk: int, code: str = ""):
        event = selectors.get_event(request.auth, pk)
        user = request.auth
        target = _code(code) if code else (event.division_code if scope.is_visible(event, user) else
                                           divcodes.normalise(user.region_code))
        if not divcodes.is_within(target, user.region_code):
            raise Forbidden(f"区划 {divcodes.short_code(target)} 不在您的管辖范围内")
        rows = selectors.stage_summary(event, target)
        return [{**r, "own_report_id": r["own"].pk if r["own"] else None} for r in rows]

    @router.get("/{int:pk}/relief", response={200: ReliefOut, **ERRORS}, summary="按当前合计计算的救助响应级别")
    def relief(request, pk: int):
        return relief_json(selectors.relief_for(selectors.get_event(request.auth, pk)))

    @router.get("/{int:pk}/payments", response={200: PaymentList, **ERRORS}, summary="救助发放名单")
    def list_payments(request, pk: int, page: int = 1, page_size: int = 50):
        return paginate(request, selectors.payments_of(selectors.get_event(request.auth, pk), request.auth))

    @router.post("/{int:pk}/payments", response={201: PaymentOut, **ERRORS, 409: ErrorOut},
                 summary="登记救助发放（409：同一户同一类别已领取）")
    def record_payment(request, pk: int, payload: PaymentIn):
        event = selectors.get_event(request.auth, pk)
        return Status(201, services.record_payment(request.auth, event, payload.dict(exclude_none=True)))

    add_casualty_routes(router)
    return router


def _code(code: str) -> str:
    try:
        return divcodes.normalise(code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"code": [str(exc)]}) from exc


def relief_router() -> Router:
    router = Router(tags=["灾情管理"])

    @router.post("", response={200: ReliefOut, 400: ErrorOut, 401: ErrorOut, 404: ErrorOut},
                 summary="救助响应级别计算（任一条件，以上含本数）")
    def calculate(request, payload: ReliefIn):
        table = selectors.find_table(payload.table)
        if table is None:
            raise NotFound(f"救助响应分级表“{payload.table}”不存在")
        try:
            figures = relief_rules.ReliefFigures(**payload.dict(exclude={"table"}))
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from exc
        return relief_json(relief_rules.relief_level(figures, table))

    return router




class CasualtyIn(Schema):
    status: str
    name: str
    occurred_at: dt.datetime
    place: str
    cause: str
    gender: str = ""
    age: Optional[int] = None
    id_number: str = ""
    residence: str = ""
    division_code: Optional[str] = None


class CasualtyOut(Schema):
    id: int
    event_id: int
    status: str
    name: str
    gender: str
    age: Optional[int]
    occurred_at: dt.datetime
    place: str
    cause: str
    division_code: str
    version: int


class CasualtyList(Schema):
    items: list[CasualtyOut]
    count: int


class CasualtyStatusIn(Schema):
    status: str
    note: str


def add_casualty_routes(router: Router) -> None:
    from .models import CasualtyRecord

    @router.get("/{int:pk}/casualties", response={200: CasualtyList, **ERRORS}, summary="因灾死亡失踪人员名单")
    def list_casualties(request, pk: int, page: int = 1, page_size: int = 50):
        return paginate(request, selectors.casualty_check(selectors.get_event(request.auth, pk), request.auth)["people"])

    @router.post("/{int:pk}/casualties", response={201: CasualtyOut, **ERRORS}, summary="登记因灾死亡失踪人员")
    def register(request, pk: int, payload: CasualtyIn):
        event = selectors.get_event(request.auth, pk)
        return Status(201, services.register_casualty(request.auth, event, payload.dict(exclude_none=True)))

    @router.post("/{int:pk}/casualties/{int:cid}/status", response={200: CasualtyOut, **ERRORS, 409: ErrorOut},
                 summary="失踪人员确认死亡或找到生还（须说明原因）")
    def change_status(request, pk: int, cid: int, payload: CasualtyStatusIn):
        event = selectors.get_event(request.auth, pk)
        record = scope.get_visible(CasualtyRecord.objects.filter(event=event), cid, request.auth, "因灾死亡失踪人员")
        return services.change_casualty_status(request.auth, record, payload.status, payload.note)


def mount(api) -> None:
    api.add_router("/disasters/", disasters_router())
    api.add_router("/relief-level", relief_router())
