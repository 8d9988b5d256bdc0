"""API routes of the command app (mounted under /api/v1/): road networks and closures,
routing (route, nearest, coverage), plans (structured documents, matching), responses,
tasks, dispatches and allocations."""

from __future__ import annotations

from typing import Annotated, Optional

from ninja import Router, Schema, Status
from pydantic import Field

from yingji.core.api_schemas import FeatureCollection, RecordId, errors
from yingji.core import scope
from yingji.core.errors import NotFound
from yingji.core.pagination import paginate

from . import allocation, network, plans, responses, routing
from . import dispatch as dispatching
from .models import Response, RoadClosure, RoadNetwork, Task
from .schemas import (
    AllocationOut,
    ClosureList,
    ClosureOut,
    DispatchOut,
    EvacuationOut,
    MatrixOut,
    MatchOut,
    NearestOut,
    NearestPointsOut,
    NetworkList,
    PlanDocumentIn,
    PlanDocumentOut,
    RescueCoverageOut,
    ResponseDetailOut,
    ResponseList,
    RouteOut,
    ShelterCoverageOut,
    TaskDetailOut,
    TaskList,
    TaskOut,
)
from .serializers import (
    closure_json, closures_geojson, dispatch_json, network_json, operations_geojson, response_json, task_json,
)


# A travel-time limit (minutes) and the sampling grid of a coverage analysis (finer than 0.5 km is
# too slow, coarser than 50 km meaningless).
LimitMinutes = Annotated[float, Field(gt=0, le=allocation.MAX_LIMIT_MINUTES, description="时限（分钟，0–1440）")]
GridSpacing = Annotated[float, Field(ge=0.5, le=50, description="网格间距（千米，0.5–50）")]


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


class MatrixIn(Schema):
    sources: list[tuple[float, float]] = Field(description="起点 [[经度, 纬度], ...]")
    destinations: list[tuple[float, float]] = Field(description="终点 [[经度, 纬度], ...]")
    profile: str = "car"


class NearestPointsIn(Schema):
    lon: float
    lat: float
    k: int = 5
    towards_origin: bool = True
    points: list[PointIn]


def roads_router() -> Router:
    router = Router(tags=["路网与道路封闭"])

    @router.get("/networks/", summary="路网列表", response={200: NetworkList})
    def networks(request):
        qs = scope.visible(RoadNetwork.objects.all(), request.auth)
        return {"items": [network_json(n) for n in qs], "count": qs.count()}

    @router.get("/closures/", summary="道路封闭记录（active=1 只看未恢复的）", response={200: ClosureList, **errors(404)})
    def closures(request, active: bool = False):
        rows = _closures(request.auth, active)
        page = paginate(request, rows)
        return {"items": [closure_json(c) for c in page["items"]], "count": page["count"]}

    @router.get("/closures/geojson", summary="道路封闭路段（GeoJSON，未恢复）", response={200: FeatureCollection, **errors(404)})
    def closures_geo(request):
        return closures_geojson(_closures(request.auth, True))

    @router.post("/closures/", summary="封闭道路（地图点选路段或给出编号），下一次查询即生效",
                 response={201: ClosureOut, **errors(403, 404, 409)})
    def close(request, payload: ClosureIn):
        closure = network.close_road(request.auth, reason=payload.reason, lon=payload.lon, lat=payload.lat,
                                     edge_ids=payload.edge_ids, way_ids=payload.way_ids, scope_kind=payload.scope)
        return Status(201, closure_json(closure))

    @router.post("/closures/{int:pk}/reopen", summary="恢复通行", response={200: ClosureOut, **errors(403, 409)})
    def reopen(request, pk: int, payload: ReopenIn):
        closure = _closure(request.auth, pk)
        return closure_json(network.reopen_road(request.auth, closure, payload.note))

    return router


def _closures(user, active: bool):
    net = network.active_network()
    qs = scope.visible(RoadClosure.objects.filter(network=net), user)
    if active:
        qs = qs.filter(reopened_at__isnull=True)
    return list(qs.order_by("-closed_at"))


def _closure(user, pk: int) -> RoadClosure:
    closure = RoadClosure.objects.filter(pk=pk).first()
    if closure is None:
        raise NotFound(f"道路封闭记录（编号 {pk}）不存在")
    scope.check_can_see(closure, user)
    return closure


def routing_router() -> Router:
    router = Router(tags=["路径与就近调度"])

    @router.get("/route", summary="两点间最快路线（已计入道路封闭、转向和禁行；profile=car 小汽车 / emergency 应急车辆）",
                response={200: RouteOut, **errors(404)})
    def route(request, from_lon: float, from_lat: float, to_lon: float, to_lat: float, profile: str = "car"):
        return routing.route_between((from_lon, from_lat), (to_lon, to_lat), profile=profile)

    @router.post("/matrix", summary="多对多行车时间与距离矩阵（与调度、调配同一计算；无法到达为 null）",
                 response={200: MatrixOut, **errors(404)})
    def matrix(request, payload: MatrixIn):
        return routing.travel_matrix(payload.sources, payload.destinations, profile=payload.profile)

    @router.get("/nearest", summary="就近资源：按行车时间排序的前 k 个队伍/储备库/专家/避难场所",
                response={200: NearestOut, **errors(404)}, exclude_unset=True)
    def nearest(request, lon: float, lat: float, kind: str = "teams", k: int = 5, specialty: str = "",
                available_only: bool = True, routes: bool = True, profile: str = routing.DISPATCH_PROFILE):
        return routing.nearest(request.auth, lon, lat, kind, k=k, specialty=specialty,
                               available_only=available_only, with_routes=routes, profile=profile)

    @router.post("/nearest-points", summary="任意点位的就近排序（行车时间）", response={200: NearestPointsOut, **errors(404)},
                 exclude_unset=True)
    def nearest_points(request, payload: NearestPointsIn):
        results = routing.nearest_points((payload.lon, payload.lat), [(p.id, p.lon, p.lat) for p in payload.points],
                                         payload.k, payload.towards_origin)
        return {"results": results}

    @router.get("/coverage", summary="救援覆盖：给定时限内可到达的辖区面积占比（按队伍专业），未覆盖乡镇",
                response={200: RescueCoverageOut, **errors(404)})
    def coverage(request, limit_minutes: LimitMinutes = 120, specialty: str = "", spacing_km: GridSpacing = 2.0):
        return allocation.coverage(request.auth, limit_minutes=limit_minutes, specialty=specialty, spacing_km=spacing_km)

    @router.get("/shelter-coverage", summary="避难场所服务覆盖与人均避难面积（按县区）",
                response={200: ShelterCoverageOut, **errors(404)})
    def shelter_coverage(request, limit_minutes: LimitMinutes = 30, spacing_km: GridSpacing = 2.0):
        return allocation.shelter_coverage(request.auth, limit_minutes=limit_minutes, spacing_km=spacing_km)

    return router


class DemandIn(Schema):
    id: Optional[str] = None
    name: str = ""
    lon: float
    lat: float
    needs: dict[str, float]


class AllocationIn(Schema):
    demands: list[DemandIn]
    time_limit_h: float = 8.0
    load_hours: float = 4.0
    warehouse_ids: list[int] = []
    weights: dict[str, float] = {}
    neighbour_stock: Optional[dict[str, dict[str, float]]] = None


class EvacuationPointIn(Schema):
    id: Optional[str] = None
    name: str = ""
    lon: float
    lat: float
    people: int


class EvacuationIn(Schema):
    points: list[EvacuationPointIn]
    limit_minutes: LimitMinutes = 60


def allocations_router() -> Router:
    router = Router(tags=["物资调配与疏散"])

    @router.post("/relief", summary="救灾物资调配：按现有库存，4小时装车、8小时到位，最小化吨·小时；说明缺口及周边储备补足",
                 response={200: AllocationOut, **errors(403, 404)})
    def relief(request, payload: AllocationIn):
        demands = [{**d.dict(), "id": d.id or str(i + 1)} for i, d in enumerate(payload.demands)]
        return allocation.allocate(request.auth, demands, time_limit_h=payload.time_limit_h,
                                   load_hours=payload.load_hours, warehouse_ids=payload.warehouse_ids or None,
                                   weights=payload.weights, neighbour_stock=payload.neighbour_stock)

    @router.post("/evacuation", summary="疏散安置：按避难场所剩余容量和行车时间分配受影响人员",
                 response={200: EvacuationOut, **errors(404)})
    def evacuation(request, payload: EvacuationIn):
        points = [{**p.dict(), "id": p.id or str(i + 1)} for i, p in enumerate(payload.points)]
        return allocation.evacuate(request.auth, points, limit_minutes=payload.limit_minutes)

    return router


def plans_router() -> Router:
    router = Router(tags=["数字化预案"])

    @router.get("/match", summary="按事件类型和等级匹配预案与响应级别（区划须在本人管辖范围内）",
                response={200: MatchOut, **errors(403)})
    def match(request, type_code: str, division_code: str, grade: Optional[int] = None):
        return {"proposals": plans.propose(request.auth, type_code, grade, division_code)}

    @router.get("/{int:pk}/document", summary="预案结构化内容（级别、启动条件、成员单位、行动措施）",
                response={200: PlanDocumentOut, **errors(403)})
    def document(request, pk: int):
        return plans.plan_document(plans.get_plan(request.auth, pk))

    @router.post("/structured", summary="以结构化文档新建预案（含级别、成员单位和行动措施）",
                 response={201: PlanDocumentOut, **errors(403, 409)})
    def create(request, payload: PlanDocumentIn):
        document = payload.dict(exclude_unset=True)
        return Status(201, plans.plan_document(plans.create_plan(request.auth, document)))

    return router


class ActivateIn(Schema):
    incident_id: int
    plan_id: int
    level: int
    reason: str = ""


class LevelIn(Schema):
    level: int
    reason: str


class ReasonIn(Schema):
    reason: str


class TaskActionIn(Schema):
    action: str
    note: str = ""
    version: Optional[int] = None


class NewTaskIn(Schema):
    unit_name: str
    title: str
    organisation_id: Optional[int] = None
    due_minutes: Optional[int] = None


class TeamDispatchIn(Schema):
    team_id: Optional[int] = None
    nearest: bool = False
    specialty: str = ""
    note: str = ""
    consent: str = ""  # required for a social emergency force: who agreed, when and how


class ExpertDispatchIn(Schema):
    expert_id: int
    note: str = ""


class MaterialDispatchIn(Schema):
    warehouse_id: int
    material_id: int
    quantity: str
    signer: str
    to_warehouse_id: Optional[int] = None
    destination: str = ""
    note: str = ""


class DispatchStateIn(Schema):
    state: str
    note: str = ""


def operations_router() -> Router:
    router = Router(tags=["应急响应、任务与调度"])

    @router.get("/responses/", summary="应急响应列表（state=active 只看进行中）", response={200: ResponseList})
    def list_responses(request, state: str = "", incident: Optional[RecordId] = None):
        qs = scope.visible(Response.objects.select_related("plan"), request.auth)
        if state:
            qs = qs.filter(state=state)
        if incident:
            qs = qs.filter(incident_id=incident)
        page = paginate(request, qs.order_by("-activated_at", "-id"))
        return {"items": [response_json(r) for r in page["items"]], "count": page["count"]}

    @router.get("/responses/geojson", summary="进行中的响应和在途调度路线（GeoJSON）", response={200: FeatureCollection})
    def responses_geo(request):
        qs = scope.visible(Response.objects.filter(state="active").select_related("plan", "incident"), request.auth)
        return operations_geojson(qs)

    @router.post("/responses/", summary="启动应急响应（事件、预案、级别），预案措施转为任务",
                 response={201: ResponseDetailOut, **errors(403, 404, 409)})
    def activate(request, payload: ActivateIn):
        incident = responses.get_incident(request.auth, payload.incident_id)
        r = responses.activate(request.auth, incident, payload.plan_id, payload.level, payload.reason)
        return Status(201, response_json(r, detail=True))

    @router.get("/responses/{int:pk}", summary="应急响应详情（记录、任务、调度）", response={200: ResponseDetailOut, **errors(403)})
    def detail(request, pk: int):
        return response_json(responses.get_response(request.auth, pk), detail=True)

    @router.post("/responses/{int:pk}/level", summary="调整响应级别", response={200: ResponseDetailOut, **errors(403, 409)})
    def change_level(request, pk: int, payload: LevelIn):
        r = responses.change_level(request.auth, responses.get_response(request.auth, pk), payload.level, payload.reason)
        return response_json(r, detail=True)

    @router.post("/responses/{int:pk}/stand-down", summary="终止响应", response={200: ResponseDetailOut, **errors(403, 409)})
    def stand_down(request, pk: int, payload: ReasonIn):
        r = responses.stand_down(request.auth, responses.get_response(request.auth, pk), payload.reason)
        return response_json(r, detail=True)

    @router.post("/responses/{int:pk}/tasks", summary="下达任务", response={201: TaskOut, **errors(403, 409)})
    def add_task(request, pk: int, payload: NewTaskIn):
        t = responses.new_task(request.auth, responses.get_response(request.auth, pk), payload.unit_name,
                               payload.title, payload.organisation_id, payload.due_minutes)
        return Status(201, task_json(t))

    @router.post("/responses/{int:pk}/dispatch/team", summary="调派队伍（指定或就近）", response={201: DispatchOut, **errors(403, 409)})
    def dispatch_team(request, pk: int, payload: TeamDispatchIn):
        r = responses.get_response(request.auth, pk)
        if payload.nearest or payload.team_id is None:
            d = dispatching.dispatch_nearest_team(request.auth, r, payload.specialty, payload.note)
        else:
            d = dispatching.dispatch_team(request.auth, r, payload.team_id, payload.note, payload.consent)
        return Status(201, dispatch_json(d))

    @router.post("/responses/{int:pk}/dispatch/expert", summary="邀请专家", response={201: DispatchOut, **errors(403, 409)})
    def dispatch_expert(request, pk: int, payload: ExpertDispatchIn):
        d = dispatching.dispatch_expert(request.auth, responses.get_response(request.auth, pk), payload.expert_id,
                                        payload.note)
        return Status(201, dispatch_json(d))

    @router.post("/responses/{int:pk}/dispatch/material", summary="调运物资（出库/调拨记入物资台账）",
                 response={201: DispatchOut, **errors(403, 409)})
    def dispatch_material(request, pk: int, payload: MaterialDispatchIn):
        d = dispatching.dispatch_material(request.auth, responses.get_response(request.auth, pk),
                                          **payload.dict())
        return Status(201, dispatch_json(d))

    @router.post("/dispatches/{int:pk}/state", summary="调度状态：在途 → 到达现场 → 归队（物资：送达）",
                 response={200: DispatchOut, **errors(403, 409)})
    def dispatch_state(request, pk: int, payload: DispatchStateIn):
        d = dispatching.set_state(request.auth, dispatching.get_dispatch(request.auth, pk), payload.state, payload.note)
        return dispatch_json(d)

    @router.get("/tasks/", summary="任务列表", response={200: TaskList})
    def list_tasks(request, state: str = "", incident: Optional[RecordId] = None, unit: str = ""):
        qs = scope.visible(Task.objects.all(), request.auth)
        if state:
            qs = qs.filter(state=state)
        if incident:
            qs = qs.filter(incident_id=incident)
        if unit:
            qs = qs.filter(unit_name__icontains=unit)
        page = paginate(request, qs.order_by("-id"))
        return {"items": [task_json(t) for t in page["items"]], "count": page["count"]}

    @router.get("/tasks/{int:pk}", summary="任务详情（含记录）", response={200: TaskDetailOut, **errors(403)})
    def task_detail(request, pk: int):
        return task_json(responses.get_task(request.auth, pk), notes=True)

    @router.post("/tasks/{int:pk}/transition", summary="任务状态：accept 签收 / start 开始 / complete 办结 / cancel 撤销",
                 response={200: TaskDetailOut, **errors(403, 409)})
    def task_transition(request, pk: int, payload: TaskActionIn):
        t = responses.transition_task(request.auth, responses.get_task(request.auth, pk), payload.action, payload.note,
                                      expected_version=payload.version)
        return task_json(t, notes=True)

    return router


def mount(api) -> None:
    api.add_router("/", operations_router())
    api.add_router("/roads/", roads_router())
    api.add_router("/routing/", routing_router())
    api.add_router("/allocations/", allocations_router())
    api.add_router("/plans/", plans_router())
