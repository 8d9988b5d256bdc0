"""Writes for disaster management, one function per use case. Every write, and every audit
entry, goes through ``core.records`` (scope check, validation, audit in the same transaction)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from yingji.core import records, scope
from yingji.core.capabilities import require
from yingji.core.errors import Conflict, Forbidden, ValidationFailed, from_django_validation
from yingji.core.records import change, create_record, log_event, update_record
from yingji.geo import divcodes
from yingji.incidents.models import Incident
from yingji.regions.services import check_division_exists
from yingji.resources.stock import record_movement
from yingji.rules import disaster_reports as dr
from yingji.warnings.models import Warning
from yingji.core.records import audited_transaction

from . import selectors
from .models import (DECIMAL_FIGURES, FIGURE_LABELS, FIGURE_NAMES, CasualtyRecord, DisasterEvent, LossReport,
                     ReliefDispatch, ReliefMaterialIssue, ReliefNotice, ReliefPayment)

EVENT_FIELDS = ("title", "hazard_type", "start_at", "end_at", "affected_codes", "description", "daily_reporting",
                "agricultural_population", "relief_table_id", "division_code", "is_synthetic")
CENT = Decimal("0.01")
REPORT_FIELDS = ("stage", "report_at", "reporter", "summary", "jump_explanation", "difference_explanation",
                 "division_code", "is_synthetic", *FIGURE_NAMES)


def parse_time(value, label: str, field: str):
    """ISO text or a datetime; naive values are Beijing time (the form's datetime-local)."""
    if value in (None, ""):
        return None
    parsed = value if isinstance(value, dt.datetime) else parse_datetime(str(value).strip().replace(" ", "T", 1))
    if parsed is None:
        raise ValidationFailed(f"{label}格式不正确：{value}", fields={field: ["格式应为“年-月-日 时:分”，如 2026-12-03 09:00"]})
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed, timezone.get_current_timezone())
    return parsed


def jump_rule() -> dr.JumpRule:
    """The configured jump rule: ``settings.YINGJI_DISASTER_JUMP_RULE = {"ratio": "1",
    "min_increase": "10"}`` overrides the documented default."""
    raw = getattr(settings, "YINGJI_DISASTER_JUMP_RULE", None) or {}
    return dr.JumpRule(**{k: Decimal(str(v)) for k, v in raw.items()}) if raw else dr.DEFAULT_JUMP_RULE


def _normalise_codes(user, event_code: str, codes) -> list[str]:
    if isinstance(codes, str):
        codes = [c for c in codes.replace("，", ",").replace(" ", ",").split(",") if c]
    try:
        normalised = sorted({divcodes.normalise(c) for c in codes or []})
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"affected_codes": [str(exc)]}) from exc
    for code in normalised:
        check_division_exists(code)
        if not divcodes.is_within(code, event_code):
            raise ValidationFailed(f"受灾区划 {divcodes.short_code(code)} 不在本灾害过程的区划内",
                                   fields={"affected_codes": ["超出本灾害过程的区划"]})
    return normalised


def create_event(user, data: dict) -> DisasterEvent:
    scope.check_can_create(DisasterEvent, user)
    data = {k: v for k, v in data.items() if k in EVENT_FIELDS and v is not None}
    data.setdefault("division_code", user.region_code)
    try:
        data["division_code"] = divcodes.normalise(data["division_code"])
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    scope.check_can_write(DisasterEvent, user, data["division_code"])
    data["affected_codes"] = _normalise_codes(user, data["division_code"], data.get("affected_codes"))
    for key, label in (("start_at", "开始时间"), ("end_at", "结束时间")):
        if key in data:
            data[key] = parse_time(data[key], label, key)
    return create_record(user, DisasterEvent, data)


def link_records(user, event: DisasterEvent, *, incident_ids=None, warning_ids=None) -> DisasterEvent:
    """Link incidents and warnings the user may see (replacing the previous links)."""
    scope.check_can_see(event, user)
    scope.check_can_write(DisasterEvent, user, event.division_code)
    with audited_transaction():
        before = {"incidents": sorted(event.incidents.values_list("pk", flat=True)),
                  "warnings": sorted(event.warnings.values_list("pk", flat=True))}
        if incident_ids is not None:
            event.incidents.set([scope.get_visible(Incident.objects.all(), pk, user, "突发事件") for pk in incident_ids])
        if warning_ids is not None:
            event.warnings.set([scope.get_visible(Warning.objects.all(), pk, user, "预警") for pk in warning_ids])
        after = {"incidents": sorted(event.incidents.values_list("pk", flat=True)),
                 "warnings": sorted(event.warnings.values_list("pk", flat=True))}
        log_event(user, "update", event, before=before, after=after, note="关联突发事件与预警")
    return event


def mark_stabilised(user, event: DisasterEvent, at=None) -> DisasterEvent:
    """Declare 灾情稳定: daily reporting stops and the 核报 clock starts (条例第十七条)."""
    scope.check_can_see(event, user)
    scope.check_can_write(DisasterEvent, user, event.division_code)
    at = parse_time(at, "灾情稳定时间", "stabilised_at") or timezone.now()
    with audited_transaction():
        current = records.lock(event, DisasterEvent.objects)
        if current.stabilised_at:
            raise Conflict(f"该灾害过程已于 {timezone.localtime(current.stabilised_at):%Y-%m-%d %H:%M} 标记灾情稳定")
        last = current.reports.order_by("-report_at").first()
        if last is not None and at < last.report_at:
            raise ValidationFailed("灾情稳定时间不能早于最后一次报告时间", fields={"stabilised_at": ["早于最后一次报告"]})
        return change(user, current, note="灾情稳定", audit_action="transition", lock=False, only_changed=True,
                      stabilised_at=at)


def _figures(data: dict) -> dict:
    figures = {}
    for name in FIGURE_NAMES:
        raw = data.get(name)
        if raw in (None, ""):
            figures[name] = Decimal("0.00") if name in DECIMAL_FIGURES else 0
            continue
        try:
            value = Decimal(str(raw).strip()) if name in DECIMAL_FIGURES else int(str(raw).strip())
        except (InvalidOperation, ValueError):
            raise ValidationFailed(f"{FIGURE_LABELS[name]}格式不正确", fields={name: ["须为数字"]}) from None
        if isinstance(value, Decimal) and not value.is_finite():
            raise ValidationFailed(f"{FIGURE_LABELS[name]}格式不正确", fields={name: ["须为数字"]})
        if value < 0:
            raise ValidationFailed(f"{FIGURE_LABELS[name]}不能为负数", fields={name: ["不能为负数"]})
        if name in DECIMAL_FIGURES:
            value = value.quantize(CENT)
        figures[name] = value
    return figures


def _describe(items, what: str) -> str:
    return "；".join(f"{FIGURE_LABELS[i['field']]} {i['previous'] if 'previous' in i else i['sum']} → "
                    f"{i['current'] if 'current' in i else i['reported']}" for i in items) + what


def file_report(user, event: DisasterEvent, data: dict) -> LossReport:
    """File the next loss report of one division for ``event``.

    Refuses (Chinese messages): a division outside the user's scope (403) or the event's
    division (400); a stage out of order (409); a sharp jump against the division's previous
    report without ``jump_explanation`` (400, field ``jump_explanation``); figures that differ
    from the sum of the divisions below without ``difference_explanation`` (400)."""
    scope.check_can_create(LossReport, user)
    selectors.check_can_see_event(event, user)
    data = {k: v for k, v in data.items() if k in REPORT_FIELDS}
    try:
        division = divcodes.normalise(data.get("division_code") or user.region_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    scope.check_can_write(LossReport, user, division)
    if not divcodes.is_within(division, event.division_code):
        raise ValidationFailed(f"区划 {divcodes.short_code(division)} 不在灾害过程“{event}”的区划内",
                               fields={"division_code": ["超出灾害过程的区划"]})
    check_division_exists(division)
    figures = _figures(data)
    stage = data.get("stage") or ""
    with audited_transaction():
        event = records.lock(event, DisasterEvent.objects)  # serialise reports of one event
        previous = list(event.reports.filter(division_code=division).order_by("sequence"))
        try:
            dr.next_stage_allowed([r.stage for r in previous], stage, stabilised=event.stabilised_at is not None)
        except dr.StageError as exc:
            if stage not in dr.STAGES:
                raise ValidationFailed(str(exc), code="invalid_stage", fields={"stage": [str(exc)]}) from exc
            raise Conflict(str(exc), code="stage_order", fields={"stage": [str(exc)]}) from exc
        jumps = [j.to_json() for j in dr.sharp_jumps(previous[-1].figures(), figures, jump_rule())] if previous else []
        if jumps and not (data.get("jump_explanation") or "").strip():
            raise ValidationFailed(f"与上次报告相比数据大幅变化，须填写书面说明：{_describe(jumps, '')}", code="jump_unexplained",
                                   fields={"jump_explanation": ["数据大幅变化须说明原因"]})
        differences = selectors.differences_from_parts(event, division, figures)
        if differences and not (data.get("difference_explanation") or "").strip():
            raise ValidationFailed(f"本级数字与下级合计不一致，须填写差异说明：{_describe(differences, '')}",
                                   code="difference_unexplained",
                                   fields={"difference_explanation": ["与下级合计不一致须说明"]})
        record = {**data, **figures, "division_code": division, "event": event, "stage": stage,
                  "sequence": len(previous) + 1, "jumps": jumps, "differences": differences,
                  "report_at": parse_time(data.get("report_at"), "报告时间", "report_at") or timezone.now()}
        record["is_synthetic"] = bool(data.get("is_synthetic") or event.is_synthetic)
        pending = not user.can("disasters.review")
        if pending:  # a 灾害信息员's report waits for the county's review
            record["review_state"] = "pending"
        try:
            return create_record(user, LossReport, record,
                                 note=f"{dr.STAGES[stage]}{'（待县级审核）' if pending else ''}")
        except IntegrityError as exc:  # pragma: no cover - the lock above makes this a race guard only
            raise Conflict("该区划的报告已被他人同时提交，请刷新后重试") from exc


def review_report(user, report: LossReport, corrected: dict | None = None, reason: str = "") -> LossReport:
    """The county reviews a report waiting in 待县级审核: corrects figures (each change kept with
    its value before and after, ``reason`` required) and accepts it, which submits it upward —
    from then on it counts in the county's and the city's totals.

    Refuses: a reviewer without ``disasters.review`` (403), a report outside the reviewer's
    area or at the reviewer's own level (403: the county reviews what lies below it), a report
    already reviewed (409), a correction without a reason (400), invalid figures (400)."""
    require(user, "disasters.review", "您的角色无权审核灾情报告")
    scope.check_can_see(report, user)
    own = divcodes.normalise(user.region_code)
    if report.division_code == own or not divcodes.is_within(report.division_code, own):
        raise Forbidden("只能审核本辖区下级（乡镇、村）报送的灾情报告")
    changed_input = {k: v for k, v in (corrected or {}).items() if k in FIGURE_NAMES and v not in (None, "")}
    with audited_transaction():
        current = records.lock(report, LossReport.objects)
        if current.review_state != "pending":
            raise Conflict(f"该报告已于 {timezone.localtime(current.reviewed_at):%Y-%m-%d %H:%M} 审核上报"
                           if current.reviewed_at else "该报告无需审核")
        figures = _figures({**current.figures(), **changed_input})
        try:
            LossReport(**figures).clean()  # 绝收 ≤ 成灾 ≤ 受灾, 户 ≤ 间 on the corrected figures
        except DjangoValidationError as exc:
            raise from_django_validation(exc) from exc
        corrections = [{"field": n, "before": str(getattr(current, n)), "after": str(figures[n])}
                       for n in FIGURE_NAMES if Decimal(getattr(current, n)) != Decimal(figures[n])]
        reason = (reason or "").strip()
        if corrections and not reason:
            raise ValidationFailed(f"更正了数据，须填写更正原因：{_describe_corrections(corrections)}",
                                   code="correction_unexplained", fields={"correction_reason": ["更正数据须说明原因"]})
        changes = {"review_state": "accepted", "reviewed_by": user, "reviewed_at": timezone.now(),
                   "corrections": corrections, "correction_reason": reason}
        if corrections:
            changes.update({n: figures[n] for n in FIGURE_NAMES})
            previous = (LossReport.objects.filter(event_id=current.event_id, division_code=current.division_code,
                                                  sequence__lt=current.sequence).order_by("-sequence").first())
            jumps = [j.to_json() for j in dr.sharp_jumps(previous.figures(), figures, jump_rule())] if previous else []
            changes["jumps"] = jumps
            if jumps and not current.jump_explanation.strip():
                changes["jump_explanation"] = f"审核更正：{reason}"
        note = "审核上报" + (f"（更正：{_describe_corrections(corrections)}；原因：{reason}）" if corrections else "")
        return change(user, current, note=note[:500], audit_action="transition", lock=False, **changes)


def _describe_corrections(corrections) -> str:
    return "；".join(f"{FIGURE_LABELS[c['field']]} {c['before']} → {c['after']}" for c in corrections)


def record_payment(user, event: DisasterEvent, data: dict) -> ReliefPayment:
    """Register assistance to one household. The same household (ID number) is never paid twice
    for the same category and event: checked here in Chinese and enforced by a unique
    constraint in the database."""
    scope.check_can_create(ReliefPayment, user)
    selectors.check_can_see_event(event, user)
    allowed = ("category", "head_name", "head_id_number", "household_size", "people", "amount_yuan", "paid_at",
               "signer", "division_code", "is_synthetic")
    data = {k: v for k, v in data.items() if k in allowed}
    data["head_id_number"] = (data.get("head_id_number") or "").strip().upper()
    data.setdefault("division_code", user.region_code)
    data["paid_at"] = parse_time(data.get("paid_at"), "发放时间", "paid_at") or timezone.now()
    data["event"] = event
    try:
        data["division_code"] = divcodes.normalise(data["division_code"])
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    scope.check_can_write(ReliefPayment, user, data["division_code"])
    if not divcodes.is_within(data["division_code"], event.division_code):
        raise ValidationFailed("发放区划不在本灾害过程的区划内", fields={"division_code": ["超出灾害过程的区划"]})
    with audited_transaction():
        DisasterEvent.objects.select_for_update().filter(pk=event.pk).first()
        existing = ReliefPayment.objects.filter(event=event, category=data.get("category"),
                                                head_id_number=data["head_id_number"]).first()
        if existing is not None:
            raise Conflict(f"户主 {existing.head_name}（身份证号 {data['head_id_number']}）已于 "
                           f"{timezone.localtime(existing.paid_at):%Y-%m-%d} 领取过本次灾害的"
                           f"{existing.get_category_display()}，同一户不能重复发放", code="already_paid",
                           fields={"head_id_number": ["该户已领取过此类救助"]})
        return create_record(user, ReliefPayment, data)


def issue_materials(user, payment: ReliefPayment, *, warehouse, material, quantity, signer: str) -> list[ReliefMaterialIssue]:
    """Issue relief materials to a household from a reserve warehouse: an 出库 through the stock
    ledger's one write path (so stock decreases and the line is signed and audited)."""
    scope.check_can_see(payment, user)
    require(user, "disasters.relief_logistics", "您的角色无权发放救灾物资")
    with audited_transaction():
        lines = record_movement(user, warehouse=warehouse, material=material, kind="out", quantity=quantity,
                                signer=signer, counterparty=f"{payment.head_name}（救助对象）",
                                reference=f"灾害过程#{payment.event_id}：{payment.event}",
                                note=f"{payment.get_category_display()}物资发放")
        issues = []
        for line in lines:
            issues.append(create_record(user, ReliefMaterialIssue, {
                "payment": payment, "movement": line, "issued_by": user, "division_code": payment.division_code,
                "is_synthetic": payment.is_synthetic}, note="救灾物资发放"))
    return issues


CASUALTY_FIELDS = ("status", "name", "gender", "age", "id_number", "residence", "occurred_at", "place", "cause",
                   "division_code", "is_synthetic")
CASUALTY_MOVES = {("missing", "dead"): "失踪人员确认死亡", ("missing", "found"): "失踪人员找到生还"}


def register_casualty(user, event: DisasterEvent, data: dict):
    """Add one person to the event's dead and missing register (因灾死亡失踪人口一览表)."""
    scope.check_can_create(CasualtyRecord, user)
    selectors.check_can_see_event(event, user)
    data = {k: v for k, v in data.items() if k in CASUALTY_FIELDS}
    if data.get("status") not in ("dead", "missing"):
        raise ValidationFailed("登记时状态须为死亡或失踪", fields={"status": ["须为死亡或失踪"]})
    try:
        data["division_code"] = divcodes.normalise(data.get("division_code") or user.region_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    if not divcodes.is_within(data["division_code"], event.division_code):
        raise ValidationFailed("区划不在本灾害过程的区划内", fields={"division_code": ["超出灾害过程的区划"]})
    data["occurred_at"] = parse_time(data.get("occurred_at"), "死亡（失踪）时间", "occurred_at")
    data["id_number"] = (data.get("id_number") or "").strip().upper()
    data["event"] = event
    return create_record(user, CasualtyRecord, data, note="因灾死亡失踪人员登记")


def change_casualty_status(user, record, status: str, note: str):
    """失踪 → 死亡 (body found) or 失踪 → 已找到 (found alive), with a recorded reason."""
    move = CASUALTY_MOVES.get((record.status, status))
    if move is None:
        raise Conflict(f"不能从“{record.get_status_display()}”改为“{dict(CasualtyRecord._meta.get_field('status').choices).get(status, status)}”")
    if not (note or "").strip():
        raise ValidationFailed("须填写变更原因", fields={"note": ["必填"]})
    return update_record(user, record, {"status": status}, note=f"{move}：{note.strip()}")


def order_dispatch(user, event: DisasterEvent, data: dict):
    """Record a relief dispatch order to a division of the event (the clock starts)."""
    scope.check_can_create(ReliefDispatch, user)
    selectors.check_can_see_event(event, user)
    data = {k: v for k, v in data.items() if k in ("items", "warehouse_id", "division_code", "ordered_at", "is_synthetic")}
    try:
        data["division_code"] = divcodes.normalise(data.get("division_code") or user.region_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    if not divcodes.is_within(data["division_code"], event.division_code):
        raise ValidationFailed("目的地不在本灾害过程的区划内", fields={"division_code": ["超出灾害过程的区划"]})
    data["ordered_at"] = parse_time(data.get("ordered_at"), "调运指令时间", "ordered_at") or timezone.now()
    data["event"] = event
    return create_record(user, ReliefDispatch, data, note="救灾物资调运指令")


def mark_dispatch(user, dispatch, step: str, at=None):
    """装运完毕 (``loaded``) or 运抵 (``delivered``), once each, in that order."""
    field = {"loaded": "loaded_at", "delivered": "delivered_at"}.get(step)
    if field is None:
        raise ValidationFailed(f"未知的调运环节“{step}”，可选：loaded、delivered")
    if getattr(dispatch, field) is not None:
        raise Conflict("该环节已登记")
    at = parse_time(at, "时间", field) or timezone.now()
    return update_record(user, dispatch, {field: at}, note={"loaded": "装运完毕", "delivered": "运抵灾区"}[step])


def post_notice(user, event: DisasterEvent, data: dict) -> ReliefNotice:
    """Record that the list of one category's households in a village or township was posted
    for public notice (公示), with where and for how long; the households and the total amount
    are taken from the payments at that moment. Refuses an empty list (400)."""
    scope.check_can_create(ReliefNotice, user)
    selectors.check_can_see_event(event, user)
    data = {k: v for k, v in data.items() if k in ("category", "division_code", "posted_at", "days", "place", "note",
                                                   "is_synthetic")}
    try:
        data["division_code"] = divcodes.normalise(data.get("division_code") or user.region_code)
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"division_code": [str(exc)]}) from exc
    scope.check_can_write(ReliefNotice, user, data["division_code"])
    payments = selectors.notice_payments(event, user, data.get("category"), data["division_code"])
    if not payments:
        raise ValidationFailed("该区划没有此类救助的发放记录，无需公示", fields={"category": ["没有可公示的发放记录"]})
    data["posted_at"] = parse_time(data.get("posted_at"), "公示开始时间", "posted_at") or timezone.now()
    data["event"] = event
    data["is_synthetic"] = bool(data.get("is_synthetic") or event.is_synthetic)
    server = {"households": len(payments), "amount_yuan": sum((p.amount_yuan for p in payments), Decimal(0))}
    return create_record(user, ReliefNotice, data, server=server, note="救助对象公示")
