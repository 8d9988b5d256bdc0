"""Writes of the government-affairs app: 督查督办 tasks (assignment, feedback, closing, reminders
and escalation of overdue tasks) and the annual assessment (items, evidence, scores, platform
figures, bonus and veto). Every write goes through ``core.records``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import require
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import SYSTEM, change, create_record, transition
from yingji.geo import divcodes
from yingji.hazards.selectors import closure_rate
from yingji.incidents.models import Incident
from yingji.live.services import publish
from yingji.preparedness.selectors import unit_compliance
from yingji.regions.models import Organisation
from yingji.regions.services import name_of
from yingji.rules import affairs as rules
from yingji.rules.enforcement import sha256_hex
from yingji.core.records import audited_transaction

from .models import (DEPARTMENT_PREFIX, Assessment, AssessmentAdjustment, AssessmentEvidence, AssessmentItem,
                     AssessmentScore, OfficialDocument, SupervisionTask, TaskFeedback)

MAX_EVIDENCE_BYTES = 20 * 1024 * 1024  # as an enforcement case's evidence
# Evidence files by their name's ending and the bytes they must start with (a renamed file is refused).
EVIDENCE_TYPES: dict[str, tuple[bytes, ...]] = {
    "pdf": (b"%PDF-",), "docx": (b"PK\x03\x04",), "xlsx": (b"PK\x03\x04",), "jpg": (b"\xff\xd8\xff",),
    "jpeg": (b"\xff\xd8\xff",), "png": (b"\x89PNG\r\n\x1a\n",),
}

TASK_FIELDS = ("title", "source", "content", "assignee", "responsible_person", "deadline", "document", "division_code",
               "is_synthetic")


def _date(value, label: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationFailed(f"{label}“{value}”不是有效日期（格式：2026-05-31）", fields={field: ["日期无效"]}) from None


def _decimal(value, label: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(f"{label}“{value}”不是有效数字", fields={field: ["数字无效"]}) from None
    if not number.is_finite() or number < 0:
        raise ValidationFailed(f"{label}不能为负数", fields={field: ["不能为负数"]})
    return number


# --- 督查督办 ----------------------------------------------------------------------------------

def assign_task(user, data: dict, *, backfill: bool = False) -> SupervisionTask:
    """交办. ``backfill`` records a task assigned before the platform was used (补录), whose
    deadline may already have passed."""
    require(user, "affairs.assign")
    data = {k: v for k, v in data.items() if k in TASK_FIELDS and v not in (None, "")}
    deadline = _date(data.get("deadline"), "办结时限", "deadline")
    if deadline is None:
        raise ValidationFailed("请填写办结时限", fields={"deadline": ["必填"]})
    if deadline < timezone.localdate() and not backfill:
        raise ValidationFailed("办结时限不能早于今天", fields={"deadline": ["早于今天"]})
    data["deadline"] = deadline
    return create_record(user, SupervisionTask, data)


def get_task(user, pk) -> SupervisionTask:
    return scope.get_visible(SupervisionTask.objects.all(), pk, user, "督办事项")


def task_step(user, task_id: int, action: str, fields: dict | None = None, *, expected_version=None) -> SupervisionTask:
    fields = {k: (v.strip() if isinstance(v, str) else v) for k, v in (fields or {}).items()}
    task = get_task(user, task_id)
    day = _date(fields.get("day"), "日期", "day") or timezone.localdate()
    if day > timezone.localdate():
        raise ValidationFailed("日期不能晚于今天", fields={"day": ["晚于今天"]})
    progress, note = fields.get("progress", ""), fields.get("note", "")
    changes: dict = {}
    if action in ("feedback", "submit"):
        changes["progress"] = progress
    if action == "accept":
        changes["done_on"] = task.done_on or day
    if action == "submit":
        changes["done_on"] = day
    if action == "return":
        changes["done_on"] = None
    with audited_transaction():
        done = transition(user, task, rules.TASK_MACHINE, action, expected_version=expected_version,
                          context={"progress": progress, "note": note},
                          note=lambda row, move, source: f"{move.label}" + (f"：{progress or note}" if progress or note else ""),
                          **changes)
        if progress or note:
            create_record(user, TaskFeedback, {"task": done, "kind": rules.TASK_MACHINE.transitions[action].label,
                                               "text": progress or note, "day": day,
                                               "division_code": done.division_code})
    return done


def sweep_tasks(today: dt.date | None = None) -> dict[str, list[SupervisionTask]]:
    """Remind tasks due within the reminder days (once) and escalate overdue ones (level 1: 催办
    to the assignee; level 2 after the escalation days: raised to the city). Idempotent."""
    today = today or timezone.localdate()
    reminded, escalated = [], []
    for task in SupervisionTask.objects.filter(state__in=rules.OPEN_STATES):
        url = reverse("affairs:task", args=[task.pk])
        if rules.needs_reminder(task.deadline, today, task.state) and task.reminded_on is None:
            with audited_transaction():
                task = change(SYSTEM, task, note=f"督办提醒：{task.deadline.isoformat()} 到期", bump=False,
                              only_changed=True, audit_action="transition", reminded_on=today)
                publish("deadlines", "task_reminder", {"id": task.pk, "title": task.title, "url": url,
                                                        "message": f"督办事项“{task.title}”将于 {task.deadline.isoformat()} 到期"},
                        division_code=task.division_code)
            reminded.append(task)
        level = rules.escalation_level(task.deadline, today, task.state)
        if level > task.escalation_level:
            receiving = task.division_code if level == 1 else task.division_code[:4].ljust(12, "0")
            days = (today - task.deadline).days
            note = f"督办事项逾期 {days} 天，{rules.ESCALATION_LABELS[level]}（{name_of(receiving)}）"
            with audited_transaction():
                task = change(SYSTEM, task, note=note, bump=False, only_changed=True, audit_action="transition",
                              escalation_level=level, escalated_at=timezone.now())
                publish("deadlines", "task_escalated", {"id": task.pk, "title": task.title, "url": url, "message": note,
                                                         "sound": level == 2}, division_code=receiving)
            escalated.append(task)
    return {"reminded": reminded, "escalated": escalated}


def board(tasks, today: dt.date) -> list[dict]:
    """Per unit: open, overdue, escalated and done tasks."""
    rows: dict[str, dict] = {}
    for task in tasks:
        row = rows.setdefault(task.division_code, {"code": task.division_code, "name": name_of(task.division_code),
                                                   "open": 0, "overdue": 0, "escalated": 0, "done": 0})
        if task.state in rules.OPEN_STATES:
            row["open"] += 1
            row["overdue"] += task.deadline < today
            row["escalated"] += task.escalation_level >= 2
        elif task.state == "done":
            row["done"] += 1
    return sorted(rows.values(), key=lambda r: (-r["overdue"], r["code"]))


# --- the annual assessment ---------------------------------------------------------------------

def create_assessment(user, data: dict, items: list[dict]) -> Assessment:
    require(user, "affairs.assign")
    units = data.get("units") or []
    if isinstance(units, str):
        units = [u for u in units.replace("，", ",").split(",") if u.strip()]
    try:
        units = [divcodes.normalise(u.strip()) for u in units]
    except divcodes.DivisionCodeError as exc:
        raise ValidationFailed(str(exc), fields={"units": [str(exc)]}) from exc
    for unit in units:
        if not divcodes.is_within(unit, user.region_code):
            raise ValidationFailed(f"被考核单位 {unit[:6]} 不在您的管辖范围内", fields={"units": ["超出管辖范围"]})
    for pk in data.get("departments") or []:
        org = scope.get_visible(Organisation.objects.all(), pk, user, "被考核部门")
        units.append(f"{DEPARTMENT_PREFIX}{org.pk}")
    if not units:
        raise ValidationFailed("请填写被考核单位", fields={"units": ["必填"]})
    if not items:
        raise ValidationFailed("请至少设置一个考核项目", fields={"items": ["必填"]})
    for item in items:
        if item.get("metric", "") not in rules.METRICS:
            raise ValidationFailed(f"未知评分方式“{item.get('metric')}”", fields={"items": ["评分方式无效"]})
    with audited_transaction():
        assessment = create_record(user, Assessment, {
            "year": data["year"], "name": data["name"], "units": units, "is_synthetic": data.get("is_synthetic", False),
            "division_code": data.get("division_code") or user.region_code})
        for item in items:
            create_record(user, AssessmentItem, {**item, "assessment": assessment, "is_synthetic": assessment.is_synthetic},
                          parent=assessment, server={"division_code": assessment.division_code})
    return assessment


def visible_assessments(user):
    """The assessments a user takes part in: those of the user's area, and those assessing it."""
    own = list(scope.visible(Assessment.objects.all(), user))
    assessed = [a for a in Assessment.objects.exclude(pk__in=[a.pk for a in own])
                if any(u.isdigit() and divcodes.is_within(u, user.region_code) for u in a.units)]  # "org:N": a department
    return own + assessed


def get_assessment(user, pk) -> Assessment:
    assessment = Assessment.objects.filter(pk=pk).first()
    if assessment is not None and not scope.is_visible(assessment, user) and any(
            divcodes.is_within(u, user.region_code) for u in assessment.units):
        return assessment  # an assessed unit sees the assessment (its own rows only)
    return scope.get_visible(Assessment.objects.all(), pk, user, "年度考核")


def department_of(unit: str) -> Organisation | None:
    if not unit.startswith(DEPARTMENT_PREFIX):
        return None
    return Organisation.objects.filter(pk=unit[len(DEPARTMENT_PREFIX):]).first()


def unit_division(unit: str, assessment: Assessment) -> str:
    """Where a unit's rows are filed: the county's code, a department's own division."""
    if unit.startswith(DEPARTMENT_PREFIX):
        org = department_of(unit)
        return org.division_code if org else assessment.division_code
    return unit


def acts_for(user, unit: str) -> bool:
    """Whether ``user`` reports for the assessed unit: a department's own staff (the user's
    所属单位), a county's users."""
    if unit.startswith(DEPARTMENT_PREFIX):
        return str(getattr(user, "organisation_id", None)) == unit[len(DEPARTMENT_PREFIX):]
    return divcodes.is_within(unit, user.region_code)


def applies(item: AssessmentItem, unit: str) -> bool:
    """Area figures (hidden hazards, accident deaths) do not apply to a department."""
    return not (unit.startswith(DEPARTMENT_PREFIX) and item.metric and item.metric not in rules.DEPARTMENT_METRICS)


def _score_row(user, item: AssessmentItem, unit: str) -> AssessmentScore:
    if unit not in item.assessment.units:
        raise ValidationFailed("该单位不是本次考核的被考核单位", fields={"unit": ["不是被考核单位"]})
    row = AssessmentScore.objects.filter(item=item, unit=unit).first()
    if row is None:
        row = create_record(user, AssessmentScore, {"item": item, "unit": unit, "is_synthetic": item.is_synthetic},
                            server={"division_code": unit_division(unit, item.assessment)})
    return row


def submit_evidence(user, item: AssessmentItem, unit: str, evidence: str) -> AssessmentScore:
    """The assessed unit's self-assessment and evidence (its own unit only)."""
    require(user, "affairs.feedback")
    if not acts_for(user, unit):
        raise ValidationFailed("只能为本单位报送考核材料", fields={"unit": ["不是本单位"]})
    if not (evidence or "").strip():
        raise ValidationFailed("请填写自评及佐证材料说明", fields={"evidence": ["必填"]})
    row = _score_row(user, item, unit)
    return change(user, row, note="报送考核材料", evidence=evidence.strip())


def upload_evidence(user, item: AssessmentItem, unit: str, upload) -> AssessmentEvidence:
    """A 佐证材料 file of the assessed unit: PDF, Word (.docx), Excel (.xlsx), JPEG or PNG up to
    20 MB, its type checked by its first bytes, kept with its SHA-256."""
    require(user, "affairs.feedback")
    if not acts_for(user, unit):
        raise ValidationFailed("只能为本单位报送考核材料", fields={"unit": ["不是本单位"]})
    if upload is None:
        raise ValidationFailed("请选择佐证材料文件", fields={"file": ["必填"]})
    if upload.size > MAX_EVIDENCE_BYTES:
        raise ValidationFailed(f"佐证材料超过 20 MB（{upload.size / 1048576:.1f} MB）", fields={"file": ["文件过大"]})
    name = (upload.name or "").strip()
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    content = upload.read()
    upload.seek(0)
    if ext not in EVIDENCE_TYPES:
        raise ValidationFailed("佐证材料只接受 PDF、Word（.docx）、Excel（.xlsx）、JPEG 或 PNG 文件",
                               fields={"file": ["类型不支持"]})
    if not any(content.startswith(magic) for magic in EVIDENCE_TYPES[ext]):
        raise ValidationFailed(f"“{name}”的内容不是 .{ext} 文件（文件已损坏或扩展名被改动）", fields={"file": ["内容不符"]})
    row = _score_row(user, item, unit)
    return create_record(user, AssessmentEvidence, {
        "score": row, "file": upload, "original_name": name[:200], "size": upload.size, "is_synthetic": row.is_synthetic,
    }, parent=row, server={"sha256": sha256_hex(content), "division_code": row.division_code},
        note=f"上传佐证材料“{name[:60]}”")


def score(user, item: AssessmentItem, unit: str, deduction, note: str = "") -> AssessmentScore:
    """The assessors' deduction on an item scored by hand."""
    require(user, "affairs.assign", "只有考核组可以评分")
    if item.metric:
        raise Conflict(f"“{item.name}”按平台数据计分，不能手工评分")
    amount = _decimal(deduction, "扣分", "deduction") or Decimal(0)
    row = _score_row(user, item, unit)
    return change(user, row, note=f"评分：扣 {amount} 分" + (f"（{note}）" if note else ""), deduction=amount,
                  score=rules.item_score(item.points, deduction=amount), remark=note[:200])


def unit_figures(unit: str, year: int, division_code: str = "") -> dict:
    """The platform figures an assessment item may read for one unit and year: a county's by
    its area, a department's from its own tasks (承办单位 by name) and drills."""
    org = department_of(unit)
    end = min(timezone.localdate(), dt.date(int(year), 12, 31))  # drill quotas as they stood in the year
    if unit.startswith(DEPARTMENT_PREFIX):
        tasks = SupervisionTask.objects.filter(assignee=org.name if org else "", deadline__year=year).exclude(
            state="cancelled")
        on_time = sum(1 for t in tasks if t.state == "done" and t.done_on and t.done_on <= t.deadline)
        drills = unit_compliance(organisation_id=org.pk, today=end) if org else {"drills_kept": 0, "drills_quotas": 0}
        return {"tasks_on_time": on_time, "tasks_due": tasks.count(), **drills}
    prefix = divcodes.scope_prefix(unit)
    closed, due = closure_rate(prefix, year)
    deaths = (Incident.objects.filter(division_code__startswith=prefix, type_code__startswith="accident",
                                      received_at__year=year).aggregate(n=Sum("deaths"))["n"] or 0)
    tasks = SupervisionTask.objects.filter(division_code__startswith=prefix, deadline__year=year).exclude(state="cancelled")
    on_time = sum(1 for t in tasks if t.state == "done" and t.done_on and t.done_on <= t.deadline)
    return {"hazards_closed": closed, "hazards_due": due, "deaths": deaths, "tasks_on_time": on_time,
            "tasks_due": tasks.count(), **unit_compliance(unit_prefix=prefix, today=end)}


def fill_metrics(user, assessment: Assessment) -> int:
    """Score every platform-figure item for every unit from the platform's own data."""
    require(user, "affairs.assign", "只有考核组可以评分")
    count = 0
    with audited_transaction():
        for unit in assessment.units:
            figures = unit_figures(unit, assessment.year)
            for item in assessment.items.exclude(metric=""):
                if not applies(item, unit):
                    continue
                ratio = rules.metric_ratio(item.metric, figures)
                row = _score_row(user, item, unit)
                change(user, row, note=f"平台数据计分：{rules.METRICS[item.metric]}", figures=figures,
                       ratio=ratio.quantize(Decimal("0.0001")), score=rules.item_score(item.points, ratio=ratio))
                count += 1
    return count


def adjust(user, assessment: Assessment, unit: str, bonus, veto: bool, reason: str) -> AssessmentAdjustment:
    require(user, "affairs.assign", "只有考核组可以加分或否决")
    if unit not in assessment.units:
        raise ValidationFailed("该单位不是本次考核的被考核单位", fields={"unit": ["不是被考核单位"]})
    amount = _decimal(bonus, "加分", "bonus") or Decimal(0)
    if (amount or veto) and not (reason or "").strip():
        raise ValidationFailed("加分或一票否决须写明理由", fields={"reason": ["必填"]})
    row = AssessmentAdjustment.objects.filter(assessment=assessment, unit=unit).first()
    if row is None:
        return create_record(user, AssessmentAdjustment, {
            "assessment": assessment, "unit": unit, "bonus": amount, "veto": veto, "reason": reason.strip(),
            "is_synthetic": assessment.is_synthetic}, parent=assessment, server={"division_code": assessment.division_code})
    return change(user, row, note="加分与否决", bonus=amount, veto=veto, reason=reason.strip())


def results(assessment: Assessment) -> list[rules.UnitResult]:
    all_items = list(assessment.items.all())
    scores = {(s.item_id, s.unit): s.score for s in AssessmentScore.objects.filter(item__assessment=assessment)}
    adjustments = {a.unit: a for a in assessment.adjustments.all()}
    out = []
    for unit in assessment.units:
        items = [i for i in all_items if applies(i, unit)]  # a department is rescaled over its own items
        points = sum((i.points for i in items), Decimal(0))
        adj = adjustments.get(unit)
        item_scores = [scores.get((i.pk, unit)) or Decimal(0) for i in items]
        out.append(rules.unit_result(unit, item_scores, adj.bonus if adj else Decimal(0), bool(adj and adj.veto),
                                     scale_to=assessment.total_points, item_points=points))
    return rules.ranking(out)


def register_document(user, data: dict) -> OfficialDocument:
    require(user, "affairs.assign")
    return create_record(user, OfficialDocument, data)
