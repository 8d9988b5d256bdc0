"""Typed answers of the incidents API (the dicts ``selectors.*_json`` build, field for field)."""

from __future__ import annotations

from typing import Optional

from ninja import Schema

from yingji.core.api_schemas import page_of


class FiguresOut(Schema):
    deaths: int
    missing: int
    serious_injuries: int
    injuries: int
    trapped: int
    relocated: int
    affected_population: int
    direct_loss_yuan: str


class FigureChangeOut(Schema):
    field: str
    label: str
    before: str
    after: str


class ReportOut(FiguresOut):
    """``changes``: the figures this report changed against ``compared_with`` (接报 for the first
    report, else the previous report, e.g. 续报（第1次）)."""

    id: int
    incident: int
    kind: str
    kind_label: str
    sequence: int
    kind_sequence: int
    title: str
    reporting_unit: str
    issuer: str
    report_at: Optional[str]
    items: dict[str, str]
    grade_level: Optional[int]
    grade_name: str
    grade_reasons: list
    compared_with: str
    changes: list[FigureChangeOut]
    docx_url: str
    pdf_url: str


class ReceiptOut(Schema):
    id: int
    incident: int
    report: int
    report_label: str
    route: str
    route_label: str
    sending_unit: str
    receiving_unit: str
    received_at: Optional[str]
    acknowledged_at: Optional[str]
    acknowledged_by: Optional[str]


class DeadlineOut(Schema):
    id: int
    incident: int
    incident_title: str
    unit: str
    kind: str
    label: str
    starts_at: Optional[str]
    clock: str
    due_at: Optional[str]
    window: bool
    status: str
    status_label: str
    done_at: Optional[str]
    done_note: str
    source: str
    remaining_seconds: Optional[int]
    late: bool


class IncidentOut(FiguresOut):
    id: int
    title: str
    client_token: str
    source: str
    source_label: str
    type_code: str
    type_label: str
    category: str
    category_label: str
    division_code: str
    division_name: str
    received_at: Optional[str]
    occurred_at: Optional[str]
    address: str
    lon: Optional[float]
    lat: Optional[float]
    state: str
    state_label: str
    grade_level: Optional[int]
    grade_name: str
    grade_reasons: list
    grade_basis: str
    receiving_unit: str
    is_synthetic: bool
    version: int


class IncidentDetailOut(IncidentOut):
    description: str
    caller_name: str
    caller_phone: str
    caller_unit: str
    reports: list[ReportOut]
    receipts: list[ReceiptOut]
    deadlines: list[DeadlineOut]


class EntryOut(Schema):
    id: int
    at: Optional[str]
    kind: str
    kind_label: str
    text: str
    actor: str
    unit: str


class DeadlineStatsOut(Schema):
    unit: str
    unit_id: int
    month: str
    total: int
    on_time: int
    late: int
    open_overdue: int
    pending: int
    overdue_total: int
    overdue_rate: float


IncidentList = page_of(IncidentOut, "IncidentList")
ReportList = page_of(ReportOut, "IncidentReportList")
EntryList = page_of(EntryOut, "TimelineList")
ReceiptList = page_of(ReceiptOut, "ReceiptList")
DeadlineList = page_of(DeadlineOut, "DeadlineList")
DeadlineStatsList = page_of(DeadlineStatsOut, "DeadlineStatsList")
