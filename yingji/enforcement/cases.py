"""Enforcement cases (一般程序): 立案 → 调查取证 → 案件审核 (法制审核 where required) → 告知
(陈述申辩、听证) → 决定 → 送达 → 执行 → 结案, with evidence kept with its hash, each step's
document generated and archived, and the decision published (公示). Every step goes through
``core.records.transition`` with the machine of ``rules.enforcement``; the guards enforce the
law-review gate and the statement period."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError
from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import require
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import change, create_record, transition
from yingji.rules import enforcement as rules
from yingji.core.records import audited_transaction

from . import documents
from .inspections import parse_date
from .models import Case, Evidence, Inspector

CASE_FIELDS = ("enterprise", "inspection", "party_kind", "party_name", "cause", "handler_a", "handler_b", "filed_on",
               "major_public_interest", "complex_case", "other_law", "is_synthetic")
MAX_EVIDENCE_BYTES = 20 * 1024 * 1024
EVIDENCE_STATES = frozenset({"filed", "investigating", "reviewing", "notified", "hearing"})
# Input each step accepts.
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "investigate": ("note",),
    "submit_review": ("facts", "legal_basis", "note"),
    "return_investigation": ("note",),
    "notify": ("penalty", "fine_yuan", "legal_basis", "notified_on", "note"),
    "request_hearing": ("requested_on", "hearing_on", "note"),
    "decide": ("decided_on", "note"),
    "serve": ("served_on", "note"),
    "execute": ("executed_on", "paid_on", "note"),
    "close": ("closed_on", "note"),
    "withdraw": ("note",),
}


def get_case(user, pk) -> Case:
    return scope.get_visible(Case.objects.select_related("enterprise", "handler_a", "handler_b"), pk, user, "执法案件")


def _today() -> dt.date:
    return timezone.localdate()


def _not_future(day: dt.date, label: str, field: str) -> dt.date:
    if day > _today():
        raise ValidationFailed(f"{label}不能晚于今天", fields={field: ["晚于今天"]})
    return day


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except InvalidOperation:
        raise ValidationFailed(f"罚款金额“{value}”不是有效金额", fields={"fine_yuan": ["金额无效"]}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed("罚款金额须大于零", fields={"fine_yuan": ["须大于零"]})
    return amount.quantize(Decimal("0.01"))


def open_case(user, data: dict) -> Case:
    """立案: two certified handlers, a serial number per bureau and year, the 立案审批表."""
    require(user, "enforcement.case")
    data = {k: v for k, v in data.items() if k in CASE_FIELDS and v not in (None, "")}
    if not (data.get("cause") or "").strip():
        raise ValidationFailed("请填写案由", fields={"cause": ["必填"]})
    for key in ("enterprise", "handler_a", "handler_b"):
        if key not in data:
            raise ValidationFailed("请选择当事人和两名承办人", fields={key: ["必填"]})
    filed_on = _not_future(parse_date(data.get("filed_on"), "立案日期", "filed_on") or _today(), "立案日期", "filed_on")
    data["filed_on"] = filed_on
    handlers = [h if isinstance(h, Inspector) else Inspector.objects.filter(pk=h).first()
                for h in (data["handler_a"], data["handler_b"])]
    if None in handlers:
        raise ValidationFailed("承办人不存在", fields={"handler_a": ["不存在"]})
    problems = rules.inspector_problems([h.fact() for h in handlers], filed_on)
    if problems:
        raise ValidationFailed("；".join(problems), code="inspectors", fields={"handler_b": problems})
    enterprise_code = data["enterprise"].division_code if hasattr(data["enterprise"], "division_code") else user.region_code
    for attempt in range(3):
        serial = (Case.objects.filter(division_code__startswith=enterprise_code[:6], year=filed_on.year)
                  .order_by("-serial").values_list("serial", flat=True).first() or 0) + 1
        number = f"（{enterprise_code[:6]}）应急立〔{filed_on.year}〕{serial}号"
        try:
            with audited_transaction():
                case = create_record(user, Case, data, server={"year": filed_on.year, "serial": serial, "number": number})
                documents.archive(user, documents.case_document(case, "filing"), case=case)
                return case
        except IntegrityError:
            if attempt == 2:
                raise Conflict("立案编号冲突，请重试") from None
    raise Conflict("立案编号冲突，请重试")


def add_evidence(user, case_id: int, upload, kind: str, description: str, collected_on=None) -> Evidence:
    """调查取证: the file is stored with its SHA-256 (全过程记录)."""
    case = get_case(user, case_id)
    require(user, "enforcement.case")
    if case.state not in EVIDENCE_STATES:
        raise Conflict(f"案件状态为“{case.get_state_display()}”，不能再登记证据")
    if upload is None:
        raise ValidationFailed("请选择证据文件", fields={"file": ["必填"]})
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationFailed(f"证据文件超过 20 MB（{upload.size / 1048576:.1f} MB）", fields={"file": ["文件过大"]})
    if not (description or "").strip():
        raise ValidationFailed("请填写证据说明", fields={"description": ["必填"]})
    if kind not in dict(Evidence.KINDS):
        raise ValidationFailed(f"未知证据种类“{kind}”", fields={"kind": ["未知种类"]})
    content = upload.read()
    upload.seek(0)
    day = _not_future(parse_date(collected_on, "取证日期", "collected_on") or _today(), "取证日期", "collected_on")
    return create_record(user, Evidence, {
        "case": case, "kind": kind, "description": description.strip()[:200], "collected_on": day, "file": upload,
        "original_name": (upload.name or "")[:200], "size": upload.size, "is_synthetic": case.is_synthetic,
    }, parent=case, server={"sha256": rules.sha256_hex(content)})


def evidence_intact(evidence: Evidence) -> bool:
    with evidence.file.open("rb") as handle:
        return rules.sha256_hex(handle.read()) == evidence.sha256


def _clean(action: str, fields: dict) -> dict:
    if action not in STEP_FIELDS:
        raise ValidationFailed(f"未知操作“{action}”", code="unknown_action", fields={"action": ["未知操作"]})
    data = {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()
            if k in STEP_FIELDS[action] and v not in (None, "")}
    for key, label in (("notified_on", "告知日期"), ("requested_on", "申请听证日期"), ("decided_on", "决定日期"),
                       ("served_on", "送达日期"), ("executed_on", "执行完毕日期"), ("paid_on", "缴款日期"),
                       ("closed_on", "结案日期")):
        if key in data:
            data[key] = _not_future(parse_date(data[key], label, key), label, key)
    if "hearing_on" in data:
        data["hearing_on"] = parse_date(data["hearing_on"], "听证日期", "hearing_on")
    if "fine_yuan" in data:
        data["fine_yuan"] = _money(data["fine_yuan"])
    return data


def _after(day: dt.date, earlier: dt.date | None, label: str, earlier_label: str, field: str) -> None:
    if earlier is not None and day < earlier:
        raise ValidationFailed(f"{label}不能早于{earlier_label}（{earlier.isoformat()}）", fields={field: ["日期顺序不对"]})


def statement_ends(case: Case) -> dt.date | None:
    return rules.add_working_days(case.notified_on, rules.STATEMENT_DAYS) if case.notified_on else None


def _decision_number(case: Case, day: dt.date) -> str:
    serial = Case.objects.filter(division_code__startswith=case.division_code[:6], decided_on__year=day.year).count() + 1
    return f"（{case.division_code[:6]}）应急罚〔{day.year}〕{serial}号"


def step(user, case_id: int, action: str, fields: dict | None = None, *, expected_version=None) -> Case:
    """Take one step of the case for ``user``; refused with the Chinese reason otherwise."""
    data = _clean(action, dict(fields or {}))
    case = get_case(user, case_id)
    changes: dict = {}
    context: dict = {"note": data.get("note")}
    document = None
    if action == "submit_review":
        changes = {"facts": data.get("facts", ""), "legal_basis": data.get("legal_basis", case.legal_basis)}
        context.update(evidence_count=case.evidence.count(), findings=data.get("facts"))
    elif action == "notify":
        penalty = data.get("penalty", "")
        if penalty and penalty not in rules.PENALTY_KINDS:
            raise ValidationFailed(f"未知处罚种类“{penalty}”", fields={"penalty": ["未知种类"]})
        if penalty == "fine" and data.get("fine_yuan") is None:
            raise ValidationFailed("罚款须填写金额", fields={"fine_yuan": ["必填"]})
        day = data.get("notified_on") or _today()
        _after(day, case.filed_on, "告知日期", "立案日期", "notified_on")
        changes = {"penalty": penalty, "fine_yuan": data.get("fine_yuan") if penalty == "fine" else None,
                   "notified_on": day, "legal_basis": data.get("legal_basis") or case.legal_basis}
        context["penalty"] = penalty
        document = "notice"
    elif action == "request_hearing":
        day = data.get("requested_on") or _today()
        _after(day, case.notified_on, "申请听证日期", "告知日期", "requested_on")
        hearing_on = data.get("hearing_on")
        if hearing_on is not None and hearing_on < day + dt.timedelta(days=rules.HEARING_NOTICE_DAYS):
            raise ValidationFailed("听证应当在举行七日前通知当事人（行政处罚法第六十四条），听证日期过早",
                                   fields={"hearing_on": ["距申请不足七日"]})
        changes = {"hearing_requested_on": day, "hearing_on": hearing_on}
        context.update(hearing_right=case.hearing_right, today=day, statement_period_ends=statement_ends(case))
    elif action == "decide":
        day = data.get("decided_on") or _today()
        _after(day, case.notified_on, "决定日期", "告知日期", "decided_on")
        _after(day, case.hearing_on if case.hearing_held else None, "决定日期", "听证日期", "decided_on")
        changes = {"decided_on": day, "decision_number": _decision_number(case, day)}
        context.update(waived=case.waived, today=day, statement_period_ends=statement_ends(case),
                       needs_law_review=case.needs_law_review,
                       law_review_passed=case.law_review_result == "passed",
                       hearing_pending=bool(case.hearing_requested_on) and not case.hearing_held)
        document = "decision"
    elif action == "serve":
        day = data.get("served_on")
        if day is not None:
            _after(day, case.decided_on, "送达日期", "决定日期", "served_on")
        changes = {"served_on": day}
        context["served_on"] = day
        document = "service"
    elif action == "execute":
        day = data.get("executed_on")
        if day is not None:
            _after(day, case.served_on, "执行完毕日期", "送达日期", "executed_on")
        changes = {"executed_on": day}
        context["executed_on"] = day
        if case.penalty == "fine":
            paid = data.get("paid_on") or day
            if paid is None:
                raise ValidationFailed("请填写缴纳罚款日期", fields={"paid_on": ["必填"]})
            _after(paid, case.served_on, "缴款日期", "送达日期", "paid_on")
            due = rules.add_calendar_days(case.served_on, rules.PAYMENT_DAYS)
            changes.update(paid_on=paid, surcharge_yuan=rules.late_payment_surcharge(case.fine_yuan, due, paid))
    elif action == "close":
        day = data.get("closed_on") or _today()
        _after(day, case.executed_on, "结案日期", "执行完毕日期", "closed_on")
        changes = {"closed_on": day}
        context.update(published=bool(case.published_on), must_publish=bool(case.decided_on))
        document = "closing"
    if data.get("note"):
        changes["last_note"] = data["note"]

    def note(row, move, source):
        return f"{move.label}：{rules.CASE_STATES[source]} → {rules.CASE_STATES[move.target]}" + (
            f"；{data['note']}" if data.get("note") else "")

    with audited_transaction():
        done = transition(user, case, rules.CASE_MACHINE, action, context=context, note=note,
                          expected_version=expected_version, **changes)
        if document:
            documents.archive(user, documents.case_document(done, document), case=done)
    return done


def record_waiver(user, case_id: int) -> Case:
    """The party waives statement and hearing in writing (行政处罚法第六十二条)."""
    case = get_case(user, case_id)
    require(user, "enforcement.case")
    if case.state != "notified":
        raise Conflict("只有已告知、尚未决定的案件才能登记当事人放弃陈述申辩和听证")
    return change(user, case, note="当事人书面放弃陈述申辩和听证", audit_action="transition", waived=True)


def record_hearing(user, case_id: int, held_on=None, note: str = "") -> Case:
    """The hearing was held (听证笔录 signed): from now on the decision needs 法制审核."""
    case = get_case(user, case_id)
    require(user, "enforcement.case")
    if case.state != "hearing" or case.hearing_held:
        raise Conflict("只有已申请、尚未举行听证的案件才能登记听证")
    day = _not_future(parse_date(held_on, "听证日期", "hearing_on") or _today(), "听证日期", "hearing_on")
    _after(day, case.hearing_requested_on, "听证日期", "申请听证日期", "hearing_on")
    return change(user, case, note=f"举行听证（{day.isoformat()}）" + (f"：{note}" if note else ""),
                  audit_action="transition", hearing_held=True, hearing_on=day)


def law_review(user, case_id: int, passed: bool, opinion: str, reviewed_on=None) -> Case:
    """法制审核 (行政处罚法第五十八条): recorded on the case; a failed review blocks the decision."""
    case = get_case(user, case_id)
    require(user, "enforcement.law_review", "只有法制审核人员可以进行法制审核")
    if case.state not in ("reviewing", "notified", "hearing"):
        raise Conflict(f"案件状态为“{case.get_state_display()}”，不在审核阶段")
    if not (opinion or "").strip():
        raise ValidationFailed("请填写法制审核意见", fields={"opinion": ["必填"]})
    day = _not_future(parse_date(reviewed_on, "审核日期", "reviewed_on") or _today(), "审核日期", "reviewed_on")
    result = "passed" if passed else "failed"
    return change(user, case, note=f"法制审核{'通过' if passed else '未通过'}：{opinion.strip()}",
                  audit_action="transition", law_review_result=result, law_reviewer=user.display_name(),
                  law_reviewed_on=day, law_review_opinion=opinion.strip())


def publish(user, case_id: int, published_on=None) -> Case:
    """公示: the decision goes on the public page (安全生产法第七十八条: within 7 working days)."""
    case = get_case(user, case_id)
    require(user, "enforcement.case")
    if not case.decided_on or case.state == "withdrawn":
        raise Conflict("尚未作出处罚决定，不能公示")
    if case.published_on:
        raise Conflict(f"处罚决定已于 {case.published_on.isoformat()} 公示")
    day = _not_future(parse_date(published_on, "公示日期", "published_on") or _today(), "公示日期", "published_on")
    _after(day, case.decided_on, "公示日期", "决定日期", "published_on")
    return change(user, case, note=f"公示处罚决定（{day.isoformat()}）", audit_action="transition", published_on=day)


def offered_actions(case: Case, user) -> list:
    if not scope.is_visible(case, user):
        return []
    return rules.CASE_MACHINE.allowed_actions(case.state, {user.role})
