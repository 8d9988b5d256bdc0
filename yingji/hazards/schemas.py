"""Typed answers of the hazards API beyond the registries: the GB 18218 preview, the four-colour
risk map, statistics, overdue lists and escalation."""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional, Union

from ninja import Schema
from pydantic import ConfigDict


class GradeIn(Schema):
    """As ``yingji rules hazard-grade``: ``units`` of ``{"name", "chemicals": [{"name" or "cas" or
    "category", "quantity_t"}]}`` and ``exposed_people``; the rule layer checks every key and
    answers 400 with the Chinese reason (``unknown_chemical`` lists suggestions in ``fields``)."""

    model_config = ConfigDict(extra="allow")
    units: list[dict[str, Any]]
    exposed_people: Union[int, str]


class ChemicalGradeOut(Schema):
    name: str
    table1_row: Optional[int]
    table1_name: Optional[str]
    cas: list[str]
    quantity_t: str
    Q: Optional[str]
    Q_source: Optional[str]
    q_over_Q: Optional[str]
    beta: Optional[str]
    beta_source: Optional[str]
    beta_category: Optional[str]
    warnings: list[str]


class UnitGradeOut(Schema):
    name: str
    S: Optional[str]
    is_major_hazard: bool
    R: Optional[str]
    alpha: Optional[str]
    grade: Optional[int]
    grade_name: Optional[str]
    chemicals: list[ChemicalGradeOut]


class GradePreviewOut(Schema):
    standard: str
    exposed_people: int
    alpha: Optional[str]
    S: Optional[str]
    is_major_hazard: bool
    R: Optional[str]
    grade: Optional[int]
    grade_name: Optional[str]
    governing_unit: Optional[str]
    settings: dict[str, Any]
    units: list[UnitGradeOut]


class RiskSummaryOut(Schema):
    counts: dict[int, int]
    total: int
    level: Optional[int]
    level_name: str
    colour: str
    colour_code: str
    colour_hex: str


class RiskEnterpriseOut(RiskSummaryOut):
    name: str
    id: Optional[int]
    division_code: str


class RiskCountyOut(RiskSummaryOut):
    code: str
    name: str


class RiskMapOut(Schema):
    enterprises: list[RiskEnterpriseOut]
    counties: list[RiskCountyOut]
    total: RiskSummaryOut


class CountByState(Schema):
    state: str
    label: str
    count: int


class CountByGrade(Schema):
    grade: str
    label: str
    count: int


class HiddenDivisionRow(Schema):
    code: str
    name: str
    total: int
    major: int
    open: int
    closed: int
    overdue: int


class HiddenIndustryRow(Schema):
    industry: str
    name: str
    total: int
    major: int
    open: int
    closed: int
    overdue: int


class HiddenHazardStats(Schema):
    total: int
    by_state: list[CountByState]
    by_grade: list[CountByGrade]
    by_division: list[HiddenDivisionRow]
    by_industry: list[HiddenIndustryRow]


class SourceCountByGrade(Schema):
    grade: Optional[int]
    label: str
    count: int


class HazardSourceStats(Schema):
    """``by_division``: per county, ``code``, ``name`` and one count per grade name (一级 … 未构成/未分级)."""

    total: int
    by_grade: list[SourceCountByGrade]
    by_division: list[dict[str, Union[int, str]]]


class StatisticsOut(Schema):
    hidden_hazards: HiddenHazardStats
    hazard_sources: HazardSourceStats


class OverdueHazard(Schema):
    id: int
    title: str
    enterprise: str
    grade: str
    state: str
    deadline: Optional[dt.date]
    days_overdue: int
    escalation_level: int


class OverdueEvaluation(Schema):
    id: int
    name: str
    evaluation_due_on: Optional[dt.date]


class UnfiledSource(Schema):
    id: int
    name: str
    filing_status: str


class OverdueInspection(Schema):
    id: int
    title: str
    planned_on: Optional[dt.date]
    status: str


class OverdueOut(Schema):
    hidden_hazards: list[OverdueHazard]
    evaluations: list[OverdueEvaluation]
    unfiled: list[UnfiledSource]
    inspections: list[OverdueInspection]


class EscalatedOut(Schema):
    escalated: list[int]
