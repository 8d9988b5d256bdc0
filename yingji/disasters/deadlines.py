"""Reporting time limits of an event, per county: 初报 within 2 h of the disaster, 核报 within
2 working days of stabilisation (``rules.disaster_reports.STAGE_DEADLINES``), and whether each
was met, is running or is overdue. Shown on the event page and as a home-page panel."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from yingji.geo import divcodes
from yingji.rules import disaster_reports as dr

from .models import DisasterEvent


@dataclass(frozen=True)
class DeadlineRow:
    county: str
    stage: str
    rule: dr.StageDeadline
    due: datetime
    done: datetime | None

    @property
    def state(self) -> str:
        now = timezone.now()
        if self.done is not None:
            return "late" if self.done > self.due else "met"
        return "overdue" if now > self.due else "running"

    @property
    def state_label(self) -> str:
        return {"met": "按时", "late": "超时报送", "overdue": "已超时", "running": "计时中"}[self.state]


def counties_of(event: DisasterEvent) -> list[str]:
    """The counties that report for the event: the event's own county, or the counties of its
    affected divisions."""
    if divcodes.level_of(event.division_code) in ("county", "township", "village"):
        return [event.division_code[:6].ljust(12, "0")]
    return sorted({c[:6].ljust(12, "0") for c in event.affected_codes or []
                   if divcodes.level_of(c) in ("county", "township", "village")})


def event_deadlines(event: DisasterEvent) -> list[DeadlineRow]:
    reports = list(event.reports.order_by("report_at").values_list("division_code", "stage", "report_at"))
    rows = []
    for county in counties_of(event):
        inside = [(code, stage, at) for code, stage, at in reports if divcodes.is_within(code, county)]
        initial_rule = dr.stage_deadline(dr.INITIAL, "county")
        first = next((at for _, stage, at in inside if stage == dr.INITIAL), None)
        rows.append(DeadlineRow(county, dr.INITIAL, initial_rule, dr.due_at(initial_rule, event.start_at), first))
        if event.stabilised_at:
            final_rule = dr.stage_deadline(dr.FINAL, "county")
            own_final = next((at for code, stage, at in inside if stage == dr.FINAL and code == county), None)
            rows.append(DeadlineRow(county, dr.FINAL, final_rule, dr.due_at(final_rule, event.stabilised_at), own_final))
    return rows


def overdue_for(events) -> list[tuple[DisasterEvent, DeadlineRow]]:
    found = []
    for event in events:
        for row in event_deadlines(event):
            if row.state == "overdue":
                found.append((event, row))
    return found
