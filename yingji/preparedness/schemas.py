"""The preparedness API's Schemas (names prefixed so no other app's schema shares them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional, Union

from ninja import Schema

from yingji.core.api_schemas import page_of


class EmergencyPlanIn(Schema):
    name: str
    kind: str
    owner_unit: str
    division_code: Optional[str] = None
    catastrophe: bool = False
    organisation_id: Optional[int] = None
    enterprise_id: Optional[int] = None
    event_types: list[str] = []
    response_levels: str = ""
    document_number: str = ""
    classified: bool = False
    brief: str = ""
    electronic_id: Optional[int] = None
    text: str = ""


class EmergencyPlanOut(Schema):
    id: int
    name: str
    kind: str
    catastrophe: bool
    owner_unit: str
    division_code: str
    enterprise_id: Optional[int]
    event_types: list[str]
    document_number: str
    classified: bool
    state: str
    revision: int
    version: int
    published_at: Optional[dt.datetime]
    filing_due_at: Optional[dt.datetime]
    filed_at: Optional[dt.datetime]
    filing_receipt: str
    last_evaluated_on: Optional[dt.date]
    electronic_id: Optional[int]
    is_synthetic: bool


EmergencyPlanList = page_of(EmergencyPlanOut, "PreparednessPlanList")


class EmergencyPlanClockOut(Schema):
    state: str
    label: str
    due: Optional[dt.datetime | dt.date]


class EmergencyPlanResourceOut(Schema):
    kind: str
    name: str
    role: str
    problem: str


class EmergencyPlanDetailOut(EmergencyPlanOut):
    state_label: str
    filing: EmergencyPlanClockOut
    evaluation: EmergencyPlanClockOut
    resources: list[EmergencyPlanResourceOut]
    versions: list[int]


class EmergencyPlanActionIn(Schema):
    comment: str = ""
    receipt: str = ""
    version: Optional[int] = None


class EmergencyPlanOpinionIn(Schema):
    content: str
    source: str = ""
    expert_id: Optional[int] = None
    conclusion: str = ""
    handling: str = ""


class EmergencyPlanOpinionOut(Schema):
    id: int
    stage: str
    revision: int
    source: str
    expert_id: Optional[int]
    conclusion: str
    content: str
    handling: str


class EmergencyPlanEvaluationIn(Schema):
    evaluated_on: dt.date
    evaluators: str
    conclusion: str
    findings: str


class EmergencyPlanEvaluationOut(Schema):
    id: int
    evaluated_on: dt.date
    evaluators: str
    conclusion: str
    findings: str


class RevisionTaskOut(Schema):
    id: int
    plan_id: int
    trigger: str
    detail: str
    owner_unit: str
    due_on: dt.date
    state: str


RevisionTaskList = page_of(RevisionTaskOut, "PreparednessRevisionTaskList")


class DrillBoardRowOut(Schema):
    group: str
    subject: str
    quota: str
    quota_label: str
    rule: str
    state: str
    state_label: str
    next_due: Optional[dt.date]
    last: Optional[dt.date]
    done: int
    needed: int
    source: str


class DrillImprovementIn(Schema):
    finding: str
    action: str
    owner_unit: str
    due_on: dt.date
    plan_issue: bool = False


class DrillImprovementOut(Schema):
    id: int
    drill_id: int
    finding: str
    action: str
    owner_unit: str
    due_on: dt.date
    plan_issue: bool
    state: str


class ExamAttemptStartIn(Schema):
    trainee_id: int


class ExamQuestionOut(Schema):
    id: int
    kind: str
    stem: str
    options: list[list[str]]
    points: Decimal


class ExamAttemptOut(Schema):
    id: int
    session_id: int
    trainee_id: int
    state: str
    started_at: dt.datetime
    deadline_at: dt.datetime
    submitted_at: Optional[dt.datetime]
    score: Optional[Decimal]
    full_marks: Optional[Decimal]
    passed: Optional[bool]
    answers: dict[str, str]
    questions: list[ExamQuestionOut] = []


class ExamAnswersIn(Schema):
    answers: dict[str, str]


class TrainingFiguresOut(Schema):
    year: int
    trained: int
    examined: int
    passed: int
    total: int
    target: int
    percent: float
    # [[name, person-times], ...]: typed as pairs of text-or-number rather than tuples, whose
    # OpenAPI 3.1 form (prefixItems) schemathesis and several client generators cannot read.
    by_county: list[list[Union[str, int]]]
    by_sector: list[list[Union[str, int]]]
