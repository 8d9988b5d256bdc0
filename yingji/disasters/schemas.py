"""The disasters API's Schemas (names prefixed so no other app's schema shares them)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Optional

from ninja import Schema

from yingji.core.api_schemas import page_of
from yingji.rules import relief as relief_rules


class LossFigures(Schema):
    affected_population: int = 0
    deaths: int = 0
    missing: int = 0
    relocated: int = 0
    needing_aid: int = 0
    collapsed_rooms: int = 0
    collapsed_households: int = 0
    severe_rooms: int = 0
    severe_households: int = 0
    general_rooms: int = 0
    general_households: int = 0
    crop_affected_ha: Decimal = Decimal(0)
    crop_damaged_ha: Decimal = Decimal(0)
    crop_lost_ha: Decimal = Decimal(0)
    drought_aid_people: int = 0
    direct_loss_wan: Decimal = Decimal(0)


class ReliefConditionOut(Schema):
    code: str
    name: str
    unit: str
    figure: Optional[int | str]
    level: Optional[int]
    label: Optional[str]
    threshold: Optional[int | str]
    next_level: Optional[int] = None
    next_label: Optional[str] = None
    next_threshold: Optional[int | str] = None


class ReliefLevelOut(Schema):
    level: Optional[int]
    label: Optional[str]
    conditions: list[ReliefConditionOut]
    table: str
    evaluations: list[ReliefConditionOut] = []


class ReliefLevelIn(Schema):
    dead_missing: int = 0
    relocated_or_needing_aid: int = 0
    collapsed_severe_rooms: int = 0
    collapsed_severe_households: int = 0
    drought_aid_people: int = 0
    agricultural_population: int = 0
    table: str = relief_rules.NATIONAL_2024.code


class DisasterEventIn(Schema):
    title: str
    hazard_type: str
    start_at: dt.datetime
    end_at: Optional[dt.datetime] = None
    division_code: Optional[str] = None
    affected_codes: list[str] = []
    description: str = ""
    agricultural_population: int = 0
    relief_table_id: Optional[int] = None
    daily_reporting: bool = False


class DisasterEventOut(Schema):
    id: int
    title: str
    hazard_type: str
    start_at: dt.datetime
    end_at: Optional[dt.datetime]
    stabilised_at: Optional[dt.datetime]
    division_code: str
    affected_codes: list[str]
    description: str
    agricultural_population: int
    relief_table_id: Optional[int]
    daily_reporting: bool
    version: int
    is_synthetic: bool


DisasterEventList = page_of(DisasterEventOut, "DisasterEventList")


class DisasterEventDetailOut(DisasterEventOut):
    totals: Optional[LossFigures]
    relief: ReliefLevelOut
    incident_ids: list[int]
    warning_ids: list[int]


class DisasterLinksIn(Schema):
    incident_ids: Optional[list[int]] = None
    warning_ids: Optional[list[int]] = None


class DisasterStabiliseIn(Schema):
    at: Optional[dt.datetime] = None


class LossReportIn(LossFigures):
    stage: str
    reporter: str
    division_code: Optional[str] = None
    report_at: Optional[dt.datetime] = None
    summary: str = ""
    jump_explanation: str = ""
    difference_explanation: str = ""


class LossJumpOut(Schema):
    """A figure that changed sharply against the division's previous report (figures as text)."""

    field: str
    previous: str
    current: str
    kind: str


class LossDifferenceOut(Schema):
    """A figure of the report that differs from the sum of the divisions below (figures as text)."""

    field: str
    reported: str
    sum: str


class LossCorrectionOut(Schema):
    field: str
    before: str
    after: str


class LossReportOut(LossFigures):
    id: int
    event_id: int
    division_code: str
    stage: str
    sequence: int
    report_at: dt.datetime
    reporter: str
    summary: str
    jumps: list[LossJumpOut]
    jump_explanation: str
    differences: list[LossDifferenceOut]
    difference_explanation: str
    review_state: str
    reviewed_at: Optional[dt.datetime]
    corrections: list[LossCorrectionOut]
    correction_reason: str


class LossReviewIn(Schema):
    """The county's review: corrected figures (only those that change) and the reason."""

    figures: dict[str, str | int] = {}
    correction_reason: str = ""


LossReportList = page_of(LossReportOut, "LossReportList")


class LossPartOut(Schema):
    code: str
    name: str
    figures: LossFigures


class LossStageOut(Schema):
    stage: str
    label: str
    parts: list[LossPartOut]
    sum: Optional[LossFigures]
    own_report_id: Optional[int]
    differing: list[str]


class ReliefPaymentIn(Schema):
    category: str
    head_name: str
    head_id_number: str
    household_size: int = 1
    people: int = 1
    amount_yuan: Decimal = Decimal(0)
    signer: str
    division_code: Optional[str] = None
    paid_at: Optional[dt.datetime] = None


class ReliefPaymentOut(Schema):
    id: int
    event_id: int
    category: str
    head_name: str
    household_size: int
    people: int
    amount_yuan: Decimal
    paid_at: dt.datetime
    signer: str
    division_code: str


ReliefPaymentList = page_of(ReliefPaymentOut, "ReliefPaymentList")


class CasualtyIn(Schema):
    status: str
    name: str
    occurred_at: dt.datetime
    place: str
    cause: str
    gender: str = ""
    age: Optional[int] = None
    id_number: str = ""
    residence: str = ""
    division_code: Optional[str] = None


class CasualtyOut(Schema):
    id: int
    event_id: int
    status: str
    name: str
    gender: str
    age: Optional[int]
    occurred_at: dt.datetime
    place: str
    cause: str
    division_code: str
    version: int


CasualtyList = page_of(CasualtyOut, "CasualtyList")


class CasualtyStatusIn(Schema):
    status: str
    note: str
