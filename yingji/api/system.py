"""Platform routes: current user, divisions and boundaries, users, audit log, tokens."""

from __future__ import annotations

import datetime as dt
from typing import Optional

from django.http import HttpResponse
from ninja import Router, Schema, Status

from yingji.accounts import services as accounts
from yingji.audit.models import AuditEntry
from yingji.core import capabilities
from yingji.core import search as nav_search
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.pagination import paginate
from yingji.geo import divcodes
from yingji.regions.models import Division
from yingji.regions.services import county_at, full_name, label_point, visible_divisions

from yingji.core.api_schemas import FeatureCollection, Latitude, Longitude, errors


class MeOut(Schema):
    username: str
    full_name: str
    role: str
    role_label: str
    region_code: str
    enterprise_id: Optional[int]


class DivisionOut(Schema):
    code: str
    name: str
    level: str
    parent_id: Optional[str]
    synthetic: bool
    centroid_lon: Optional[float]
    centroid_lat: Optional[float]


class DivisionAtOut(Schema):
    code: Optional[str]
    name: Optional[str]


class DivisionList(Schema):
    items: list[DivisionOut]
    count: int


class UserOut(Schema):
    id: int
    username: str
    full_name: str
    role: str
    region_code: str
    phone: str
    is_active: bool
    enterprise_id: Optional[int]


class UserList(Schema):
    items: list[UserOut]
    count: int


class UserIn(Schema):
    username: str
    password: str
    role: str
    region_code: str
    full_name: str = ""
    phone: str = ""
    enterprise_id: Optional[int] = None


class UserPatch(Schema):
    role: Optional[str] = None
    region_code: Optional[str] = None
    full_name: Optional[str] = None
    phone: Optional[str] = None
    is_active: Optional[bool] = None
    password: Optional[str] = None
    enterprise_id: Optional[int] = None


class AuditOut(Schema):
    id: int
    at: dt.datetime
    actor_name: str
    address: str
    action: str
    model: str
    object_id: str
    object_repr: str
    division_code: str
    changed_fields: list
    before: Optional[dict]
    after: Optional[dict]
    note: str


class AuditList(Schema):
    items: list[AuditOut]
    count: int


class SearchPageOut(Schema):
    title: str
    url: str
    group: str


class SearchRecordOut(Schema):
    kind: str
    kind_label: str
    title: str
    url: str
    where: str
    detail: str


class SearchOut(Schema):
    query: str
    pages: list[SearchPageOut]
    records: list[SearchRecordOut]
    more: dict[str, str]


def mount(api) -> None:
    router = Router(tags=["平台"])

    @router.get("/me", response=MeOut, summary="当前用户")
    def me(request):
        user = request.auth
        return {"username": user.username, "full_name": user.full_name, "role": user.role,
                "role_label": user.role_label, "region_code": user.region_code, "enterprise_id": user.enterprise_id}

    @router.get("/search", response=SearchOut, summary="导航搜索：页面与记录（本人管辖范围和权限内，每类最多 limit 条）")
    def search(request, response: HttpResponse, q: str = "", limit: int = nav_search.PER_KIND):
        response["Cache-Control"] = "private, max-age=30"
        return nav_search.search(request.auth, q, limit)

    @router.get("/divisions/", response=DivisionList, summary="行政区划（本人管辖范围内）")
    def divisions(request, level: str = "", parent: str = ""):
        qs = visible_divisions(request.auth, level or None)
        if parent:
            qs = qs.filter(parent_id=divcodes.normalise(parent))
        return paginate(request, qs.order_by("code"))

    @router.get("/divisions/at", summary="点位所在县区（按真实县界；坐标为 WGS-84）", response={200: DivisionAtOut})
    def division_at(request, lon: Longitude, lat: Latitude):
        code = county_at(lon, lat)
        return {"code": code, "name": full_name(code) if code else None}

    @router.get("/divisions/geojson", summary="行政区划边界 GeoJSON（WGS-84）", response={200: FeatureCollection})
    def division_geojson(request, level: str = "county"):
        user = request.auth
        if level not in divcodes.LEVELS:
            raise ValidationFailed("level 取值应为 city、county 或 township", fields={"level": ["无效"]})
        qs = Division.objects.filter(level=level, geometry__isnull=False)
        # A county user still sees the outline of its own city.
        qs = qs.filter(code__startswith=user.scope_prefix[:4] if level == "city" else user.scope_prefix)
        return {
            "type": "FeatureCollection",
            "features": [
                {"type": "Feature", "geometry": d.geometry,
                 "properties": {"code": d.code, "short_code": d.short_code, "name": d.name, "level": d.level,
                                "synthetic": d.synthetic, "source": d.source, "label_point": label_point(d)}}
                for d in qs
            ],
        }

    @router.get("/users/", response={200: UserList, **errors(403)}, summary="用户列表（管理员）")
    def users(request, q: str = ""):
        return paginate(request, accounts.search_users(request.auth, q))

    @router.post("/users/", response={201: UserOut, **errors(403, 409)}, summary="新增用户（管理员）")
    def create_user(request, payload: UserIn):
        return Status(201, accounts.create_user(request.auth, **payload.dict()))

    @router.patch("/users/{int:pk}", response={200: UserOut, **errors(403, 409)}, summary="修改用户（管理员）")
    def update_user(request, pk: int, payload: UserPatch):
        user = accounts.managed_users(request.auth).filter(pk=pk).first()
        if user is None:
            raise NotFound(f"用户（编号 {pk}）不存在或不在您的管辖范围内")
        return accounts.update_user(request.auth, user, **payload.dict(exclude_unset=True))

    @router.get("/audit/", response={200: AuditList, **errors(403)}, summary="审计日志（管理员，只读）")
    def audit_log(request, actor: str = "", action: str = "", model: str = "", object_id: str = "",
                  since: Optional[dt.datetime] = None, until: Optional[dt.datetime] = None):
        return paginate(request, audit_queryset(request.auth, actor=actor, action=action, model=model,
                                                object_id=object_id, since=since, until=until))

    api.add_router("/", router)


def audit_queryset(user, *, actor="", action="", model="", object_id="", since=None, until=None):
    capabilities.require(user, "audit.view", "只有管理员可以查看审计日志")
    qs = AuditEntry.objects.all()
    if not capabilities.has(user, "audit.view_all_regions") or len(user.scope_prefix) > 2:
        qs = qs.filter(division_code__startswith=user.scope_prefix)
    if actor:
        qs = qs.filter(actor_name__icontains=actor)
    if action:
        qs = qs.filter(action=action)
    if model:
        qs = qs.filter(model__icontains=model)
    if object_id:
        qs = qs.filter(object_id=object_id)
    if since:
        qs = qs.filter(at__gte=since)
    if until:
        qs = qs.filter(at__lt=until)
    return qs.order_by("-at", "-id")
