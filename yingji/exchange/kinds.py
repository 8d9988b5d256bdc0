"""The registry of exchangeable kinds: which records flow up (child → parent) and down
(parent → child), how each is serialised into its versioned schema, which other writes re-send
it (a new report of an incident re-sends the incident), which child a downward record goes to,
and what the receiver does besides keeping the record (a warning is imported as CAP).

The outbox listens to the one write path (``core.records.on_write``): a write of a registered
model, inside its own transaction, puts the record in the outbox. No domain service calls the
exchange; adding a kind is one ``ExchangeKind`` here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Optional

from django.apps import apps
from django.db import models
from django.utils import timezone

from yingji.affairs.models import SupervisionTask
from yingji.disasters.models import LossReport
from yingji.geo import divcodes
from yingji.incidents.models import FIGURE_FIELDS, Incident, IncidentReport
from yingji.regions.services import full_name
from yingji.rules import warning_workflow as wf
from yingji.warnings.models import Warning

from .models import Instruction

UP, DOWN = "up", "down"


@dataclass(frozen=True)
class ExchangeKind:
    key: str
    label: str
    version: int
    directions: frozenset[str]
    model: type[models.Model]
    serialize: Callable[[models.Model], dict]
    title: Callable[[models.Model], str] = str
    # other models whose writes re-send the record: {model: record of that row, or None}
    follows: dict = field(default_factory=dict)
    # only records for which this holds are sent (a warning once published)
    when: Callable[[models.Model], bool] = lambda obj: True
    # the division a downward record is for: it goes to every child whose division contains it or lies in it
    target: Callable[[models.Model], str] = lambda obj: obj.division_code
    # at the receiver, besides keeping the record: apply(received_record, message body, link name)
    apply: Optional[Callable] = None

    @property
    def schema(self) -> str:
        return f"{self.key}/{self.version}"


def _figures(obj) -> dict:
    return {name: (str(getattr(obj, name)) if name == "direct_loss_yuan" else getattr(obj, name))
            for name in FIGURE_FIELDS}


def _incident(incident: Incident) -> dict:
    now = timezone.now()
    reports = [{"kind": r.kind, "kind_label": r.get_kind_display(), "sequence": r.sequence, "title": r.title,
                "issuer": r.issuer, "report_at": r.report_at.isoformat(), "grade_name": r.grade_name,
                "figures": _figures(r)} for r in incident.reports.order_by("sequence")]
    deadlines = [{"label": d.label, "unit": d.unit.name, "due_at": d.due_at.isoformat(), "status": d.status,
                  "status_label": d.get_status_display(),
                  "done_at": d.done_at.isoformat() if d.done_at else None,
                  "late": bool(not d.window and d.status != "cancelled" and (d.done_at or now) > d.due_at)}
                 for d in incident.deadlines.select_related("unit").order_by("due_at")]
    return {"title": incident.title, "type_code": incident.type_code, "type_label": incident.get_type_code_display(),
            "division_code": incident.division_code, "division_name": full_name(incident.division_code),
            "received_at": incident.received_at.isoformat(),
            "occurred_at": incident.occurred_at.isoformat() if incident.occurred_at else None,
            "address": incident.address, "description": incident.description, "state": incident.state,
            "state_label": incident.get_state_display(), "grade_name": incident.grade_name,
            "figures": _figures(incident), "reports": reports, "deadlines": deadlines,
            "is_synthetic": incident.is_synthetic}


def _warning(warning: Warning) -> dict:
    return {"identifier": warning.identifier, "title": warning.title, "level": warning.level,
            "level_label": warning.get_level_display(), "kind": warning.kind, "kind_label": warning.get_kind_display(),
            "state": warning.state, "state_label": warning.state_label,
            "sent": warning.sent.isoformat() if warning.sent else None,
            "expires": warning.expires.isoformat() if warning.expires else None,
            "area_desc": warning.area_desc, "cap_xml": warning.cap_xml, "is_synthetic": warning.is_synthetic}


def _import_warning(record, body: dict, source_name: str) -> None:
    """The received warning enters the receiver's CAP intake (review, dedup, public display rules)."""
    from yingji.warnings.imports import import_cap  # imports the CAP stack (lxml, xmlsec) on use

    import_cap(body["cap_xml"].encode("utf-8"), source="api", source_name=source_name,
               synthetic=bool(body.get("is_synthetic")))


LOSS_FIGURES = ("affected_population", "deaths", "missing", "relocated", "needing_aid", "collapsed_rooms",
                "collapsed_households", "severe_rooms", "severe_households", "general_rooms", "general_households",
                "crop_affected_ha", "crop_damaged_ha", "crop_lost_ha", "drought_aid_people", "direct_loss_wan")


def _loss_report(report: LossReport) -> dict:
    return {"event_title": report.event.title, "hazard_type": report.event.hazard_type,
            "hazard_label": report.event.get_hazard_type_display(), "stage": report.stage,
            "stage_label": report.get_stage_display(), "sequence": report.sequence,
            "report_at": report.report_at.isoformat(), "reporter": report.reporter,
            "figures": {name: str(getattr(report, name)) for name in LOSS_FIGURES}, "summary": report.summary,
            "review_state": report.review_state, "review_label": report.get_review_state_display(),
            "is_synthetic": report.is_synthetic}


def _task(task: SupervisionTask) -> dict:
    return {"title": task.title, "source_label": task.get_source_display(), "content": task.content,
            "assignee": task.assignee, "responsible_person": task.responsible_person,
            "deadline": task.deadline.isoformat(), "state": task.state, "state_label": task.get_state_display(),
            "is_synthetic": task.is_synthetic}


def _instruction(instruction: Instruction) -> dict:
    about = instruction.about
    return {"leader": instruction.leader, "text": instruction.text, "issued_at": instruction.issued_at.isoformat(),
            "about": about.record_key if about else "", "about_title": about.title if about else "",
            "is_synthetic": instruction.is_synthetic}


KINDS: dict[str, ExchangeKind] = {kind.key: kind for kind in (
    ExchangeKind("incident", "突发事件信息报告", 1, frozenset({UP}), Incident, _incident,
                 follows={IncidentReport: lambda report: report.incident}),
    ExchangeKind("warning", "预警信息（CAP 1.2）", 1, frozenset({UP, DOWN}), Warning, _warning,
                 when=lambda w: bool(w.cap_xml) and w.state != wf.DRAFT, apply=_import_warning),
    ExchangeKind("loss_report", "灾情报告", 1, frozenset({UP}), LossReport, _loss_report,
                 title=lambda r: f"{r.event.title} · {full_name(r.division_code)} · {r.get_stage_display()}"),
    ExchangeKind("supervision_task", "督查督办事项", 1, frozenset({DOWN}), SupervisionTask, _task),
    ExchangeKind("instruction", "领导批示", 1, frozenset({DOWN}), Instruction, _instruction),
)}

LABELS = {key: kind.label for key, kind in KINDS.items()}


def kinds_for(obj: models.Model) -> list[tuple[ExchangeKind, models.Model]]:
    """The kinds a write of ``obj`` puts in the outbox, each with the record to send."""
    found = []
    for kind in KINDS.values():
        if isinstance(obj, kind.model):
            found.append((kind, obj))
        for model, resolve in kind.follows.items():
            if isinstance(obj, model):
                record = resolve(obj)
                if record is not None:
                    found.append((kind, record))
    return found


def routes_to(kind: ExchangeKind, record: models.Model, child_code: str) -> bool:
    """Whether a downward record goes to the child installation of ``child_code``: the record's
    division contains the child's (a city-wide warning) or lies in it (a task for that county)."""
    target = kind.target(record)
    return divcodes.is_within(child_code, target) or divcodes.is_within(target, child_code)


def record_model(kind_key: str) -> type[models.Model]:
    return apps.get_model(KINDS[kind_key].model._meta.label)
