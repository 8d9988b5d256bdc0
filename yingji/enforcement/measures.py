"""Writes beyond the general procedure: the 简易程序 (当场处罚决定书, 备案, cash handover and
payment), 查封 / 扣押 and 先行登记保存 (decision with its list, one extension, release or
disposal) and the extension of a general case's decision period. Every write goes through
``core.records``; the rules (amounts, periods, what may be extended) are in
``rules.enforcement_measures``."""

from __future__ import annotations

from django.db import IntegrityError
from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import require
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import change, create_record
from yingji.regions.models import Enterprise
from yingji.rules import enforcement as rules
from yingji.rules import enforcement_measures as em
from yingji.core.records import audited_transaction

from . import documents
from .cases import _after, _money, _not_future, get_case
from .inspections import get_inspection, parse_date
from .models import CoerciveMeasure, Inspector, OnSpotPenalty

ON_SPOT_FIELDS = ("enterprise", "inspection", "party_kind", "party_name", "officer_a", "officer_b", "facts",
                  "legal_basis", "penalty", "fine_yuan", "decided_on", "cash_collected", "hard_to_collect",
                  "is_synthetic")
MEASURE_FIELDS = ("kind", "enterprise", "case", "inspection", "reason", "items", "place", "approved_by", "started_on",
                  "is_synthetic")


def _today():
    return timezone.localdate()


def _inspector(value, field: str) -> Inspector:
    if isinstance(value, Inspector):
        return value
    found = Inspector.objects.filter(pk=value).first() if str(value or "").isdigit() else None
    if found is None:
        raise ValidationFailed("请选择执法人员", fields={field: ["必填"]})
    return found


def _enterprise(user, value) -> Enterprise:
    if isinstance(value, Enterprise):
        return value
    if not str(value or "").isdigit():
        raise ValidationFailed("请选择当事人单位", fields={"enterprise": ["必填"]})
    return scope.get_visible(Enterprise.objects.all(), value, user, "企业")


def _serial_number(model, division_code: str, year: int, word: str) -> str:
    count = model.objects.filter(division_code__startswith=division_code[:6], number__contains=f"〔{year}〕").count()
    return f"（{division_code[:6]}）应急{word}〔{year}〕{count + 1}号"


def _create_numbered(user, model, data: dict, word: str, year: int):
    for attempt in range(3):
        number = _serial_number(model, data["enterprise"].division_code, year, word)
        try:
            with audited_transaction():
                return create_record(user, model, data, server={"number": number})
        except IntegrityError:
            if attempt == 2:
                raise Conflict("文书编号冲突，请重试") from None
    raise Conflict("文书编号冲突，请重试")


# --- 简易程序 --------------------------------------------------------------------------------------

def decide_on_spot(user, data: dict) -> OnSpotPenalty:
    """当场作出行政处罚决定 (行政处罚法 第五十一条、第五十二条) with the 当场处罚决定书."""
    require(user, "enforcement.case")
    data = {k: v for k, v in data.items() if k in ON_SPOT_FIELDS and v not in (None, "")}
    for key, label in (("facts", "违法事实"), ("legal_basis", "处罚依据")):
        if not str(data.get(key) or "").strip():
            raise ValidationFailed(f"请填写{label}", fields={key: ["必填"]})
    data["enterprise"] = _enterprise(user, data.get("enterprise"))
    if data.get("inspection") and not hasattr(data["inspection"], "pk"):
        data["inspection"] = get_inspection(user, data["inspection"])
    officers = [_inspector(data.get("officer_a"), "officer_a"), _inspector(data.get("officer_b"), "officer_b")]
    data["officer_a"], data["officer_b"] = officers
    day = _not_future(parse_date(data.get("decided_on"), "决定日期", "decided_on") or _today(), "决定日期", "decided_on")
    data["decided_on"] = day
    problems = rules.inspector_problems([o.fact() for o in officers], day)
    if problems:
        raise ValidationFailed("；".join(problems), code="inspectors", fields={"officer_b": problems})
    party_kind = data.setdefault("party_kind", "unit")
    penalty = data.get("penalty", "")
    fine = _money(data.get("fine_yuan")) if penalty == "fine" else None
    problem = em.simple_procedure_problem(party_kind, penalty, fine)
    if problem:
        raise ValidationFailed(problem, code="not_simple", fields={"fine_yuan" if penalty == "fine" else "penalty": [problem]})
    data["fine_yuan"] = fine
    for key in ("cash_collected", "hard_to_collect"):
        data[key] = data.get(key) in (True, "on", "1", "true")
    if data["cash_collected"]:
        problem = em.cash_on_spot_problem(fine, data["hard_to_collect"])
        if problem:
            raise ValidationFailed(problem, code="no_cash", fields={"cash_collected": [problem]})
    with audited_transaction():
        penalty_row = _create_numbered(user, OnSpotPenalty, data, "当罚", day.year)
        if penalty_row.cash_collected:
            penalty_row = change(user, penalty_row, note="当场收缴罚款", audit_action="transition", paid_on=day)
        documents.archive_owned(user, documents.on_spot_decision(penalty_row), penalty_row)
    return penalty_row


def get_on_spot(user, pk) -> OnSpotPenalty:
    return scope.get_visible(OnSpotPenalty.objects.select_related("enterprise", "officer_a", "officer_b"), pk, user,
                             "当场处罚")


def on_spot_step(user, pk, action: str, day=None) -> OnSpotPenalty:
    """备案 (record), 罚款交至机关 (handover) or 缴纳罚款 (paid)."""
    row = get_on_spot(user, pk)
    require(user, "enforcement.case")
    labels = {"record": ("recorded_on", "报机关备案日期"), "handover": ("handed_over_on", "罚款交至机关日期"),
              "paid": ("paid_on", "缴纳罚款日期")}
    if action not in labels:
        raise ValidationFailed(f"未知操作“{action}”", code="unknown_action", fields={"action": ["未知操作"]})
    field, label = labels[action]
    if getattr(row, field):
        raise Conflict(f"已登记{label}（{getattr(row, field).isoformat()}）")
    if action == "handover" and not row.cash_collected:
        raise Conflict("该罚款未当场收缴，无须登记交至机关")
    if action == "paid" and (row.penalty != "fine" or row.cash_collected):
        raise Conflict("该决定无待缴罚款")
    when = _not_future(parse_date(day, label, field) or _today(), label, field)
    _after(when, row.decided_on, label, "决定日期", field)
    return change(user, row, note=f"登记{label}：{when.isoformat()}", audit_action="transition", **{field: when})


# --- 查封、扣押、先行登记保存 ------------------------------------------------------------------------

def impose_measure(user, data: dict) -> CoerciveMeasure:
    """查封 / 扣押 (行政强制法 第二十四条: decision with the list) or 先行登记保存 (处罚法 第五十六条)."""
    require(user, "enforcement.case")
    data = {k: v for k, v in data.items() if k in MEASURE_FIELDS and v not in (None, "")}
    if data.get("kind") not in em.MEASURES:
        raise ValidationFailed("请选择查封、扣押或者先行登记保存", fields={"kind": ["必填"]})
    for key, label in (("reason", "理由和依据"), ("items", "清单"), ("place", "所在地"), ("approved_by", "批准的机关负责人")):
        if not str(data.get(key) or "").strip():
            raise ValidationFailed(f"请填写{label}", fields={key: ["必填"]})
    if data.get("case") and not hasattr(data["case"], "pk"):
        data["case"] = get_case(user, data["case"])
    if data.get("inspection") and not hasattr(data["inspection"], "pk"):
        data["inspection"] = get_inspection(user, data["inspection"])
    source = data.get("case") or data.get("inspection")
    if source is None:
        raise ValidationFailed("请关联执法检查或执法案件", fields={"case": ["必填"]})
    data["enterprise"] = source.enterprise
    if data.get("case") and data["case"].state not in rules.CASE_OPEN:
        raise Conflict("案件已结案或撤销，不能采取强制措施")
    day = _not_future(parse_date(data.get("started_on"), "实施日期", "started_on") or _today(), "实施日期", "started_on")
    data["started_on"] = day
    with audited_transaction():
        measure = _create_numbered(user, CoerciveMeasure, data, "强" if data["kind"] != "preserve" else "保", day.year)
        documents.archive_owned(user, documents.measure_decision(measure), measure)
    return measure


def get_measure(user, pk) -> CoerciveMeasure:
    return scope.get_visible(CoerciveMeasure.objects.select_related("enterprise", "case", "inspection"), pk, user,
                             "强制措施")


def extend_measure(user, pk, reason: str, day=None) -> CoerciveMeasure:
    measure = get_measure(user, pk)
    require(user, "enforcement.decide", "延长查封、扣押期限须经机关负责人批准")
    if not (reason or "").strip():
        raise ValidationFailed("请填写延长理由（情况复杂）", fields={"reason": ["必填"]})
    when = _not_future(parse_date(day, "延长日期", "extended_on") or _today(), "延长日期", "extended_on")
    problem = em.measure_problem_to_extend(measure.fact(), when)
    if problem:
        raise Conflict(problem, code="not_extendable")
    with audited_transaction():
        done = change(user, measure, note=f"延长{measure.get_kind_display()}期限三十日：{reason.strip()}",
                      audit_action="transition", state="extended", extended_on=when, extension_reason=reason.strip()[:200])
        documents.archive_owned(user, documents.measure_extension(done), done)
    return done


def end_measure(user, pk, action: str, outcome: str, day=None) -> CoerciveMeasure:
    """解除 (release) or 作出处理决定 (dispose: 没收、销毁、移送 …)."""
    measure = get_measure(user, pk)
    require(user, "enforcement.case")
    if action not in ("release", "dispose"):
        raise ValidationFailed(f"未知操作“{action}”", code="unknown_action", fields={"action": ["未知操作"]})
    if measure.ended_on:
        raise Conflict(f"措施已于 {measure.ended_on.isoformat()} {measure.get_state_display()}")
    if not (outcome or "").strip():
        raise ValidationFailed("请填写解除理由或处理决定", fields={"outcome": ["必填"]})
    when = _not_future(parse_date(day, "日期", "ended_on") or _today(), "日期", "ended_on")
    _after(when, measure.started_on, "解除或处理日期", "实施日期", "ended_on")
    state = "released" if action == "release" else "disposed"
    with audited_transaction():
        done = change(user, measure, note=f"{em.MEASURE_STATES[state]}：{outcome.strip()}", audit_action="transition",
                      state=state, ended_on=when, outcome=outcome.strip())
        documents.archive_owned(user, documents.measure_end(done), done)
    return done


# --- the decision period of a general case ------------------------------------------------------------

def extend_decision(user, case_id, extension: str, reason: str, day=None):
    """Approve a longer decision period where the rule in force allows it (15号令: 90 / 180 days)."""
    case = get_case(user, case_id)
    require(user, "enforcement.decide", "延长办案期限须经机关负责人批准")
    if case.state not in rules.CASE_OPEN or case.decided_on:
        raise Conflict("案件已作出决定或已办结，无须延长办案期限")
    if not (reason or "").strip():
        raise ValidationFailed("请填写延长理由", fields={"reason": ["必填"]})
    when = _not_future(parse_date(day, "批准日期", "extended_on") or _today(), "批准日期", "extended_on")
    problem = em.extension_problem(case.filed_on, case.decision_extension, extension, when)
    if problem:
        raise Conflict(problem, code="not_extendable")
    return change(user, case, note=f"{em.DECISION_EXTENSIONS[extension]}办案期限：{reason.strip()}",
                  audit_action="transition", decision_extension=extension, extended_on=when)
