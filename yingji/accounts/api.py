"""API tokens: list, issue (shown once) and revoke — one's own, or, for an administrator, those of
the users they manage."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from ninja import Router, Schema, Status

from yingji.core.api_schemas import RecordId, errors

from . import services
from .models import User


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    created_at: dt.datetime
    expires_at: Optional[dt.datetime]
    last_used_at: Optional[dt.datetime]
    revoked: bool
    revoked_at: Optional[dt.datetime]
    revoked_reason: str
    status_label: str


class TokenList(Schema):
    items: list[TokenOut]
    count: int


class TokenIn(Schema):
    name: str = "api"
    days: Optional[int] = None


class TokenIssued(Schema):
    token: str
    expires_at: Optional[dt.datetime]
    note: str


ERRORS = errors(400, 401, 403, 404)


def _owner(request, user_id: Optional[int]) -> User:
    if not user_id or user_id == request.auth.pk:
        return request.auth
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        raise services.NotFound("用户不存在")
    return user


def mount(api) -> None:
    router = Router(tags=["API 令牌"])

    @router.get("/", response={200: TokenList, **ERRORS}, operation_id="tokens_list",
                summary="API 令牌列表（本人；管理员可带 user 查看所管用户的令牌）")
    def list_tokens(request, user: Optional[RecordId] = None):
        rows = list(services.tokens_of(request.auth, _owner(request, user)))
        return {"items": rows, "count": len(rows)}

    @router.post("/", response={201: TokenIssued, **ERRORS}, operation_id="tokens_issue",
                 summary="为本人签发 API 令牌（令牌只显示这一次）")
    def issue(request, payload: TokenIn):
        token = services.issue_token(request.auth, payload.name, days=payload.days)
        row = services.tokens_of(request.auth, request.auth).get(prefix=token[:8], revoked=False)
        return Status(201, {"token": token, "expires_at": row.expires_at, "note": "令牌只显示这一次，请妥善保存"})

    @router.delete("/{int:pk}", response={200: TokenOut, **ERRORS}, operation_id="tokens_revoke",
                   summary="吊销令牌（本人或所管用户的）")
    def revoke(request, pk: int):
        return services.revoke_token(request.auth, pk)

    api.add_router("/tokens/", router)
