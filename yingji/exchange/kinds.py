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
from yingji.core.registry import format_number
from yingji.geo import divcodes
from yingji.hazards.models import HazardSource
from yingji.incidents.models import FIGURE_FIELDS, Incident, IncidentReport
from yingji.preparedness.models import Attendance, Drill, EmergencyPlan, TrainingSession
from yingji.regions.services import full_name
from yingji.resources.models import RescueTeam, StockMovement, Warehouse
from yingji.resources.stock import current_stock
from yingji.rules import plan_lifecycle
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


def _place(obj) -> dict:
    return {"division_code": obj.division_code, "division_name": full_name(obj.division_code),
            "lon": getattr(obj, "lon", None), "lat": getattr(obj, "lat", None), "is_synthetic": obj.is_synthetic}


def _hazard_source(source: HazardSource) -> dict:
    """A summary for the parent's hazard picture: grade and filing, not the enterprise's inventory."""
    return {"name": source.name, "code": source.code, "enterprise": source.enterprise.name,
            "grade": source.current_grade, "grade_name": source.grade_name, "is_major_hazard": source.is_major_hazard,
            "filing_label": source.get_filing_status_display(), "exposed_people": source.exposed_people,
            "evaluation_due_on": source.evaluation_due_on.isoformat() if source.evaluation_due_on else None,
            **_place(source)}


def _rescue_team(team: RescueTeam) -> dict:
    return {"name": team.name, "category_label": team.get_category_display(), "level_label": team.get_level_display(),
            "headcount": team.headcount, "readiness_label": team.get_readiness_display(),
            "duty_phone": team.duty_phone, "parent_unit": team.parent_unit, **_place(team)}


def _warehouse(warehouse: Warehouse) -> dict:
    """The store and what it holds now (from its ledger), one line per material."""
    stock = [{"material": line.material, "unit": line.unit, "quantity": format_number(line.quantity, 2),
              "available": format_number(line.available, 2), "below_minimum": line.quantity < line.min_stock}
             for line in current_stock(warehouse)]
    return {"name": warehouse.name, "code": warehouse.code, "level_label": warehouse.get_level_display(),
            "kind_label": warehouse.get_kind_display(), "manager": warehouse.manager,
            "manager_phone": warehouse.manager_phone, "stock": stock, **_place(warehouse)}


def _drill(drill: Drill) -> dict:
    return {"title": drill.title, "kind_label": drill.get_kind_display(), "large": drill.large,
            "held_on": drill.held_on.isoformat(), "state_label": drill.get_state_display(),
            "organiser": drill.organiser, "participant_count": drill.participant_count,
            "plan": drill.plan.name if drill.plan else "", "rating_label": drill.get_rating_display(),
            "division_code": drill.division_code, "division_name": full_name(drill.division_code),
            "is_synthetic": drill.is_synthetic}


def _training(session: TrainingSession) -> dict:
    rows = list(session.attendance.all())
    return {"course": session.course.name, "kind_label": session.course.get_kind_display(),
            "starts_on": session.starts_on.isoformat(), "ends_on": session.ends_on.isoformat(),
            "venue": session.venue, "trainees": len(rows), "hours": format_number(sum((a.hours for a in rows), 0), 1),
            "division_code": session.division_code, "division_name": full_name(session.division_code),
            "is_synthetic": session.is_synthetic}


def _plan(plan: EmergencyPlan) -> dict:
    """A plan in force (or abolished) for the installations below: what it is, which version, the
    short version; the full text stays with its owner."""
    return {"name": plan.name, "kind_label": plan.get_kind_display(), "revision": plan.revision,
            "document_number": plan.document_number, "owner_unit": plan.owner_unit,
            "state_label": plan.get_state_display(), "event_types": plan.event_types,
            "response_levels": plan.response_levels, "brief": plan.brief,
            "published_at": plan.published_at.isoformat() if plan.published_at else None,
            "division_code": plan.division_code, "division_name": full_name(plan.division_code),
            "is_synthetic": plan.is_synthetic}


KINDS: dict[str, ExchangeKind] = {kind.key: kind for kind in (
    ExchangeKind("incident", "突发事件信息报告", 1, frozenset({UP}), Incident, _incident,
                 follows={IncidentReport: lambda report: report.incident}),
    ExchangeKind("warning", "预警信息（CAP 1.2）", 1, frozenset({UP, DOWN}), Warning, _warning,
                 when=lambda w: bool(w.cap_xml) and w.state != wf.DRAFT, apply=_import_warning),
    ExchangeKind("loss_report", "灾情报告", 1, frozenset({UP}), LossReport, _loss_report,
                 title=lambda r: f"{r.event.title} · {full_name(r.division_code)} · {r.get_stage_display()}"),
    ExchangeKind("supervision_task", "督查督办事项", 1, frozenset({DOWN}), SupervisionTask, _task),
    ExchangeKind("instruction", "领导批示", 1, frozenset({DOWN}), Instruction, _instruction),
    ExchangeKind("hazard_source", "重大危险源概况", 1, frozenset({UP}), HazardSource, _hazard_source),
    ExchangeKind("rescue_team", "救援队伍概况", 1, frozenset({UP}), RescueTeam, _rescue_team),
    ExchangeKind("warehouse", "物资储备库及库存", 1, frozenset({UP}), Warehouse, _warehouse,
                 follows={StockMovement: lambda movement: movement.warehouse}),
    ExchangeKind("drill", "应急演练", 1, frozenset({UP}), Drill, _drill),
    ExchangeKind("training", "培训班次及学时", 1, frozenset({UP}), TrainingSession, _training,
                 title=lambda s: f"{s.course.name}（{s.starts_on:%Y-%m-%d}）",
                 follows={Attendance: lambda attendance: attendance.session}),
    # Plans in force go down (a county needs the city's plans it acts under); classified ones never travel.
    ExchangeKind("plan", "应急预案（印发、修订、废止）", 1, frozenset({DOWN}), EmergencyPlan, _plan,
                 when=lambda p: not p.classified and (p.state in plan_lifecycle.IN_FORCE or p.state == plan_lifecycle.ABOLISHED)),
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
