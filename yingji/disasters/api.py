"""API: /api/v1/disasters/ (events, loss reports, stage summary, relief level, relief
payments, the dead and missing register) and /api/v1/relief-level (the calculator). Errors
in the one shape (``core.api_schemas.Error``): 400 (invalid input, unexplained jump or
difference), 401, 403 (role or scope), 404, 409 (stage out of order, household already paid)."""

from __future__ import annotations

from ninja import Router, Status

from yingji.core import scope
from yingji.core.api_schemas import errors
from yingji.core.errors import Forbidden, NotFound, ValidationFailed
from yingji.core.pagination import paginate
from yingji.geo import divcodes
from yingji.rules import relief as relief_rules

from . import selectors, services
from .models import CasualtyRecord, LossReport
from .schemas import (CasualtyIn, CasualtyList, CasualtyOut, CasualtyStatusIn, DisasterEventDetailOut, DisasterEventIn,
                      DisasterEventList, DisasterEventOut, DisasterLinksIn, DisasterStabiliseIn, LossReportIn,
                      LossReportList, LossReportOut, LossReviewIn, LossStageOut, ReliefLevelIn, ReliefLevelOut, ReliefPaymentIn,
                      ReliefPaymentList, ReliefPaymentOut)

ERRORS = errors(400, 403, 404)


def relief_json(result: relief_rules.ReliefLevel) -> dict:
    return {**result.to_json(), "evaluations": [e.to_json() for e in result.evaluations]}


def event_detail(event) -> dict:
    data = {f: getattr(event, f) for f in DisasterEventOut.model_fields}
    data["totals"] = selectors.event_totals(event)
    data["relief"] = relief_json(selectors.relief_for(event))
    data["incident_ids"] = sorted(event.incidents.values_list("pk", flat=True))
    data["warning_ids"] = sorted(event.warnings.values_list("pk", flat=True))
    return data


def disasters_router() -> Router:
    router = Router(tags=["灾情管理"])

    @router.get("/", response={200: DisasterEventList}, summary="灾害过程列表（本人管辖范围）")
    def list_events(request, hazard_type: str = "", page: int = 1, page_size: int = 50):
        qs = selectors.visible_events(request.auth)
        if hazard_type:
            qs = qs.filter(hazard_type=hazard_type)
        return paginate(request, qs)

    @router.post("/", response={201: DisasterEventOut, **ERRORS}, summary="新建灾害过程")
    def create_event(request, payload: DisasterEventIn):
        return Status(201, services.create_event(request.auth, payload.dict()))

    @router.get("/{int:pk}", response={200: DisasterEventDetailOut, **ERRORS},
                summary="灾害过程详情：当前合计与救助响应级别（满足的条件、升级还差多少）")
    def detail(request, pk: int):
        return event_detail(selectors.get_event(request.auth, pk))

    @router.put("/{int:pk}/links", response={200: DisasterEventDetailOut, **ERRORS}, summary="关联突发事件与预警")
    def links(request, pk: int, payload: DisasterLinksIn):
        event = selectors.get_event(request.auth, pk)
        services.link_records(request.auth, event, incident_ids=payload.incident_ids, warning_ids=payload.warning_ids)
        return event_detail(event)

    @router.post("/{int:pk}/stabilise", response={200: DisasterEventOut, **ERRORS, **errors(409)},
                 summary="标记灾情稳定（之后可以核报）")
    def stabilise(request, pk: int, payload: DisasterStabiliseIn):
        return services.mark_stabilised(request.auth, selectors.get_event(request.auth, pk), payload.at)

    @router.get("/{int:pk}/reports", response={200: LossReportList, **ERRORS}, summary="灾情报告（初报、续报、核报）")
    def list_reports(request, pk: int, division_code: str = "", page: int = 1, page_size: int = 50):
        qs = selectors.reports_of(selectors.get_event(request.auth, pk), request.auth)
        if division_code:
            qs = qs.filter(division_code__startswith=division_code.rstrip("0") or division_code)
        return paginate(request, qs)

    @router.post("/{int:pk}/reports", response={201: LossReportOut, **ERRORS, **errors(409)},
                 summary="报送灾情（400：大幅变化或与下级合计不一致而未说明；409：阶段顺序不对）")
    def file_report(request, pk: int, payload: LossReportIn):
        event = selectors.get_event(request.auth, pk)
        return Status(201, services.file_report(request.auth, event, payload.dict()))

    @router.post("/{int:pk}/reports/{int:rid}/review", response={200: LossReportOut, **ERRORS, **errors(409)},
                 summary="县级审核下级（灾害信息员）报告：可更正数据（须说明原因），通过后上报")
    def review_report(request, pk: int, rid: int, payload: LossReviewIn):
        event = selectors.get_event(request.auth, pk)
        report = scope.get_visible(LossReport.objects.filter(event=event), rid, request.auth, "灾情报告")
        return services.review_report(request.auth, report, payload.figures, payload.correction_reason)

    @router.get("/{int:pk}/summary", response={200: list[LossStageOut], **ERRORS},
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

    @router.get("/{int:pk}/relief", response={200: ReliefLevelOut, **ERRORS}, summary="按当前合计计算的救助响应级别")
    def relief(request, pk: int):
        return relief_json(selectors.relief_for(selectors.get_event(request.auth, pk)))

    @router.get("/{int:pk}/payments", response={200: ReliefPaymentList, **ERRORS}, summary="救助发放名单")
    def list_payments(request, pk: int, page: int = 1, page_size: int = 50):
        return paginate(request, selectors.payments_of(selectors.get_event(request.auth, pk), request.auth))

    @router.post("/{int:pk}/payments", response={201: ReliefPaymentOut, **ERRORS, **errors(409)},
                 summary="登记救助发放（409：同一户同一类别已领取）")
    def record_payment(request, pk: int, payload: ReliefPaymentIn):
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

    @router.post("", response={200: ReliefLevelOut, **errors(400, 404)},
                 summary="救助响应级别计算（任一条件，以上含本数）")
    def calculate(request, payload: ReliefLevelIn):
        table = selectors.find_table(payload.table)
        if table is None:
            raise NotFound(f"救助响应分级表“{payload.table}”不存在")
        try:
            figures = relief_rules.ReliefFigures(**payload.dict(exclude={"table"}))
        except ValueError as exc:
            raise ValidationFailed(str(exc)) from exc
        return relief_json(relief_rules.relief_level(figures, table))

    return router


def add_casualty_routes(router: Router) -> None:
    @router.get("/{int:pk}/casualties", response={200: CasualtyList, **ERRORS}, summary="因灾死亡失踪人员名单")
    def list_casualties(request, pk: int, page: int = 1, page_size: int = 50):
        return paginate(request, selectors.casualty_check(selectors.get_event(request.auth, pk), request.auth)["people"])

    @router.post("/{int:pk}/casualties", response={201: CasualtyOut, **ERRORS}, summary="登记因灾死亡失踪人员")
    def register(request, pk: int, payload: CasualtyIn):
        event = selectors.get_event(request.auth, pk)
        return Status(201, services.register_casualty(request.auth, event, payload.dict(exclude_none=True)))

    @router.post("/{int:pk}/casualties/{int:cid}/status", response={200: CasualtyOut, **ERRORS, **errors(409)},
                 summary="失踪人员确认死亡或找到生还（须说明原因）")
    def change_status(request, pk: int, cid: int, payload: CasualtyStatusIn):
        event = selectors.get_event(request.auth, pk)
        record = scope.get_visible(CasualtyRecord.objects.filter(event=event), cid, request.auth, "因灾死亡失踪人员")
        return services.change_casualty_status(request.auth, record, payload.status, payload.note)


def mount(api) -> None:
    api.add_router("/disasters/", disasters_router())
    api.add_router("/relief-level", relief_router())
