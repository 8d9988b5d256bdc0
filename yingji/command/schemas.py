"""Typed bodies and answers of the command API (the dicts ``serializers``, ``routing``,
``allocation`` and ``plans`` build, field for field)."""

from __future__ import annotations

from typing import Optional, Union

from ninja import Schema
from pydantic import ConfigDict, Field

from yingji.core.api_schemas import page_of

Number = Union[int, float]
PointId = Union[int, str]


# ----- roads -------------------------------------------------------------------------------
class NetworkOut(Schema):
    id: int
    name: str
    source_kind: str
    source: str
    licence: str
    n_nodes: int
    n_edges: int
    is_active: bool
    is_synthetic: bool
    created_at: str


class ClosureOut(Schema):
    id: int
    network_id: int
    scope: str
    edge_ids: list[int]
    way_ids: list[int]
    road_label: str
    reason: str
    lon: Optional[float]
    lat: Optional[float]
    division_code: str
    closed_at: str
    closed_at_local: Optional[str]
    closed_by: str
    reopened_at: Optional[str]
    reopened_at_local: Optional[str]
    reopen_note: str
    active: bool
    version: int
    is_synthetic: bool


NetworkList = page_of(NetworkOut, "RoadNetworkList")
ClosureList = page_of(ClosureOut, "RoadClosureList")


# ----- routing -----------------------------------------------------------------------------
class RouteOut(Schema):
    seconds: Optional[float]
    metres: Optional[float]
    reachable: bool
    route: list[list[Number]]
    snap_m: list[float] = Field(description="起点、终点到所吸附道路的直线距离（米）")
    profile: str = Field(description="车辆类型：car 小汽车 / emergency 应急车辆")
    profile_label: str


class MatrixSnapOut(Schema):
    sources: list[float]
    destinations: list[float]


class MatrixOut(Schema):
    durations_s: list[list[Optional[float]]] = Field(description="每个起点一行，无法到达为 null")
    distances_m: list[list[Optional[float]]]
    snap_m: MatrixSnapOut
    profile: str
    profile_label: str


class RankedOut(Schema):
    """One ranked point; ``route`` only when routes were asked for."""

    id: PointId
    seconds: Optional[float]
    metres: Optional[float]
    minutes: Optional[float]
    reachable: bool
    route: list[list[Number]] = []


class NearestItemOut(RankedOut):
    """A ranked team / warehouse / expert / shelter, with the kind's own extra fields beside these
    (e.g. a team's specialty and members, a shelter's free capacity)."""

    model_config = ConfigDict(extra="allow")
    name: str
    kind: str
    status: str
    lon: float
    lat: float
    url: str


class NetworkBrief(Schema):
    id: int
    name: str
    synthetic: bool
    licence: str
    active_closures: int


class NearestOut(Schema):
    origin: list[Number]
    kind: str
    kind_label: str
    specialty: str
    candidates: int
    results: list[NearestItemOut]
    network: NetworkBrief
    profile: str
    profile_label: str


class NearestPointsOut(Schema):
    results: list[RankedOut]


class TownshipShare(Schema):
    code: str
    name: str
    share: float


class RescueCoverageOut(Schema):
    limit_minutes: float
    specialty: str
    teams: int
    territory_share: float
    townships: list[TownshipShare]
    uncovered: list[TownshipShare]
    sample_spacing_km: float
    note: str


class ShelterCountyOut(Schema):
    county: str
    name: str
    shelters: int
    capacity: int
    effective_area_m2: float
    area_per_capacity_m2: Optional[float]
    territory_share: float


class ShelterCoverageOut(Schema):
    limit_minutes: float
    counties: list[ShelterCountyOut]
    note: str


# ----- allocation and evacuation -----------------------------------------------------------
class FlowOut(Schema):
    warehouse_id: int
    warehouse: str
    demand_id: PointId
    demand: str
    material: str
    material_name: str
    unit: str
    quantity: Number
    tonnes: Number
    arrival_hours: Number


class ShortageOut(Schema):
    demand_id: PointId
    demand: str
    material: str
    material_name: str
    quantity: Number


class ContributionOut(Schema):
    name: str
    quantity: Number
    hours: Number


class NeighbourReserveOut(Schema):
    material: str
    material_name: str
    shortage: Number
    remaining: Number
    closed: bool
    message: str
    contributions: list[ContributionOut]


class AllocationOut(Schema):
    time_limit_h: float
    load_hours: float
    fulfilled: bool
    summary: str
    tonne_hours: Number
    flows: list[FlowOut]
    shortages: list[ShortageOut]
    neighbour_reserves: list[NeighbourReserveOut]
    neighbour_stock_source: str
    network: str


class AssignmentOut(Schema):
    point_id: PointId
    point: str
    shelter_id: int
    shelter: str
    people: Number
    minutes: Number


class UnassignedOut(Schema):
    point_id: PointId
    point: str
    people: Number


class ShelterLoadOut(Schema):
    shelter_id: int
    shelter: str
    people: Number


class EvacuationOut(Schema):
    summary: str
    limit_minutes: float
    assignments: list[AssignmentOut]
    unassigned: list[UnassignedOut]
    shelter_load: list[ShelterLoadOut]


# ----- plans -------------------------------------------------------------------------------
class PlanActionIn(Schema):
    unit_name: str = ""
    organisation_id: Optional[int] = None
    action: str = ""
    due_minutes: Optional[int] = None


class PlanLevelIn(Schema):
    level: Optional[int] = None
    incident_grades: list[int] = []
    activation_conditions: str = ""
    commander: str = ""
    decided_by: str = ""
    actions: list[PlanActionIn] = []


class PlanMemberIn(Schema):
    unit_name: str = ""
    organisation_id: Optional[int] = None
    role: str = ""
    duties: str = ""


class PlanDocumentIn(Schema):
    """A plan with its response levels (Ⅰ–Ⅳ), member units and actions; checked by the service."""

    name: str
    kind: Optional[str] = None
    event_types: list[str] = []
    division_code: Optional[str] = None
    headquarters_id: Optional[int] = None
    hq_composition: Optional[str] = None
    lead_unit: Optional[str] = None
    document_number: Optional[str] = None
    source: Optional[str] = None
    summary: Optional[str] = None
    is_active: Optional[bool] = None
    members: list[PlanMemberIn] = []
    levels: list[PlanLevelIn] = []


class PlanActionOut(Schema):
    id: int
    unit_name: str
    organisation_id: Optional[int]
    action: str
    due_minutes: Optional[int]


class PlanLevelOut(Schema):
    level: int
    incident_grades: list[int]
    activation_conditions: str
    commander: str
    decided_by: str
    actions: list[PlanActionOut]


class PlanMemberOut(Schema):
    unit_name: str
    organisation_id: Optional[int]
    role: str
    duties: str


class PlanDocumentOut(Schema):
    id: int
    name: str
    kind: str
    kind_label: str
    event_types: list[str]
    division_code: str
    headquarters_id: Optional[int]
    headquarters: str
    hq_composition: str
    lead_unit: str
    document_number: str
    source: str
    summary: str
    is_active: bool
    is_synthetic: bool
    members: list[PlanMemberOut]
    levels: list[PlanLevelOut]


class ProposalOut(Schema):
    plan_id: int
    plan_name: str
    level: Optional[int]
    level_label: str
    reasons: list[str]


class MatchOut(Schema):
    proposals: list[ProposalOut]


# ----- responses, tasks, dispatches --------------------------------------------------------
class TaskNoteOut(Schema):
    at: Optional[str]
    action: str
    text: str
    actor: str
    attachment: Optional[str]
    attachment_name: str


class TaskOut(Schema):
    id: int
    response_id: Optional[int]
    incident_id: Optional[int]
    unit_name: str
    organisation_id: Optional[int]
    title: str
    level: Optional[int]
    state: str
    state_label: str
    issued_at: str
    due_at: Optional[str]
    due_at_local: Optional[str]
    accepted_at: Optional[str]
    started_at: Optional[str]
    done_at: Optional[str]
    cancelled_at: Optional[str]
    result: str
    version: int
    overdue: bool


class TaskDetailOut(TaskOut):
    notes: list[TaskNoteOut]


class DispatchOut(Schema):
    id: int
    response_id: Optional[int]
    incident_id: Optional[int]
    kind: str
    kind_label: str
    name: str
    team_id: Optional[int]
    expert_id: Optional[int]
    warehouse_id: Optional[int]
    warehouse: str
    material_id: Optional[int]
    quantity: Optional[str]
    movement_ids: list[int]
    state: str
    state_label: str
    route_seconds: Optional[float]
    route_metres: Optional[float]
    route: list[list[Number]]
    destination: str
    dispatched_at: Optional[str]
    arrived_at: Optional[str]
    returned_at: Optional[str]
    consent: str = ""
    version: int


class ResponseEventOut(Schema):
    kind: str
    kind_label: str
    from_level: Optional[int]
    to_level: Optional[int]
    note: str
    at: str
    at_local: Optional[str]
    actor: str


class ResponseOut(Schema):
    id: int
    incident_id: int
    plan_id: int
    plan: str
    level: int
    level_label: str
    proposed_level: Optional[int]
    state: str
    state_label: str
    commander: str
    reason: str
    activated_at: str
    activated_at_local: Optional[str]
    ended_at: Optional[str]
    version: int


class ResponseDetailOut(ResponseOut):
    events: list[ResponseEventOut]
    tasks: list[TaskOut]
    dispatches: list[DispatchOut]


ResponseList = page_of(ResponseOut, "ResponseList")
TaskList = page_of(TaskOut, "TaskList")
