"""The versioned JSON schema of every exchanged kind (``<kind>/<version>``) and of the envelope,
published in the OpenAPI document (django-ninja Schemas). A receiver refuses a message whose
schema it does not know; a new version of a kind gets a new Schema and both are accepted while
installations are upgraded one by one."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from ninja import Schema
from pydantic import Field


class FiguresV1(Schema):
    deaths: int = 0
    missing: int = 0
    serious_injuries: int = 0
    injuries: int = 0
    trapped: int = 0
    relocated: int = 0
    affected_population: int = 0
    direct_loss_yuan: str = "0"


class IncidentStageV1(Schema):
    kind: str = Field(description="initial / follow_up / final / supplement")
    kind_label: str
    sequence: int
    title: str
    issuer: str
    report_at: dt.datetime
    grade_name: str = ""
    figures: FiguresV1


class IncidentDeadlineV1(Schema):
    label: str
    unit: str
    due_at: dt.datetime
    status: str = Field(description="pending / done / cancelled")
    status_label: str
    done_at: Optional[dt.datetime] = None
    late: bool = Field(description="counted at the child: done after the due time, or pending past it when sealed")


class IncidentV1(Schema):
    """``incident/1``: a 突发事件 with its reports at each stage and its deadlines, counted at the child."""

    title: str
    type_code: str
    type_label: str
    division_code: str
    division_name: str
    received_at: dt.datetime
    occurred_at: Optional[dt.datetime] = None
    address: str = ""
    description: str = ""
    state: str
    state_label: str
    grade_name: str = ""
    figures: FiguresV1
    reports: list[IncidentStageV1] = []
    deadlines: list[IncidentDeadlineV1] = []
    is_synthetic: bool = False


class WarningV1(Schema):
    """``warning/1``: a published warning; ``cap_xml`` is the CAP 1.2 message the receiver imports."""

    identifier: str
    title: str
    level: int
    level_label: str
    kind: str
    kind_label: str
    state: str
    state_label: str
    sent: Optional[dt.datetime] = None
    expires: Optional[dt.datetime] = None
    area_desc: str = ""
    cap_xml: str = Field(description="CAP 1.2 (OASIS), as published")
    is_synthetic: bool = False


class LossReportV1(Schema):
    """``loss_report/1``: one disaster loss report of one division at one stage (初报/续报/核报)."""

    event_title: str
    hazard_type: str
    hazard_label: str
    stage: str
    stage_label: str
    sequence: int
    report_at: dt.datetime
    reporter: str
    figures: dict[str, str] = Field(description="indicator -> value as decimal text")
    summary: str = ""
    review_state: str
    review_label: str
    is_synthetic: bool = False


class SupervisionTaskV1(Schema):
    """``supervision_task/1``: a 督查督办 item assigned by the parent."""

    title: str
    source_label: str
    content: str
    assignee: str
    responsible_person: str = ""
    deadline: dt.date
    state: str
    state_label: str
    is_synthetic: bool = False


class InstructionV1(Schema):
    """``instruction/1``: a leader's 批示 sent down, optionally about a record the child reported."""

    leader: str
    text: str
    issued_at: dt.datetime
    about: str = Field("", description="record key of the child's record it answers, if any")
    about_title: str = ""
    is_synthetic: bool = False


class PlaceV1(Schema):
    division_code: str
    division_name: str
    lon: Optional[float] = None
    lat: Optional[float] = None
    is_synthetic: bool = False


class HazardSourceV1(PlaceV1):
    """``hazard_source/1``: a 重大危险源's grade and filing for the parent's picture (no inventory)."""

    name: str
    code: str = ""
    enterprise: str
    grade: Optional[int] = Field(None, description="1–4 (一级–四级); none when not graded or not major")
    grade_name: str
    is_major_hazard: bool
    filing_label: str
    exposed_people: int = 0
    evaluation_due_on: Optional[dt.date] = None


class RescueTeamV1(PlaceV1):
    """``rescue_team/1``: a rescue team's size and readiness."""

    name: str
    category_label: str
    level_label: str
    headcount: int
    readiness_label: str
    duty_phone: str = ""
    parent_unit: str = ""


class StockLineV1(Schema):
    material: str
    unit: str
    quantity: str = Field(description="in store, decimal text")
    available: str = Field(description="in store minus awaiting disinfection, decimal text")
    below_minimum: bool


class WarehouseV1(PlaceV1):
    """``warehouse/1``: a store and its current stock, re-sent whenever stock moves."""

    name: str
    code: str
    level_label: str
    kind_label: str
    manager: str = ""
    manager_phone: str = ""
    stock: list[StockLineV1] = []


class DrillV1(Schema):
    """``drill/1``: a drill, planned or held, with its participants and rating."""

    title: str
    kind_label: str
    large: bool = False
    held_on: dt.date
    state_label: str
    organiser: str
    participant_count: int = 0
    plan: str = ""
    rating_label: str = ""
    division_code: str
    division_name: str
    is_synthetic: bool = False


class TrainingV1(Schema):
    """``training/1``: a training session's trainees and completed hours."""

    course: str
    kind_label: str
    starts_on: dt.date
    ends_on: dt.date
    venue: str = ""
    trainees: int = 0
    hours: str = Field("0", description="completed hours of all trainees, decimal text")
    division_code: str
    division_name: str
    is_synthetic: bool = False


class PlanV1(Schema):
    """``plan/1``: a plan of the parent in force (or abolished) — what it is and its short version."""

    name: str
    kind_label: str
    revision: int
    document_number: str = ""
    owner_unit: str = ""
    state_label: str
    event_types: list[str] = []
    response_levels: str = ""
    brief: str = ""
    published_at: Optional[dt.datetime] = None
    division_code: str
    division_name: str
    is_synthetic: bool = False


class MessageV1(Schema):
    """One message. ``id`` is the idempotency key; ``seq`` orders the messages of one record."""

    id: str
    kind: str
    schema_: str = Field(alias="schema", description="<kind>/<version>")
    record: str = Field(description="<origin>/<kind>/<local id>: the record across installations")
    seq: int = Field(ge=1)
    origin: str = Field(description="division code of the sending installation")
    division_code: str
    title: str
    created_at: str
    deleted: bool = False
    body: dict[str, Any]


class BatchV1(Schema):
    protocol: str = Field(description="yingji-exchange/1")
    direction: str = Field(description="up (child → parent) / down (parent → child)")
    key_id: str
    sender: str = Field(description="division code of the sender")
    sent_at: str
    pending: int = Field(0, description="messages still waiting at the sender after this batch")
    acks: list[str] = Field([], description="ids of the other side's messages the sender has stored")
    accepted: list[str] = Field([], description="in an answer: ids of the messages just received and stored")
    messages: list[MessageV1] = []


class EnvelopeV1(Schema):
    """What goes over HTTP and into export files alike: the batch and its HMAC-SHA256 signature."""

    batch: BatchV1
    signature: str = Field(description="hex HMAC-SHA256 of the batch's canonical JSON (docs/exchange.md)")


BODY_SCHEMAS: dict[str, type[Schema]] = {
    "incident/1": IncidentV1,
    "warning/1": WarningV1,
    "loss_report/1": LossReportV1,
    "supervision_task/1": SupervisionTaskV1,
    "instruction/1": InstructionV1,
    "hazard_source/1": HazardSourceV1,
    "rescue_team/1": RescueTeamV1,
    "warehouse/1": WarehouseV1,
    "drill/1": DrillV1,
    "training/1": TrainingV1,
    "plan/1": PlanV1,
}
