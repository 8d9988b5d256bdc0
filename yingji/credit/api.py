"""API: /api/v1/credit/ — the credit query other departments use for joint punishment (by name
or unified social credit code) and the listing steps. Errors in the one shape."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from ninja import Router, Schema, Status

from yingji.core.api_schemas import errors, page_of
from yingji.core.errors import NotFound
from yingji.core.pagination import paginate
from yingji.regions.models import Enterprise
from yingji.core import scope

from . import selectors, services

ERRORS = errors(400, 403, 404)


class CreditListingOut(Schema):
    id: int
    enterprise_id: int
    condition: str
    state: str
    state_label: str
    penalty_reference: str
    decision_number: str
    notice_on: dt.date
    objection_due: Optional[dt.date]
    decided_on: Optional[dt.date]
    published_on: Optional[dt.date]
    early_removal_from: Optional[dt.date]
    expires_on: Optional[dt.date]
    removed_on: Optional[dt.date]
    version: int

    @staticmethod
    def resolve_state_label(obj):
        return obj.get_state_display()


CreditListingList = page_of(CreditListingOut, "CreditListingList")


class CreditEventOut(Schema):
    day: Optional[dt.date]
    kind: str
    text: str


class CreditStatusOut(Schema):
    enterprise_id: int
    name: str
    uscc: str
    on_list: bool
    status: str
    listing: Optional[CreditListingOut]
    record: list[CreditEventOut]


class CreditProposeIn(Schema):
    enterprise: int
    condition: str
    penalty_reference: str = ""
    case: Optional[int] = None
    persons: str = ""
    facts: str
    notice_on: Optional[dt.date] = None


class CreditStepIn(Schema):
    action: str
    version: Optional[int] = None
    fields: dict[str, str | bool] = {}


def _status(enterprise) -> dict:
    status = selectors.status_of(enterprise)
    return {"enterprise_id": enterprise.pk, "name": enterprise.name, "uscc": enterprise.uscc,
            "on_list": status["on_list"], "status": status["label"], "listing": status["listing"],
            "record": selectors.profile(enterprise)}


def credit_router() -> Router:
    router = Router(tags=["安全生产信用"])

    @router.get("/", response={200: list[CreditStatusOut]}, summary="信用查询：按企业名称或统一社会信用代码（联合惩戒）")
    def query(request, q: str):
        return [_status(e) for e in selectors.search(request.auth, q)]

    @router.get("/listings/", response={200: CreditListingList}, summary="严重失信主体名单记录（本人管辖范围）")
    def listings(request, state: str = "", page: int = 1, page_size: int = 50):
        return paginate(request, selectors.listings(request.auth, state))

    @router.post("/listings/", response={201: CreditListingOut, **ERRORS, **errors(409)}, summary="拟列入：告知当事人")
    def propose(request, payload: CreditProposeIn):
        from yingji.enforcement.models import Case

        data = payload.dict(exclude_none=True)
        data["enterprise"] = scope.get_visible(Enterprise.objects.all(), payload.enterprise, request.auth, "企业")
        if payload.case:
            data["case"] = scope.get_visible(Case.objects.all(), payload.case, request.auth, "行政处罚案件")
        return Status(201, services.propose(request.auth, data))

    @router.post("/listings/{int:pk}/step", response={200: CreditListingOut, **ERRORS, **errors(409)},
                 summary="名单程序的一步（异议、决定、公示、信用修复、移出）")
    def step(request, pk: int, payload: CreditStepIn):
        return services.step(request.auth, pk, payload.action, payload.fields, expected_version=payload.version)

    @router.get("/{str:uscc}", response={200: CreditStatusOut, **ERRORS}, summary="按统一社会信用代码查询信用状况")
    def by_code(request, uscc: str):
        enterprise = scope.visible(Enterprise.objects.all(), request.auth).filter(uscc=uscc.upper()).first()
        if enterprise is None:
            raise NotFound(f"统一社会信用代码 {uscc} 不在您的查询范围内或不存在")
        return _status(enterprise)

    return router


def mount(api) -> None:
    api.add_router("/credit/", credit_router())
