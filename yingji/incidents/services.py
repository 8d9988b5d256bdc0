"""Incident writes: intake (接报), reports (首报/续报/终报/补报), escalation upward, forwarding to
departments, receipts, timeline entries, closing. Each is one transaction, scope-checked and
audited; live events go out on commit."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.duty.services import duty_unit_of, parent_duty_unit
from yingji.geo import divcodes
from yingji.geo.townships import township_at
from yingji.live.services import publish
from yingji.regions.models import Organisation
from yingji.regions.services import county_at
from yingji.rules.deadlines import ReportTimeError, validate_report_times
from yingji.rules.incident_types import incident_type
from yingji.rules.report_chain import (ACTION_FOR_KIND, DECREE_493_ART12_ITEMS, REPORT_CHAIN, REPORT_KINDS,
                                       check_report, state_from_kinds)
from yingji.rules.statemachine import TransitionError
from yingji.core.records import audited_transaction

from . import deadline_service
from .deadline_service import add_entry
from .grading import grade_incident
from .models import (FIGURE_FIELDS, FIGURE_LABELS, Incident, IncidentAttachment, IncidentReport, ReportReceipt,
                     figure_changes, figure_label, figure_text)

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ART12_CODES = [code for code, _ in DECREE_493_ART12_ITEMS]
INTAKE_TEXT_FIELDS = ("title", "address", "caller_name", "caller_phone", "caller_unit", "description")


# ----- input parsing -----------------------------------------------------------------


def parse_time(value, label: str, field: str) -> dt.datetime | None:
    """ISO text or a datetime; naive values are Beijing time (the duty room's clock)."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        parsed = value
    else:
        parsed = parse_datetime(str(value).strip().replace(" ", "T", 1))
        if parsed is None:
            raise ValidationFailed(f"{label}格式不正确：{value}", fields={field: ["格式应为“年-月-日 时:分”，如 2026-12-03 09:00"]})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def parse_figures(data: dict, defaults: dict | None = None) -> dict:
    """Counts and money from form or JSON input; negative or malformed values are refused."""
    figures, errors = {}, {}
    for name in FIGURE_FIELDS:
        raw = data.get(name)
        if raw in (None, ""):
            figures[name] = (defaults or {}).get(name, Decimal(0) if name == "direct_loss_yuan" else 0)
            continue
        try:
            if name == "direct_loss_yuan":
                if isinstance(raw, float):
                    raw = str(raw)
                value = Decimal(str(raw).strip())
                if not value.is_finite():
                    raise InvalidOperation
            else:
                if isinstance(raw, bool) or (isinstance(raw, float) and not raw.is_integer()):
                    raise ValueError
                value = int(str(raw).strip()) if not isinstance(raw, (int, float)) else int(raw)
        except (ValueError, InvalidOperation):
            errors[name] = [f"{FIGURE_LABELS[name]}应为{'金额' if name == 'direct_loss_yuan' else '整数'}"]
            continue
        if value < 0:
            errors[name] = [f"{FIGURE_LABELS[name]}不能为负数"]
            continue
        figures[name] = value
    if errors:
        first = next(iter(errors.values()))[0]
        raise ValidationFailed(f"输入有误：{first}", fields=errors)
    return figures


def _check_times(occurred_at, received_at, report_at=None) -> None:
    try:
        validate_report_times(occurred_at, received_at, report_at, timezone.now())
    except ReportTimeError as exc:
        raise ValidationFailed(f"时间有误：{exc}", fields={k: [v] for k, v in exc.errors.items()}) from exc


def _check_type(code: str) -> None:
    try:
        incident_type(code)
    except ValueError as exc:
        raise ValidationFailed(str(exc), fields={"type_code": ["请选择事件类型"]}) from exc


def _my_unit(user) -> Organisation:
    unit = duty_unit_of(user)
    if unit is None:
        raise Forbidden("您的账号没有对应的值班单位（应急管理部门），不能接报或报送")
    return unit


def _division_for(data: dict, user) -> str:
    """The incident's division: the chosen code, made precise by the map point — an intake form
    pre-filled with the duty officer's own city code and a point clicked in 彰武县 files the
    incident under 彰武县, not under the city."""
    code = (data.get("division_code") or "").strip()
    if code:
        try:
            chosen = divcodes.normalise(code)
        except divcodes.DivisionCodeError as exc:
            raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
        county = _county_of_point(data)
        if county and divcodes.is_within(county, chosen) and county != chosen:
            return county  # more precise than the (pre-filled) choice, and inside it
        return chosen
    lon, lat = data.get("lon"), data.get("lat")
    if lon not in (None, "") and lat not in (None, ""):
        try:
            county = county_at(float(lon), float(lat))
        except (TypeError, ValueError):
            county = None
        if county:
            town = township_at(float(lon), float(lat))
            return town if town and town.startswith(county[:6]) else county
    return user.region_code


def _county_of_point(data: dict) -> str | None:
    try:
        county = county_at(float(data.get("lon")), float(data.get("lat")))
    except (TypeError, ValueError):
        return None
    return divcodes.normalise(county) if county else None


# ----- intake --------------------------------------------------------------------------


def take_call(user, data: dict, attachments=()) -> tuple[Incident, bool]:
    """接报: record an incident in one transaction. The same ``client_token`` sent again
    (double click, network retry) returns the incident already recorded: ``(incident, False)``."""
    scope.check_can_create(Incident, user)
    try:
        token = uuid.UUID(str(data.get("client_token") or ""))
    except ValueError as exc:
        raise ValidationFailed("缺少或无效的提交令牌 client_token（UUID）", fields={"client_token": ["应为UUID"]}) from exc
    existing = _existing(token, user)
    if existing is not None:
        return existing, False
    unit = _my_unit(user)
    type_code = (data.get("type_code") or "").strip()
    _check_type(type_code)
    now = timezone.now()
    received_at = parse_time(data.get("received_at"), "接报时间", "received_at") or now
    occurred_at = parse_time(data.get("occurred_at"), "事发时间", "occurred_at")
    _check_times(occurred_at, received_at)
    figures = parse_figures(data)
    division = _division_for(data, user)
    values = {k: (data.get(k) or "").strip() for k in INTAKE_TEXT_FIELDS}
    if not values["title"]:
        raise ValidationFailed("请填写事件名称", fields={"title": ["必填"]})
    if not values["description"]:
        raise ValidationFailed("请填写事件简要情况", fields={"description": ["必填"]})
    source = data.get("source") or "phone"
    grade = grade_incident(type_code, figures, division)
    payload = {**values, **figures, "client_token": token, "source": source, "type_code": type_code,
               "category": incident_type(type_code).category, "received_at": received_at,
               "occurred_at": occurred_at, "division_code": division, "receiving_unit": unit, "received_by": user,
               "grade_level": grade.level, "grade_name": grade.name, "grade_reasons": grade.reasons,
               "grade_basis": grade.basis, "is_synthetic": bool(data.get("is_synthetic", False))}
    for key in ("lon", "lat", "coord_source", "enterprise_id"):
        if data.get(key) not in (None, ""):
            payload[key] = data[key]
    with audited_transaction():
        try:
            incident = records.create_record(user, Incident, payload, note="接报")
        except (Conflict, ValidationFailed) as exc:
            again = _existing(token, user)
            if again is not None:  # a concurrent retry of the same submission won
                return again, False
            raise exc
        for upload in attachments:
            _attach(user, incident, upload)
        add_entry(incident, "intake", _intake_text(incident), actor=user, at=received_at, unit_name=unit.name,
                  data={"grade": grade.name, "reasons": grade.reasons})
        deadline_service.sync_deadlines(incident, user)
        publish("incidents", "new", {"incident": incident.pk, "title": incident.title, "grade": incident.grade_name,
                                     "text": f"新接报：{incident.title}（{unit.name}）"}, incident.division_code)
    return incident, True


def _existing(token: uuid.UUID, user) -> Incident | None:
    incident = Incident.objects.filter(client_token=token).first()
    if incident is not None:
        scope.check_can_see(incident, user)
    return incident


def _intake_text(incident: Incident) -> str:
    source = incident.get_source_display()
    caller = f"，报告人{incident.caller_name}" if incident.caller_name else ""
    phone = f"（{incident.caller_phone}）" if incident.caller_phone else ""
    return f"{source}接报{caller}{phone}：{incident.description[:200]}；初判：{incident.grade_name}"


def _attach(user, incident: Incident, upload) -> IncidentAttachment:
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed(f"附件“{upload.name}”超过20MB", fields={"attachments": ["单个附件不超过20MB"]})
    return records.create_record(user, IncidentAttachment, {}, server=dict(
        incident=incident, file=upload, name=upload.name[:200], size=upload.size,
        division_code=incident.division_code), parent=incident, validate=False, note="事件附件")


# ----- reports -------------------------------------------------------------------------


def report_label(report: IncidentReport) -> str:
    """首报, 续报（第2次）, 终报, 补报（第1次）."""
    return REPORT_KINDS[report.kind] + (f"（第{report.kind_sequence}次）" if report.kind in ("follow_up", "supplement") else "")


def file_report(user, incident: Incident, kind: str, data: dict, *, submit_upward: bool = False) -> IncidentReport:
    """File a report of ``kind`` (first/follow_up/final/supplement). Its figures become the
    incident's current figures and the grade is recomputed with the reason shown."""
    scope.check_can_see(incident, user)
    scope.check_can_write(IncidentReport, user, incident.division_code)
    if kind not in REPORT_KINDS:
        raise ValidationFailed(f"未知的报告类型：{kind}", fields={"kind": ["应为 first/follow_up/final/supplement"]})
    unit = _my_unit(user)
    now = timezone.now()
    with audited_transaction():
        current = records.lock(incident, Incident.objects)
        kinds = list(current.reports.values_list("kind", flat=True))
        state = state_from_kinds(kinds, current.state == "closed")
        items = {code: (data.get(code) or "").strip() for code in ART12_CODES}
        try:
            check_report(kind, state, [user.role], {"require_art12_items": kind != "supplement", "items": items})
        except TransitionError as exc:
            if exc.code == "forbidden_role":
                raise Forbidden(exc.message) from exc
            raise ValidationFailed(exc.message, code=exc.code) from exc
        report_at = parse_time(data.get("report_at"), "报告时间", "report_at") or now
        _check_times(current.occurred_at, current.received_at, report_at)
        issuer = (data.get("issuer") or "").strip()
        if not issuer:
            raise ValidationFailed("请填写签发人", fields={"issuer": ["必填"]})
        known = current.figures()  # the last known figures: the previous report's, or the intake's
        figures = parse_figures(data, defaults=known)
        grade = grade_incident(current.type_code, figures, current.division_code)
        previous = current.reports.order_by("-sequence").first()
        kind_sequence = kinds.count(kind) + 1
        label = report_label(IncidentReport(kind=kind, kind_sequence=kind_sequence))
        report = records.create_record(user, IncidentReport, {
            **items, **figures, "incident": current, "kind": kind, "sequence": len(kinds) + 1,
            "kind_sequence": kind_sequence, "reporting_unit": unit, "issuer": issuer, "report_at": report_at,
            "title": (data.get("title") or "").strip() or f"关于{current.title}的{label}",
            "division_code": current.division_code, "is_synthetic": current.is_synthetic,
            "grade_level": grade.level, "grade_name": grade.name, "grade_reasons": grade.reasons,
            "grade_basis": grade.basis, "compared_with": report_label(previous) if previous else "接报",
            "changes": figure_changes(known, figures)}, note=label)
        report.incident = _apply_report(user, current, report, grade, label, unit, items)
        if submit_upward:
            escalate(user, report)
    incident.refresh_from_db()
    return report


def _apply_report(user, incident: Incident, report: IncidentReport, grade, label: str, unit, items: dict) -> Incident:
    old_grade = incident.grade_name
    incident = records.transition(
        user, incident, REPORT_CHAIN, ACTION_FOR_KIND[report.kind], note=label,
        context={"require_art12_items": report.kind != "supplement", "items": items},
        **{name: getattr(report, name) for name in FIGURE_FIELDS},
        grade_level=grade.level, grade_name=grade.name, grade_reasons=grade.reasons, grade_basis=grade.basis)
    figures = "，".join(f"{figure_label(n)}{figure_text(n, getattr(report, n))}" for n in FIGURE_FIELDS
                       if getattr(report, n))
    change = (f"较{report.compared_with}：{report.changes_text}" if report.changes
              else f"数字与{report.compared_with}相同")
    add_entry(incident, "report", f"{unit.name}报送{label}（签发人：{report.issuer}）{('：' + figures) if figures else ''}；{change}",
              actor=user, at=report.report_at, unit_name=unit.name, data={"report": report.pk})
    if old_grade != grade.name:
        add_entry(incident, "grade", f"等级由“{old_grade or '未定级'}”调整为“{grade.name}”：{'；'.join(grade.reasons)}",
                  actor=user, unit_name=unit.name, data={"from": old_grade, "to": grade.name})
    if report.kind == "first":
        kinds = {"disaster_initial_report"}
        if parent_duty_unit(unit) is None:
            kinds.add("written_report")  # the top duty room in the platform: the filed report is the written one
        deadline_service.complete(incident, unit, kinds, report.report_at, f"{label}已报送", actor=user)
    deadline_service.sync_deadlines(incident, user)
    publish("incidents", "report", {"incident": incident.pk, "report": report.pk, "grade": grade.name,
                                    "text": f"{incident.title}：{unit.name}报送{label}"}, incident.division_code)
    return incident


# ----- escalation, forwarding, receipts -------------------------------------------------


def escalate(user, report: IncidentReport) -> ReportReceipt:
    """Submit a report to the parent unit's duty room: it arrives there now (the receiving
    level's deadlines run from this moment) and pops up live on its console."""
    incident = report.incident
    scope.check_can_see(incident, user)
    scope.check_can_write(IncidentReport, user, incident.division_code)
    sender = report.reporting_unit
    if not capabilities.has(user, "incidents.escalate_any_unit") and not scope.is_visible(sender, user):
        raise Forbidden("只能报送本单位的报告")
    parent = parent_duty_unit(sender)
    if parent is None:
        raise ValidationFailed(f"{sender.name}在本平台没有上级值班室；请按规定直接向省级报告，并在“报告时限”中登记完成情况")
    return _deliver(user, report, sender, parent, "upward")


def forward(user, report: IncidentReport, department: Organisation) -> ReportReceipt:
    """转送: send a report to a department (e.g. 公安、卫健、专项指挥部) for information and action."""
    scope.check_can_see(report.incident, user)
    scope.check_can_write(IncidentReport, user, report.incident.division_code)
    if department.kind not in ("department", "special_hq", "command"):
        raise ValidationFailed("只能转送至部门或指挥部", fields={"department": ["请选择部门"]})
    return _deliver(user, report, report.reporting_unit, department, "forward")


def _deliver(user, report: IncidentReport, sender, receiver, route: str) -> ReportReceipt:
    now = timezone.now()
    with audited_transaction():
        if ReportReceipt.objects.filter(report=report, receiving_unit=receiver).exists():
            raise Conflict(f"该报告已报送{receiver.name}，不能重复报送")
        receipt = records.create_record(user, ReportReceipt, {}, server=dict(
            report=report, incident=report.incident, route=route, sending_unit=sender, receiving_unit=receiver,
            sent_by=user, received_at=now, division_code=receiver.division_code, is_synthetic=report.is_synthetic),
            parent=report, validate=False, audit_action="transition",
            note=f"{'上报' if route == 'upward' else '转送'}{receiver.name}")
        incident = report.incident
        verb = "上报" if route == "upward" else "转送"
        add_entry(incident, route, f"{sender.name}将{report}{verb}{receiver.name}", actor=user, at=now,
                  unit_name=sender.name, data={"receipt": receipt.pk, "report": report.pk})
        if route == "upward":
            deadline_service.complete(incident, sender, {"upward_report", "written_report"}, now,
                                      f"书面报告已{verb}{receiver.name}", actor=user)
            deadline_service.sync_deadlines(incident, user)
        publish("incidents", "escalated" if route == "upward" else "forwarded",
                {"incident": incident.pk, "receipt": receipt.pk, "report": report.pk, "title": incident.title,
                 "grade": incident.grade_name, "from": sender.name, "sound": True,
                 "text": f"收到{sender.name}{verb}：{report}（{incident.grade_name}）"},
                division_code=receiver.division_code)
    return receipt


def acknowledge_receipt(user, receipt: ReportReceipt) -> ReportReceipt:
    """签收: the receiving duty room confirms the report, recording who and when."""
    scope.check_can_see(receipt, user)
    scope.check_can_write(ReportReceipt, user, receipt.division_code)
    with audited_transaction():
        current = records.lock(receipt, ReportReceipt.objects)
        if current.acknowledged_at is not None:
            raise Conflict(f"该报告已由{current.acknowledged_by.display_name() if current.acknowledged_by else '他人'}签收")
        current = records.change(user, current, lock=False, audit_action="transition", note="签收",
                                 acknowledged_by=user, acknowledged_at=timezone.now())
        waited = int((current.acknowledged_at - current.received_at).total_seconds() // 60)
        add_entry(current.incident, "receipt", f"{current.receiving_unit.name}签收{current.report}（送达后{waited}分钟）",
                  actor=user, unit_name=current.receiving_unit.name, data={"receipt": current.pk})
        publish("incidents", "acknowledged", {"incident": current.incident_id, "receipt": current.pk,
                                              "text": f"{current.receiving_unit.name}已签收：{current.report}"},
                current.sending_unit.division_code)
    return current


# ----- timeline, changes, closing -------------------------------------------------------


def log_entry(user, incident: Incident, kind: str, text: str, at=None, complete_phone_report: bool = False):
    """Record a call or an action on the timeline; a call to the parent duty room may complete
    the 20-minute phone report."""
    scope.check_can_see(incident, user)
    scope.check_can_write(Incident, user, incident.division_code)
    if kind not in ("call", "action"):
        raise ValidationFailed("只能记录电话或处置措施", fields={"kind": ["应为 call 或 action"]})
    text = (text or "").strip()
    if not text:
        raise ValidationFailed("请填写内容", fields={"text": ["必填"]})
    at = parse_time(at, "时间", "at") or timezone.now()
    _check_times(incident.occurred_at, incident.received_at, at)
    unit = _my_unit(user)
    with audited_transaction():
        entry = add_entry(incident, kind, text, actor=user, at=at, unit_name=unit.name)
        records.note_event(user, incident, f"时间线：{entry.get_kind_display()} {text[:100]}")
        if complete_phone_report and kind == "call":
            deadline_service.complete(incident, unit, {"phone_report"}, at, f"电话报告：{text[:100]}", actor=user)
        publish("incidents", "timeline", {"incident": incident.pk, "text": f"{incident.title}：{text[:60]}"},
                incident.division_code)
    return entry


def close_incident(user, incident: Incident, note: str = "") -> Incident:
    scope.check_can_see(incident, user)
    scope.check_can_write(Incident, user, incident.division_code)
    with audited_transaction():
        current = records.transition(user, incident, REPORT_CHAIN, "close", note="办结",
                                     errors={"forbidden_role": ValidationFailed}, closed_at=timezone.now())
        current.deadlines.filter(status="pending").update(status="cancelled")
        add_entry(current, "close", f"事件办结{('：' + note.strip()) if note.strip() else ''}", actor=user)
        publish("incidents", "closed", {"incident": current.pk, "text": f"{current.title}已办结"}, current.division_code)
    return current


def get_incident(user, pk) -> Incident:
    return scope.get_visible(Incident.objects.select_related("receiving_unit"), pk, user, "事件")


def get_report(user, pk) -> IncidentReport:
    return scope.get_visible(IncidentReport.objects.select_related("incident", "reporting_unit"), pk, user, "报告",
                             scope_of=lambda report: report.incident)


def get_receipt(user, pk) -> ReportReceipt:
    return scope.get_visible(ReportReceipt.objects.select_related("report", "incident", "receiving_unit"), pk, user,
                             "接收记录")

