"""API: /api/v1/exchange/ — the child→parent delivery endpoint (``sync``, authenticated by the
envelope's signature, not by a user token), the links' state, the pending queue and the records
received. The body schema of every exchanged kind is published here (``ReceivedDetail.body``)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Optional, Union

from django.http import HttpResponse
from ninja import Router, Schema, Status

from yingji.core import capabilities, scope
from yingji.core.api_schemas import errors, page_of
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import paginate

from . import selectors, services, signing
from .schemas import (DrillV1, EnvelopeV1, HazardSourceV1, IncidentV1, InstructionV1, LossReportV1, PlanV1, RescueTeamV1,
                      SupervisionTaskV1, TrainingV1, WarehouseV1, WarningV1)


class ChildLinkOut(Schema):
    id: int
    name: str
    division_code: str
    key_id: str
    active: bool
    last_contact_at: Optional[dt.datetime]
    child_pending: int
    parent_pending: int
    received_count: int
    last_error: str
    last_error_at: Optional[dt.datetime]
    state: str
    state_label: str


ChildLinkList = page_of(ChildLinkOut, "ExchangeChildList")


class ChildLinkIn(Schema):
    name: str
    division_code: str


class ChildIssued(Schema):
    link: ChildLinkOut
    credential: str


class ParentLinkOut(Schema):
    id: int
    name: str
    url: str
    division_code: str
    active: bool
    last_contact_at: Optional[dt.datetime]
    last_attempt_at: Optional[dt.datetime]
    next_attempt_at: dt.datetime
    failures: int
    last_error: str
    pending: int
    state: str
    state_label: str


class ParentLinkIn(Schema):
    name: str = "上级平台"
    url: str
    credential: str


class QueuedOut(Schema):
    id: int
    message_id: str
    direction: str
    kind: str
    kind_label: str
    title: str
    record_key: str
    seq: int
    created_at: dt.datetime
    attempts: int
    last_error: str
    sent_at: Optional[dt.datetime]
    sent_via: str


QueueList = page_of(QueuedOut, "ExchangeQueue")


class ReceivedOut(Schema):
    id: int
    direction: str
    kind: str
    kind_label: str
    schema_id: str
    record_key: str
    origin_code: str
    division_code: str
    seq: int
    title: str
    deleted: bool
    received_at: dt.datetime


ReceivedList = page_of(ReceivedOut, "ExchangeReceivedList")


class ReceivedDetail(ReceivedOut):
    body: Optional[Union[IncidentV1, WarningV1, LossReportV1, SupervisionTaskV1, InstructionV1, HazardSourceV1,
                         RescueTeamV1, WarehouseV1, DrillV1, TrainingV1, PlanV1]]


class SyncQueued(Schema):
    queued: bool


ERRORS = errors(400, 403, 404)


def exchange_router() -> Router:
    router = Router(tags=["上下级平台对接"])

    @router.post("/sync", auth=None, response={200: EnvelopeV1, **errors(400, 401, 403)},
                 summary="下级平台上报并取回下发消息（以凭据签名认证，见 docs/exchange.md）")
    def sync(request, payload: EnvelopeV1):
        try:
            envelope = json.loads(request.body)
        except ValueError as exc:  # the schema already parsed it; kept for a body that changed under us
            raise ValidationFailed("请求体不是有效的 JSON") from exc
        answer = services.receive_from_child(envelope)
        return HttpResponse(signing.canonical(answer), content_type="application/json")

    @router.get("/children/", response={200: ChildLinkList, **errors(403)}, summary="下级平台及其连接状态")
    def children(request, page: int = 1, page_size: int = 50):
        capabilities.require(request.auth, "exchange.view")
        return paginate(request, selectors.children(request.auth))

    @router.post("/children/", response={201: ChildIssued, **ERRORS}, summary="登记下级平台并签发凭据（凭据只显示一次）")
    def issue(request, payload: ChildLinkIn):
        link, credential = services.issue_child(request.auth, payload.name, payload.division_code)
        return Status(201, {"link": selectors.child_row(link), "credential": credential})

    @router.get("/parent", response={200: ParentLinkOut, **ERRORS}, summary="上级平台连接状态与待上报条数")
    def parent(request):
        capabilities.require(request.auth, "exchange.view")
        row = selectors.parent_row()
        if row is None:
            raise NotFound("尚未配置上级平台")
        return row

    @router.post("/parent", response={201: ParentLinkOut, **ERRORS}, summary="配置上级平台（地址与上级签发的凭据）")
    def configure(request, payload: ParentLinkIn):
        services.configure_parent(request.auth, payload.name, payload.url, payload.credential)
        return Status(201, selectors.parent_row())

    @router.post("/parent/sync", response={202: SyncQueued, **ERRORS}, summary="立即与上级平台同步（不等待退避时间）")
    def sync_now(request):
        services.sync_now(request.auth)
        return Status(202, {"queued": True})

    @router.get("/queue/", response={200: QueueList, **errors(403)}, summary="待发送消息队列（未被对方确认）")
    def queue(request, page: int = 1, page_size: int = 50):
        capabilities.require(request.auth, "exchange.view")
        return paginate(request, selectors.queue(request.auth))

    @router.get("/received/", response={200: ReceivedList, **errors(403)}, summary="收到的上下级报送记录")
    def received(request, kind: str = "", page: int = 1, page_size: int = 50):
        capabilities.require(request.auth, "exchange.view")
        return paginate(request, selectors.received_rows(request.auth, kind))

    @router.get("/received/{int:pk}", response={200: ReceivedDetail, **errors(403, 404)},
                summary="一条报送记录的最新内容（按类型的版本化格式）")
    def received_detail(request, pk: int):
        capabilities.require(request.auth, "exchange.view")
        record = selectors.received(request.auth, pk)
        return selectors.received_row(record, body=True)

    return router


def mount(api) -> None:
    api.add_router("/exchange/", exchange_router())
