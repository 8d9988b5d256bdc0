"""Reporting deadlines of incidents: computed by ``yingji.rules.deadlines`` for each duty room
that holds the incident (the unit that took the call, and each unit a report was sent up to),
completed by reports and escalations, alerted once when overdue (live, with sound).

Which rules run at which unit:

* the unit that took the call (接报): every rule of the table for its level — Fuxin's phone
  report (20 min) and written report (1 h), Decree 493's upward report (2 h per level) for
  生产安全事故, the 补报 window, the natural-disaster initial report;
* a unit that received the report from below: the per-level upward report only (its clock is
  the receipt), as long as Decree 493 第十条 requires the report to go further up for the grade.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict

from django.utils import timezone

from yingji.core import records, scope
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.geo import divcodes
from yingji.jobs import services as jobs
from yingji.live.services import publish
from yingji.core import profile as installation
from yingji.rules.deadlines import DEFAULT_DEADLINE_RULES, DeadlineRule, deadlines_for
from yingji.rules.incident_types import incident_type
from yingji.core.records import audited_transaction

from .models import Incident, IncidentDeadline, ReportReceipt, TimelineEntry

log = logging.getLogger(__name__)


def deadline_rules() -> tuple[DeadlineRule, ...]:
    """The national and per-jurisdiction table, then the installation profile's own [[deadlines]]
    rows (they apply inside its root division; a later row wins over an equal one)."""
    p = installation.current()
    local = tuple(DeadlineRule(p.scope_prefix, row.get("event_scope", "*"), row["kind"], row["label"],
                               dt.timedelta(minutes=int(row["minutes"])), row.get("clock", "received"), row["source"])
                  for row in p.deadlines)
    return DEFAULT_DEADLINE_RULES + local
RECEIVER_KINDS = frozenset({"upward_report"})
WATCH_SECONDS = 5.0


def level_of_unit(unit) -> int:
    """Levels above the accident unit: county duty room 1, city 2, province 3."""
    return {"township": 1, "county": 1, "city": 2, "province": 3}.get(divcodes.level_of(unit.division_code), 1)


def _clocks(incident: Incident) -> list[tuple[object, dt.datetime, bool]]:
    """(unit, clock start, is_intake_unit) for every duty room holding the incident."""
    clocks = [(incident.receiving_unit, incident.received_at, True)]
    first_receipt: dict[int, ReportReceipt] = {}
    for receipt in incident.receipts.filter(route="upward").select_related("receiving_unit").order_by("received_at"):
        first_receipt.setdefault(receipt.receiving_unit_id, receipt)
    for receipt in first_receipt.values():
        if receipt.receiving_unit_id != incident.receiving_unit_id:
            clocks.append((receipt.receiving_unit, receipt.received_at, False))
    return clocks


def sync_deadlines(incident: Incident, actor=None) -> list[IncidentDeadline]:
    """Bring the stored deadlines in line with the rule table (after intake, a report that
    changed the grade, or a receipt). Returns the deadlines created."""
    itype = incident_type(incident.type_code)
    accident_level = incident.grade_level if itype.decree_493 else None
    created = []
    for unit, start, intake_unit in _clocks(incident):
        level = level_of_unit(unit)
        expected = {d.kind: d for d in deadlines_for(incident.division_code, incident.type_code, start,
                                                     incident.occurred_at, level, accident_level=accident_level,
                                                     rules=deadline_rules())
                    if intake_unit or d.kind in RECEIVER_KINDS}
        existing = {d.kind: d for d in incident.deadlines.filter(unit=unit)}
        for kind, rule in expected.items():
            row = existing.get(kind)
            if row is None:
                row = IncidentDeadline.objects.create(
                    incident=incident, unit=unit, level_from_unit=level, kind=kind, label=rule.label,
                    starts_at=rule.starts_at, clock=rule.clock, due_at=rule.due_at, source=rule.source[:300],
                    window=rule.window, division_code=unit.division_code, is_synthetic=incident.is_synthetic)
                created.append(row)
                _schedule_check(row)
            elif row.status == "cancelled":
                row.status = "pending"
                row.due_at = rule.due_at
                row.save(update_fields=["status", "due_at", "updated_at"])
                _schedule_check(row)
            elif row.status == "pending" and row.due_at != rule.due_at:
                row.due_at, row.starts_at = rule.due_at, rule.starts_at
                row.save(update_fields=["due_at", "starts_at", "updated_at"])
                _schedule_check(row)
        for kind, row in existing.items():
            if kind not in expected and row.status == "pending":
                row.status = "cancelled"
                row.save(update_fields=["status", "updated_at"])
                add_entry(incident, "deadline", f"{unit.name}“{row.label}”按现等级不再适用", actor=actor)
    return created


def _schedule_check(deadline: IncidentDeadline) -> None:
    """A background task that fires just after the due time (in-process worker or ``yingji worker``)."""
    if deadline.window:
        return
    delay = max((deadline.due_at - timezone.now()).total_seconds() + 1, 0)
    jobs.enqueue(check_deadlines_job, {"deadline": deadline.pk}, delay_s=delay)


@jobs.task("检查报告时限", max_attempts=5)
def check_deadlines_job(payload: dict) -> None:
    check_overdue()


def complete(incident: Incident, unit, kinds: set[str], at: dt.datetime, note: str, actor=None) -> list[IncidentDeadline]:
    """Mark the unit's pending deadlines of ``kinds`` done at ``at`` (late if after due)."""
    done = []
    for row in incident.deadlines.filter(unit=unit, kind__in=kinds, status="pending"):
        row.status, row.done_at, row.done_note = "done", at, note[:200]
        row.save(update_fields=["status", "done_at", "done_note", "updated_at"])
        _log_done(incident, unit, row, at, note, actor)
        done.append(row)
    return done


def _log_done(incident: Incident, unit, row: IncidentDeadline, at: dt.datetime, note: str, actor) -> None:
    late = "（已超时，属迟报）" if at > row.due_at else ""
    add_entry(incident, "deadline", f"{unit.name}“{row.label}”已完成：{note}{late}", actor=actor, at=at)


def may_complete(user, deadline: IncidentDeadline) -> bool:
    """Whether ``complete_manually`` would accept this deadline from this user (what the incident
    page asks before offering 登记完成): a pending report deadline of a unit inside the user's region."""
    if deadline.status != "pending" or deadline.window or not user.can("incidents.report"):
        return False
    try:
        scope.check_can_write(IncidentDeadline, user, deadline.division_code)
    except Forbidden:
        return False
    return True


def complete_manually(user, deadline: IncidentDeadline, note: str) -> IncidentDeadline:
    """A duty officer records that a deadline was met outside the platform (e.g. phoned the
    province). Scope: the deadline's unit must be inside the user's region."""
    scope.check_can_see(deadline, user)
    scope.check_can_write(IncidentDeadline, user, deadline.division_code)
    note = (note or "").strip()
    if not note:
        raise ValidationFailed("请说明完成情况（如：已电话报告市应急管理局值班室，接电人张三）", fields={"note": ["必填"]})
    if deadline.window:
        raise ValidationFailed("补报期不是报告截止时限，无需登记完成")
    with audited_transaction():
        current = records.lock(deadline, IncidentDeadline.objects)
        if current.status != "pending":
            raise Conflict(f"该时限已是“{current.get_status_display()}”状态")
        at = timezone.now()
        current = records.change(user, current, lock=False, audit_action="transition", note="登记时限完成",
                                 status="done", done_at=at, done_note=note[:200])
        _log_done(current.incident, current.unit, current, at, note, user)
        publish("deadlines", "done", {"deadline": current.pk, "incident": current.incident_id}, current.division_code)
    return current


def check_overdue(now: dt.datetime | None = None) -> int:
    """Alert every pending deadline that has passed, exactly once. Returns how many were alerted."""
    now = now or timezone.now()
    alerted = 0
    due = (IncidentDeadline.objects.filter(status="pending", window=False, due_at__lt=now,
                                           overdue_alerted_at__isnull=True)
           .select_related("incident", "unit"))
    for row in due:
        with audited_transaction():
            claimed = IncidentDeadline.objects.filter(pk=row.pk, overdue_alerted_at__isnull=True).update(
                overdue_alerted_at=now)
            if not claimed:
                continue  # another process alerted it
            minutes = int((now - row.due_at).total_seconds() // 60)
            text = f"【超时】{row.incident.title}：{row.unit.name}“{row.label}”已超过截止时间" \
                   f"（{timezone.localtime(row.due_at):%m-%d %H:%M}）{minutes}分钟，请立即报告"
            add_entry(row.incident, "overdue", text, at=now)
            publish("deadlines", "overdue", {"deadline": row.pk, "incident": row.incident_id, "text": text,
                                             "title": row.incident.title, "unit": row.unit.name, "label": row.label,
                                             "due_at": row.due_at.isoformat(), "sound": True},
                    division_code=row.unit.division_code)
            alerted += 1
    return alerted


def add_entry(incident: Incident, kind: str, text: str, *, actor=None, at=None, unit_name: str = "",
              data: dict | None = None) -> TimelineEntry:
    name = (actor.display_name() if actor is not None and getattr(actor, "pk", None) else "系统")
    return TimelineEntry.objects.create(incident=incident, kind=kind, text=text, at=at or timezone.now(),
                                        actor=actor if getattr(actor, "pk", None) else None, actor_name=name,
                                        unit_name=unit_name, data=data or {})


# ----- statistics --------------------------------------------------------------------


def overdue_statistics(queryset) -> list[dict]:
    """Per unit and month (of the due time, Beijing): deadlines, on time, late, overdue open."""
    now = timezone.now()
    rows: dict[tuple, dict] = defaultdict(lambda: {"total": 0, "on_time": 0, "late": 0, "open_overdue": 0,
                                                   "pending": 0})
    for d in queryset.filter(window=False).exclude(status="cancelled").select_related("unit"):
        key = (d.unit.name, timezone.localtime(d.due_at).strftime("%Y-%m"), d.unit_id)
        row = rows[key]
        row["total"] += 1
        if d.status == "done":
            row["late" if d.done_at > d.due_at else "on_time"] += 1
        elif now > d.due_at:
            row["open_overdue"] += 1
        else:
            row["pending"] += 1
    result = []
    for (unit, month, unit_id), row in sorted(rows.items(), key=lambda kv: (kv[0][1], kv[0][0]), reverse=True):
        late_total = row["late"] + row["open_overdue"]
        result.append({"unit": unit, "unit_id": unit_id, "month": month, **row, "overdue_total": late_total,
                       "overdue_rate": round(late_total / row["total"], 3) if row["total"] else 0.0})
    return result
