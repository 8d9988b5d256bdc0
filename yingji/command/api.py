"""API routes of the command app (mounted under /api/v1/): road networks and closures,
routing (route, nearest, coverage), plans (structured documents, matching), responses,
tasks, dispatches and allocations."""

from __future__ import annotations

from typing import Optional

from ninja import Body, Router, Schema, Status

from yingji.core.errors import NotFound

from . import network, plans, routing
from .models import RoadClosure, RoadNetwork
from .serializers import closure_json, closures_geojson, network_json


class ClosureIn(Schema):
    reason: str
    lon: Optional[float] = None
    lat: Optional[float] = None
    scope: str = "segment"
    edge_ids: list[int] = []
    way_ids: list[int] = []


class ReopenIn(Schema):
    note: str = ""


class PointIn(Schema):
    id: str
    lon: float
    lat: float


class NearestPointsIn(Schema):
    lon: float
    lat: float
    k: int = 5
    towards_origin: bool = True
    points: list[PointIn]


def roads_router() -> Router:
    router = Router(tags=["路网与道路封闭"])

    @router.get("/networks/", summary="路网列表", response={200: dict})
    def networks(request):
        from yingji.core import scope

        qs = scope.visible(RoadNetwork.objects.all(), request.auth)
        return {"items": [network_json(n) for n in qs], "count": qs.count()}

    @router.get("/closures/", summary="道路封闭记录（active=1 只看未恢复的）", response={200: dict})
    def closures(request, active: bool = False):
        qs = _closures(request.auth, active)
        return {"items": [closure_json(c) for c in qs], "count": len(qs)}

    @router.get("/closures/geojson", summary="道路封闭路段（GeoJSON，未恢复）", response={200: dict})
    def closures_geo(request):
        return closures_geojson(_closures(request.auth, True))

    @router.post("/closures/", summary="封闭道路（地图点选路段或给出编号），下一次查询即生效", response={201: dict})
    def close(request, payload: ClosureIn):
        closure = network.close_road(request.auth, reason=payload.reason, lon=payload.lon, lat=payload.lat,
                                     edge_ids=payload.edge_ids, way_ids=payload.way_ids, scope_kind=payload.scope)
        return Status(201, closure_json(closure))

    @router.post("/closures/{int:pk}/reopen", summary="恢复通行", response={200: dict})
    def reopen(request, pk: int, payload: ReopenIn):
        closure = _closure(request.auth, pk)
        return closure_json(network.reopen_road(request.auth, closure, payload.note))

    return router


def _closures(user, active: bool):
    from yingji.core import scope

    net = network.active_network()
    qs = scope.visible(RoadClosure.objects.filter(network=net), user)
    if active:
        qs = qs.filter(reopened_at__isnull=True)
    return list(qs.order_by("-closed_at"))


def _closure(user, pk: int) -> RoadClosure:
    from yingji.core import scope

    closure = RoadClosure.objects.filter(pk=pk).first()
    if closure is None:
        raise NotFound(f"道路封闭记录（编号 {pk}）不存在")
    scope.check_can_see(closure, user)
    return closure


def routing_router() -> Router:
    router = Router(tags=["路径与就近调度"])

    @router.get("/route", summary="两点间最快路线（已计入道路封闭）", response={200: dict})
    def route(request, from_lon: float, from_lat: float, to_lon: float, to_lat: float):
        return routing.route_between((from_lon, from_lat), (to_lon, to_lat))

    @router.get("/nearest", summary="就近资源：按行车时间排序的前 k 个队伍/储备库/专家/避难场所", response={200: dict})
    def nearest(request, lon: float, lat: float, kind: str = "teams", k: int = 5, specialty: str = "",
                available_only: bool = True, routes: bool = True):
        return routing.nearest(request.auth, lon, lat, kind, k=k, specialty=specialty,
                               available_only=available_only, with_routes=routes)

    @router.post("/nearest-points", summary="任意点位的就近排序（行车时间）", response={200: dict})
    def nearest_points(request, payload: NearestPointsIn):
        results = routing.nearest_points((payload.lon, payload.lat), [(p.id, p.lon, p.lat) for p in payload.points],
                                         payload.k, payload.towards_origin)
        return {"results": results}

    return router


def plans_router() -> Router:
    router = Router(tags=["数字化预案"])

    @router.get("/match", summary="按事件类型和等级匹配预案与响应级别", response={200: dict})
    def match(request, type_code: str, division_code: str, grade: Optional[int] = None):
        return {"proposals": plans.propose(request.auth, type_code, grade, division_code)}

    @router.get("/{int:pk}/document", summary="预案结构化内容（级别、启动条件、成员单位、行动措施）", response={200: dict})
    def document(request, pk: int):
        return plans.plan_document(plans.get_plan(request.auth, pk))

    @router.post("/structured", summary="以结构化文档新建预案（含级别、成员单位和行动措施）", response={201: dict})
    def create(request, payload: dict = Body(...)):
        return Status(201, plans.plan_document(plans.create_plan(request.auth, payload)))

    return router


def mount(api) -> None:
    api.add_router("/roads/", roads_router())
    api.add_router("/routing/", routing_router())
    api.add_router("/plans/", plans_router())
