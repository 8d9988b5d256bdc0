"""Duty writes (swaps, handovers, daily reports) and the reads the duty room needs."""

from __future__ import annotations

import calendar
import datetime as dt

from django.utils import timezone

from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.geo import divcodes
from yingji.live.services import publish
from yingji.regions.models import Organisation
from yingji.core.records import audited_transaction

from .models import TIER_ORDER, TIERS, DailyReport, DutyRoster, DutyShift, Handover, ShiftSwap

# ----- units -------------------------------------------------------------------------


def duty_unit_of(user) -> Organisation | None:
    """The duty room (应急管理部门) of the user's own division, if one is registered."""
    if user.organisation_id and user.organisation.kind == "bureau":
        return user.organisation
    return Organisation.objects.filter(kind="bureau", division_code=user.region_code).order_by("pk").first()


def parent_duty_unit(unit: Organisation) -> Organisation | None:
    """The duty room one level up: the bureau of the parent division (city for a county)."""
    parent = divcodes.parent_code(unit.division_code)
    while parent is not None and divcodes.level_of(parent) not in ("province",):
        found = Organisation.objects.filter(kind="bureau", division_code=parent).order_by("pk").first()
        if found is not None:
            return found
        parent = divcodes.parent_code(parent)
    return None


def subordinate_units(unit: Organisation) -> list[Organisation]:
    """Units expected to send this duty room a daily report: the duty rooms of the divisions one
    level down and the departments of the same division."""
    below = [o for o in Organisation.objects.filter(kind__in=["bureau", "township"],
                                                    division_code__startswith=divcodes.scope_prefix(unit.division_code))
             .exclude(division_code=unit.division_code)
             if divcodes.parent_code(o.division_code) == unit.division_code]
    departments = list(Organisation.objects.filter(kind="department", division_code=unit.division_code))
    return sorted(below, key=lambda o: o.division_code) + sorted(departments, key=lambda o: o.name)


# ----- who is on duty ------------------------------------------------------------------


def on_duty(unit: Organisation, at: dt.datetime | None = None) -> list[DutyShift]:
    at = at or timezone.now()
    shifts = list(DutyShift.objects.filter(roster__organisation=unit, starts_at__lte=at, ends_at__gt=at))
    return sorted(shifts, key=lambda s: TIER_ORDER[s.tier])


def on_duty_summary(unit: Organisation, at: dt.datetime | None = None) -> list[dict]:
    labels = dict(TIERS)
    return [{"tier": s.tier, "tier_label": labels[s.tier], "name": s.person_name, "phone": s.phone,
             "until": timezone.localtime(s.ends_at).strftime("%Y-%m-%d %H:%M")} for s in on_duty(unit, at)]


# ----- calendar ------------------------------------------------------------------------


def month_calendar(roster: DutyRoster) -> list[list[dict | None]]:
    """Weeks (Monday first) of days; each day lists the shifts starting that day by tier."""
    year, month = roster.month.year, roster.month.month
    by_day: dict[dt.date, list[DutyShift]] = {}
    for shift in roster.shifts.all():
        by_day.setdefault(timezone.localtime(shift.starts_at).date(), []).append(shift)
    today = timezone.localdate()
    weeks = []
    for week in calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
        row = []
        for day in week:
            if day.month != month:
                row.append(None)
                continue
            shifts = sorted(by_day.get(day, []), key=lambda s: (TIER_ORDER[s.tier], s.starts_at))
            row.append({"date": day, "shifts": shifts, "today": day == today})
        weeks.append(row)
    return weeks


def fill_month(user, roster: DutyRoster, people: dict[str, list[tuple[str, str]]], start_hour: int = 8,
               start_minute: int = 30) -> int:
    """Create one 24-hour shift per tier per day, rotating through ``people[tier]`` (name, phone)."""
    scope.check_can_write(DutyShift, user, roster.division_code)
    tz = timezone.get_current_timezone()
    days = calendar.monthrange(roster.month.year, roster.month.month)[1]
    created = 0
    with audited_transaction():
        for index in range(days):
            day = roster.month + dt.timedelta(days=index)
            start = dt.datetime.combine(day, dt.time(start_hour, start_minute), tz)
            for tier, names in people.items():
                if not names:
                    continue
                name, phone = names[index % len(names)]
                records.create_record(user, DutyShift, {"roster": roster, "tier": tier, "person_name": name,
                                                        "phone": phone, "starts_at": start,
                                                        "ends_at": start + dt.timedelta(days=1)})
                created += 1
    return created


# ----- swaps ---------------------------------------------------------------------------


def request_swap(user, shift: DutyShift, replacement_name: str, reason: str, replacement_phone: str = "") -> ShiftSwap:
    scope.check_can_see(shift, user)
    if shift.ends_at <= timezone.now():
        raise ValidationFailed("该班次已结束，不能申请调班", fields={"shift": ["班次已结束"]})
    if not (replacement_name or "").strip():
        raise ValidationFailed("请填写替班人员", fields={"replacement_name": ["必填"]})
    if replacement_name.strip() == shift.person_name:
        raise ValidationFailed("替班人员与原值班人员相同", fields={"replacement_name": ["与原值班人员相同"]})
    if not (reason or "").strip():
        raise ValidationFailed("请填写调班原因", fields={"reason": ["必填"]})
    if shift.swaps.filter(status="pending").exists():
        raise Conflict("该班次已有待审批的调班申请")
    return records.create_record(user, ShiftSwap, {
        "shift": shift, "division_code": shift.division_code, "original_name": shift.person_name,
        "replacement_name": replacement_name.strip(), "replacement_phone": replacement_phone.strip(),
        "reason": reason.strip()})


def decide_swap(user, swap: ShiftSwap, approve: bool, note: str = "") -> ShiftSwap:
    """Approve (the shift changes hands) or reject a pending swap; audited as a transition."""
    scope.check_can_see(swap, user)
    capabilities.require(user, "duty.swaps.decide", "调班须由带班领导或管理员审批")
    if swap.created_by_id == user.pk:
        raise Forbidden("不能审批自己提交的调班申请")
    with audited_transaction():
        current = records.lock(swap, ShiftSwap.objects)
        if current.status != "pending":
            raise Conflict(f"该调班申请已{current.get_status_display()}，不能重复审批")
        status = "approved" if approve else "rejected"
        current = records.change(user, current, lock=False, audit_action="transition",
                                 note=f"调班{dict(ShiftSwap.STATUSES)[status]}", status=status,
                                 decided_by=user, decided_at=timezone.now(), decision_note=note.strip()[:200])
        if approve:
            shift = DutyShift.objects.get(pk=current.shift_id)
            records.change(user, shift, note=f"调班批准：{current.original_name} → {current.replacement_name}",
                           person_name=current.replacement_name, phone=current.replacement_phone or shift.phone)
        publish("duty", "swap_decided", {"swap": current.pk, "status": current.status,
                                         "text": f"{current}：{current.get_status_display()}"}, current.division_code)
    return current


# ----- handovers -----------------------------------------------------------------------


def create_handover(user, unit: Organisation, data: dict) -> Handover:
    scope.check_can_see(unit, user)
    payload = {**data, "organisation": unit, "division_code": unit.division_code}
    payload.setdefault("handed_over_at", timezone.now())
    for field, label in (("outgoing_name", "交班人"), ("incoming_name", "接班人"), ("summary", "本班值班情况")):
        if not str(payload.get(field) or "").strip():
            raise ValidationFailed(f"请填写{label}", fields={field: ["必填"]})
    handover = records.create_record(user, Handover, payload)
    publish("duty", "handover", {"handover": handover.pk, "text": f"交接班待确认：{handover}"}, handover.division_code)
    return handover


def acknowledge_handover(user, handover: Handover, note: str = "") -> Handover:
    """The incoming shift confirms it has taken over (not the person who wrote the record)."""
    scope.check_can_see(handover, user)
    scope.check_can_write(Handover, user, handover.division_code)
    if handover.created_by_id == user.pk:
        raise Forbidden("交接班记录须由接班人员确认，交班人不能自行确认")
    with audited_transaction():
        current = records.lock(handover, Handover.objects)
        if current.acknowledged_at is not None:
            raise Conflict(f"该交接班记录已于 {timezone.localtime(current.acknowledged_at):%Y-%m-%d %H:%M} 确认")
        current = records.change(user, current, lock=False, audit_action="transition", note="接班确认",
                                 acknowledged_by=user, acknowledged_at=timezone.now(),
                                 acknowledge_note=note.strip()[:200])
    return current


# ----- daily reports -------------------------------------------------------------------


def submit_daily_report(user, unit: Organisation, report_date: dt.date, *, is_zero: bool, summary: str = "",
                        incident_count: int = 0) -> DailyReport:
    scope.check_can_see(unit, user)
    if report_date > timezone.localdate():
        raise ValidationFailed("不能报送未来日期的值班日报", fields={"report_date": ["日期晚于今天"]})
    if incident_count < 0:
        raise ValidationFailed("突发事件数不能为负数", fields={"incident_count": ["不能为负数"]})
    if is_zero and incident_count:
        raise ValidationFailed("零报告的突发事件数应为0", fields={"incident_count": ["零报告应为0"]})
    if not is_zero and not summary.strip():
        raise ValidationFailed("非零报告请填写值班情况", fields={"summary": ["必填"]})
    if DailyReport.objects.filter(organisation=unit, report_date=report_date).exists():
        raise Conflict(f"{unit.name} {report_date:%Y-%m-%d} 的值班日报已报送")
    report = records.create_record(user, DailyReport, {
        "organisation": unit, "division_code": unit.division_code, "report_date": report_date, "is_zero": is_zero,
        "summary": summary.strip(), "incident_count": incident_count, "submitted_at": timezone.now()})
    parent = parent_duty_unit(unit)
    if parent is not None:
        publish("duty", "daily_report", {"report": report.pk, "text": f"收到{report}"}, parent.division_code)
    return report


def daily_report_status(unit: Organisation, report_date: dt.date) -> dict:
    """Which subordinate units have reported on ``report_date`` and which have not."""
    expected = subordinate_units(unit)
    reported = {r.organisation_id: r for r in DailyReport.objects.filter(organisation__in=expected,
                                                                         report_date=report_date)}
    return {
        "date": report_date,
        "reported": [(u, reported[u.pk]) for u in expected if u.pk in reported],
        "missing": [u for u in expected if u.pk not in reported],
    }


def get_or_404(model, user, pk):
    return scope.get_visible(model.objects.all(), pk, user)
