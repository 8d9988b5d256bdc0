"""API routes: /api/v1/warnings/ (with workflow actions), /warnings/{id}/cap, /cap-imports/,
/imported-alerts/, /deliveries/ (and delivery receipts). Subscribers come from the registry."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from django.http import HttpResponse
from django.utils import timezone
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from yingji.core import capabilities
from yingji.core.api_schemas import errors, file_download
from yingji.core.errors import Forbidden, NotFound, ValidationFailed
from yingji.core.pagination import paginate

from . import imports, selectors, services
from .models import CapImport, ChannelConfig, Delivery, ImportedAlert


class WarningOut(Schema):
    id: int
    kind: str
    state: str
    state_label: str
    supersedes_id: Optional[int]
    title: str
    event_type: str
    event: str
    level: int
    area_desc: str
    area_codes: list
    area_polygon: Optional[list]
    circle_lon: Optional[float]
    circle_lat: Optional[float]
    circle_radius_km: Optional[float]
    effective: dt.datetime
    onset: Optional[dt.datetime]
    expires: dt.datetime
    description: str
    instruction: str
    sender_name: str
    sender_code: str
    contact: str
    cap_status: str
    channels: list
    audiences: list
    sent: Optional[dt.datetime]
    identifier: str
    division_code: str
    version: int
    is_synthetic: bool


class WarningList(Schema):
    items: list[WarningOut]
    count: int


class WarningIn(Schema):
    event_type: Optional[str] = None
    event: Optional[str] = None
    level: Optional[int] = None
    cap_category: Optional[str] = None
    urgency: Optional[str] = None
    certainty: Optional[str] = None
    headline: Optional[str] = None
    area_desc: Optional[str] = None
    area_codes: Optional[list[str]] = None
    area_polygon: Optional[list[list[float]]] = None
    circle_lon: Optional[float] = None
    circle_lat: Optional[float] = None
    circle_radius_km: Optional[float] = None
    effective: Optional[dt.datetime] = None
    onset: Optional[dt.datetime] = None
    expires: Optional[dt.datetime] = None
    description: Optional[str] = None
    instruction: Optional[str] = None
    sender_name: Optional[str] = None
    sender_code: Optional[str] = None
    contact: Optional[str] = None
    cap_status: Optional[str] = None
    channels: Optional[list[str]] = None
    audiences: Optional[list[str]] = None
    sms_text: Optional[str] = None
    version: Optional[int] = None


class WarningActionIn(Schema):
    comment: str = ""


class DeriveIn(Schema):
    kind: str
    changes: dict[str, Any] = {}


class ImportOut(Schema):
    id: int
    source: str
    source_name: str
    received_at: dt.datetime
    decision: str
    notes: list
    reasons: list
    new_alerts: int
    duplicate_alerts: int


class ImportList(Schema):
    items: list[ImportOut]
    count: int


class ImportedOut(Schema):
    id: int
    sender: str
    identifier: str
    sent: dt.datetime
    version: str
    status: str
    msg_type: str
    state: str
    updates_id: Optional[int]
    references: list
    event: str
    headline: str
    sender_name: str
    level: Optional[int]
    severity: str
    effective: Optional[dt.datetime]
    expires: Optional[dt.datetime]
    area_desc: str
    geocodes: list
    cap_import_id: int


class ImportedList(Schema):
    items: list[ImportedOut]
    count: int


class DeliveryOut(Schema):
    id: int
    warning_id: int
    channel: str
    recipient_kind: str
    recipient_id: int
    division_code: str
    status: str
    attempts: int
    next_attempt_at: dt.datetime
    sent_at: Optional[dt.datetime]
    delivered_at: Optional[dt.datetime]
    last_error: str


class DeliveryList(Schema):
    items: list[DeliveryOut]
    count: int


class Receipt(Schema):
    id: int
    status: str
    error: str = ""


class ReceiptsIn(Schema):
    receipts: list[Receipt]


class ReceiptsOut(Schema):
    updated: int


class ChannelErrorOut(Schema):
    error: str
    count: int


class ChannelCoverageOut(Schema):
    """One channel as the delivery records say: ``reached`` = accepted by the gateway (``sent``) +
    known delivered; ``ratio`` = reached / targeted; ``state`` done / sending / failing (gateway down or
    erring: retries pending, or nothing got through) / partial (some recipients refused, the rest went
    out) / not_sent / no_recipients with its Chinese ``state_label``; ``problem`` the text shown to
    the publisher."""

    channel: str
    label: str
    state: str
    state_label: str
    targeted: int
    sent: int
    delivered: int
    failed: int
    queued: int
    retrying: int
    cancelled: int
    reached: int
    ratio: Optional[float]
    percent: str
    problem: str
    errors: list[ChannelErrorOut]


class CoverageRuleOut(Schema):
    """The plans' rule 灾害预警信息公众覆盖率 ≥90 % (docs/rules.md §8): ``verdict`` met / not_met /
    unknown (no population registered) / not_applicable (drills and tests), ``label`` 达标 / 未达标 /
    无法评估 / 不适用."""

    text: str
    source: str
    target_percent: int
    verdict: str
    label: str
    met: Optional[bool]
    ratio: Optional[float]
    percent: str
    reached: int
    population: int
    reason: str


class WarningCoverageOut(Schema):
    """Counts by delivery status (plus ``targeted`` and ``reached``) per channel and per county;
    ``channels`` per channel with its state and errors; ``problems`` the channels that failed or did
    not send (errors); ``notes`` the channels where some recipients were refused; ``rule`` the 90 % check; ``targeting`` how the delivery list was built (status,
    summary, error)."""

    population: int
    public_targeted: int
    public_reached: int
    public_delivered: int
    reach_ratio: Optional[float]
    targeted_ratio: Optional[float]
    by_channel: dict[str, dict[str, int]]
    by_county: dict[str, dict[str, int]]
    channels: list[ChannelCoverageOut]
    problems: list[str]
    notes: list[str]
    rule: CoverageRuleOut
    sending: bool
    targeting: dict[str, Any]


def _fields(payload: WarningIn) -> dict:
    data = payload.dict(exclude_unset=True)
    data.pop("version", None)
    return data


def warnings_router() -> Router:
    router = Router(tags=["预警信息发布"])

    @router.get("/", response=WarningList, summary="预警列表（本人管辖范围）")
    def list_warnings(request, state: str = "", kind: str = "", page: int = 1, page_size: int = 50):
        qs = selectors.visible_warnings(request.auth).order_by("-updated_at", "-id")
        if state:
            qs = qs.filter(state=state)
        if kind:
            qs = qs.filter(kind=kind)
        return paginate(request, qs)

    @router.post("/", response={201: WarningOut, **errors(403, 409)}, summary="起草预警")
    def create(request, payload: WarningIn):
        return Status(201, services.create_warning(request.auth, _fields(payload)))

    @router.get("/{int:pk}", response={200: WarningOut, **errors(403)}, summary="预警详情")
    def detail(request, pk: int):
        return services.get_warning(request.auth, pk)

    @router.patch("/{int:pk}", response={200: WarningOut, **errors(403, 409)}, summary="修改预警（草稿或已退回）")
    def update(request, pk: int, payload: WarningIn):
        warning = services.get_warning(request.auth, pk)
        return services.update_warning(request.auth, warning, _fields(payload), expected_version=payload.version)

    @router.post("/{int:pk}/actions/{action}", response={200: WarningOut, **errors(403, 409)},
                 summary="审批操作：submit / approve / return_review / sign / return_sign / publish / discard / stop")
    def act(request, pk: int, action: str, payload: WarningActionIn):
        warning = services.get_warning(request.auth, pk)
        if action == "stop":
            services.stop_deliveries(request.auth, warning, payload.comment)
            return services.get_warning(request.auth, pk)
        return services.transition(request.auth, warning, action, payload.comment)

    @router.post("/{int:pk}/derive", response={201: WarningOut, **errors(403, 409)}, summary="更新 / 升级 / 降级 / 解除（生成引用原预警的新草稿）")
    def derive(request, pk: int, payload: DeriveIn):
        warning = services.get_warning(request.auth, pk)
        return Status(201, services.derive_warning(request.auth, warning, payload.kind, payload.changes))

    @router.get("/{int:pk}/cap", summary="CAP 1.2 报文（已发布的预警）", response={200: None, **errors(403)},
                openapi_extra=file_download("application/cap+xml", description="CAP 1.2 XML"))
    def cap(request, pk: int):
        warning = services.get_warning(request.auth, pk)
        if not warning.cap_xml:
            raise NotFound("该预警尚未发布，没有 CAP 报文")
        return HttpResponse(warning.cap_xml, content_type="application/cap+xml; charset=utf-8")

    @router.get("/{int:pk}/coverage", summary="覆盖率报告", response={200: WarningCoverageOut, **errors(403)})
    def coverage(request, pk: int):
        return selectors.coverage(services.get_warning(request.auth, pk))

    return router


def imports_router() -> Router:
    router = Router(tags=["CAP 接收"])

    @router.get("/", response=ImportList, summary="CAP 接收记录")
    def list_imports(request, decision: str = "", page: int = 1, page_size: int = 50):
        qs = selectors.visible_imports(request.auth, CapImport.objects.defer("raw"))
        if decision:
            qs = qs.filter(decision=decision)
        return paginate(request, qs)

    @router.post("/", response={201: ImportOut, 422: ImportOut, **errors(400, 403)}, summary="接收 CAP：请求体为 XML，或 multipart 字段 file",
                 openapi_extra={"requestBody": {"content": {ctype: {"schema": {"type": "string", "description": "CAP 1.2 XML"}}
                                                            for ctype in ("application/cap+xml", "application/xml")}}})
    def receive(request, file: UploadedFile = File(None)):
        _check_importer(request.auth)
        if file is None and request.content_type == "multipart/form-data":
            # A form was sent (and read), but without the file: there is no XML body to fall back on.
            raise ValidationFailed("multipart 请求缺少文件字段 file", fields={"file": ["必填"]})
        raw = file.read() if file is not None else request.body
        if not raw or not raw.strip():
            raise ValidationFailed("请求体为空：请发送 CAP XML（Content-Type: application/cap+xml）或上传文件 file")
        record = imports.import_cap(raw, source="api", source_name=getattr(file, "name", "") or "API", user=request.auth)
        return Status(422 if record.decision == "reject" else 201, record)

    @router.get("/{int:pk}", response={200: ImportOut, **errors(404)}, summary="接收记录详情")
    def import_detail(request, pk: int):
        record = selectors.visible_imports(request.auth, CapImport.objects.defer("raw")).filter(pk=pk).first()
        if record is None:
            raise NotFound("接收记录不存在")
        return record

    return router


def _check_importer(user) -> None:
    capabilities.require(user, "warnings.cap_import", "您的角色无权接收外部 CAP 预警")


def imported_router() -> Router:
    router = Router(tags=["CAP 接收"])

    @router.get("/", response=ImportedList, summary="外部预警（active=1 只看有效的）")
    def list_imported(request, active: int = 0, page: int = 1, page_size: int = 50):
        qs = selectors.active_imported() if active else ImportedAlert.objects.all()
        return paginate(request, selectors.visible_imported(request.auth, qs))

    return router


def deliveries_router() -> Router:
    router = Router(tags=["预警信息发布"])

    @router.get("/", response={200: DeliveryList, **errors(403, 404)}, summary="投递记录（按预警、渠道、状态筛选）",
                description="逐条投递记录。后台生成名单的大范围预警，公众订阅用户先按批列入名单，短信发送到该批时才生成逐条记录；"
                            "按批排队的人数见 /warnings/{id}/coverage。")
    def list_deliveries(request, warning: int, channel: str = "", status: str = "", page: int = 1, page_size: int = 50):
        services.get_warning(request.auth, warning)
        qs = Delivery.objects.filter(warning_id=warning).order_by("id")
        if channel:
            qs = qs.filter(channel=channel)
        if status:
            qs = qs.filter(status=status)
        return paginate(request, qs)

    @router.post("/receipts", auth=None, summary="短信网关送达回执（请求头 X-Receipt-Token）", response={200: ReceiptsOut, **errors(403)})
    def receipts(request, payload: ReceiptsIn):
        config = ChannelConfig.objects.filter(channel="sms").first()
        token = request.headers.get("X-Receipt-Token", "")
        if config is None or not config.receipt_token or token != config.receipt_token:
            raise Forbidden("回执令牌无效")
        updated = 0
        for receipt in payload.receipts:
            if receipt.status == "delivered":
                updated += Delivery.objects.filter(pk=receipt.id, channel="sms", status__in=["sent", "sending"]).update(
                    status="delivered", delivered_at=timezone.now())
            elif receipt.status == "failed":
                updated += Delivery.objects.filter(pk=receipt.id, channel="sms", status__in=["sent", "sending"]).update(
                    status="failed", last_error=f"送达失败：{receipt.error}"[:300])
        return {"updated": updated}

    return router


def mount(api) -> None:
    api.add_router("/warnings/", warnings_router())
    api.add_router("/cap-imports/", imports_router())
    api.add_router("/imported-alerts/", imported_router())
    api.add_router("/deliveries/", deliveries_router())
