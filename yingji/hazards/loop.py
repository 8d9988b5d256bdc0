"""The hidden-hazard closed loop: transitions, photos and escalation of overdue major hazards.

Every move goes through :func:`transition`: it loads the hazard under a row lock, checks the
user's scope, lets ``yingji.rules.hidden_hazard.apply`` decide (role, state, guards), stores
what the step records and writes the audit entry — all in one transaction.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from PIL import Image, UnidentifiedImageError

from yingji.core import capabilities, records, scope
from yingji.core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from yingji.core.records import create_record
from yingji.live.services import publish
from yingji.regions.services import name_of
from yingji.rules import hidden_hazard as rules
from yingji.core.records import audited_transaction

from .models import HazardPhoto, HiddenHazard

RECTIFY = ("measures", "responsible_person", "deadline", "funds_yuan")
# Input each action accepts (besides "version" for optimistic locking).
ACTION_FIELDS: dict[str, tuple[str, ...]] = {
    "confirm": ("grade", "opinion"),
    "reject": ("reason",),
    "start_rectification": RECTIFY,
    "rectify_again": RECTIFY,
    "supervise": ("supervising_unit", "supervision_number", "opinion"),
    "submit_plan": ("goals", "measures", "funds_yuan", "responsible_person", "deadline", "safety_measures"),
    "approve_plan": ("opinion",),
    "return_plan": ("reason",),
    "request_review": ("note",),
    "pass_review": ("opinion",),
    "fail_review": ("reason",),
    "apply_resumption": ("evaluation_report",),
    "approve_resumption": ("opinion",),
    "refuse_resumption": ("reason",),
    "close": ("opinion",),
}
FIELD_LABELS = {
    "grade": "隐患等级", "opinion": "意见", "reason": "理由", "measures": "整改措施", "responsible_person": "责任人",
    "deadline": "整改期限", "funds_yuan": "资金（元）", "supervising_unit": "督办单位", "supervision_number": "督办文号",
    "goals": "治理目标和任务", "safety_measures": "安全措施和应急预案", "note": "说明",
    "evaluation_report": "治理效果评估报告",
}
ERROR_CLASSES = {"forbidden_role": Forbidden, "illegal_transition": Conflict}
MAX_PHOTO_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
ESCALATE_TO_CITY_AFTER_DAYS = 15


def _date(value) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValidationFailed(f"整改期限“{value}”不是有效日期（格式：2026-05-31）", fields={"deadline": ["日期无效"]})


def _money(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValidationFailed(f"资金“{value}”不是有效金额", fields={"funds_yuan": ["金额无效"]})
    if not amount.is_finite() or amount < 0:
        raise ValidationFailed("资金不能为负数", fields={"funds_yuan": ["不能为负数"]})
    return amount.quantize(Decimal("0.01"))


def clean_fields(action: str, fields: dict) -> dict:
    """Coerce the form/API input of one action; unknown keys are refused."""
    if action not in ACTION_FIELDS:
        known = "、".join(ACTION_FIELDS)
        raise ValidationFailed(f"未知操作“{action}”，可选：{known}", code="unknown_action", fields={"action": ["未知操作"]})
    allowed = set(ACTION_FIELDS[action])
    data = {k: v for k, v in fields.items() if v not in (None, "") and k not in ("action", "version", "csrfmiddlewaretoken")}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ValidationFailed(f"操作“{action}”不接受字段：{'、'.join(unknown)}", fields={k: ["不接受的字段"] for k in unknown})
    data = {k: v.strip() if isinstance(v, str) else v for k, v in data.items()}
    if "deadline" in data:
        data["deadline"] = _date(data["deadline"])
    if "funds_yuan" in data:
        data["funds_yuan"] = _money(data["funds_yuan"])
    return data


def _context(hazard: HiddenHazard, user, action: str, data: dict) -> dict:
    funds = data.get("funds_yuan")
    return {
        "grade": data.get("grade") if action == "confirm" else hazard.grade,
        "is_own": capabilities.enterprise_bound(user) and user.enterprise_id == hazard.enterprise_id,
        "measures": data.get("measures"), "responsible_person": data.get("responsible_person"),
        "deadline": data.get("deadline"), "now": timezone.localdate(), "reason": data.get("reason"),
        "goals": data.get("goals"), "funds": None if funds is None else f"{funds} 元",
        "safety_measures": data.get("safety_measures"), "is_supervised": hazard.is_supervised,
        "plan_approved": hazard.plan_approved, "evaluation_report": data.get("evaluation_report"),
    }


def _record_step(hazard: HiddenHazard, action: str, data: dict) -> None:
    """Store what the step records on the hazard."""
    if action == "confirm":
        hazard.grade = data["grade"]
    if action in ("start_rectification", "rectify_again", "submit_plan"):
        hazard.measures = data["measures"]
        hazard.responsible_person = data["responsible_person"]
        hazard.deadline = data["deadline"]
        if "funds_yuan" in data:
            hazard.funds_yuan = data["funds_yuan"]
    if action == "submit_plan":
        hazard.plan_goals, hazard.plan_safety_measures = data["goals"], data["safety_measures"]
        hazard.plan_approved = False
    if action == "supervise":
        hazard.is_supervised = True
        hazard.supervising_unit = data["supervising_unit"]
        hazard.supervision_number = data.get("supervision_number", "")
        hazard.supervised_on = timezone.localdate()
    if action == "approve_plan":
        hazard.plan_approved = True
    if action == "apply_resumption":
        hazard.evaluation_report = data["evaluation_report"]
    if "reason" in data:
        hazard.last_reason = data["reason"]
    if "opinion" in data or "reason" in data:
        hazard.review_opinion = data.get("opinion") or data.get("reason")
    if action == "close":
        hazard.closed_at = timezone.now()


def _check_extra(action: str, data: dict) -> None:
    """Requirements of this platform beyond the rule table."""
    if action == "supervise" and not data.get("supervising_unit"):
        raise ValidationFailed("挂牌督办须写明督办单位", code="guard_failed", fields={"supervising_unit": ["必填"]})


def offered_actions(hazard: HiddenHazard, user) -> list:
    """The steps this user may take now (buttons)."""
    if not scope.is_visible(hazard, user):
        return []
    bound = capabilities.enterprise_bound(user)
    is_own = bound and user.enterprise_id == hazard.enterprise_id
    return rules.allowed_actions(hazard.state, {user.role}, hazard.is_major, is_own=is_own or not bound)


def transition(user, hazard_id: int, action: str, fields: dict | None = None, *,
               expected_version: int | None = None) -> HiddenHazard:
    """Apply one step of the loop for ``user``; raise a ServiceError with the Chinese reason."""
    data = clean_fields(action, dict(fields or {}))
    hazard = HiddenHazard.objects.filter(pk=hazard_id).first()
    if hazard is None:
        raise NotFound(f"隐患（编号 {hazard_id}）不存在")
    scope.check_can_see(hazard, user)
    detail = data.get("reason") or data.get("opinion") or data.get("note") or ""

    def context(current: HiddenHazard) -> dict:
        return {**_context(current, user, action, data), "actor_roles": frozenset({user.role})}

    def apply(current: HiddenHazard, move, source: str) -> None:
        _check_extra(action, data)
        _record_step(current, action, data)

    def note(current: HiddenHazard, move, source: str) -> str:
        return f"{move.label}：{rules.STATES[source]} → {rules.STATES[move.target]}" + (f"；{detail}" if detail else "")

    return records.transition(
        user, hazard, rules.HAZARD_MACHINE, action, context=context, apply=apply, note=note,
        errors=lambda exc: ERROR_CLASSES.get(exc.code, ValidationFailed)(exc.message, code=exc.code),
        expected_version=expected_version, state_changed_at=timezone.now(),
        conflict_message=lambda current: f"操作被拒绝：该隐患已被他人处理（当前版本 {current.version}），请刷新后重试")


# --- photos -------------------------------------------------------------------------------

def _check_image(upload) -> tuple[str, str]:
    if upload.size > MAX_PHOTO_BYTES:
        raise ValidationFailed(f"照片“{upload.name}”超过 5 MB（{upload.size / 1048576:.1f} MB），请压缩后上传",
                               fields={"image": ["文件过大"]})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            fmt = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationFailed(f"“{upload.name}”不是有效的图片文件，只接受 JPEG、PNG、WebP 照片", fields={"image": ["不是图片"]})
    finally:
        upload.seek(0)
    if fmt not in PHOTO_FORMATS:
        raise ValidationFailed(f"不支持的图片格式 {fmt}，只接受 JPEG、PNG、WebP", fields={"image": ["格式不支持"]})
    return PHOTO_FORMATS[fmt]


def add_photo(user, hazard: HiddenHazard, upload, stage: str = "discovery", caption: str = "") -> HazardPhoto:
    scope.check_can_see(hazard, user)
    if hazard.state in rules.TERMINAL_STATES:
        raise Conflict(f"隐患已{rules.STATES[hazard.state]}，不能再上传照片")
    if upload is None:
        raise ValidationFailed("请选择要上传的照片", fields={"image": ["必填"]})
    ext, content_type = _check_image(upload)
    upload.name = f"photo.{ext}"
    return create_record(user, HazardPhoto, {"hazard": hazard, "stage": stage, "image": upload, "caption": caption,
                                             "content_type": content_type, "size": upload.size})


# --- escalation of overdue major hazards ---------------------------------------------------

def escalation_target(hazard: HiddenHazard, today: dt.date) -> tuple[int, str]:
    """(level, receiving division): 1 = the county bureau, 2 = the city bureau after 15 days."""
    days = (today - hazard.deadline).days
    if days >= ESCALATE_TO_CITY_AFTER_DAYS:
        return 2, hazard.division_code[:4].ljust(12, "0")
    return 1, hazard.division_code[:6].ljust(12, "0")


def escalate_overdue(today: dt.date | None = None) -> list[HiddenHazard]:
    """Raise overdue major hazards under 挂牌督办 to the next supervising level (idempotent)."""
    today = today or timezone.localdate()
    escalated = []
    candidates = HiddenHazard.objects.filter(grade=rules.GRADE_MAJOR, is_supervised=True, deadline__lt=today)
    for hazard in candidates.exclude(state__in=rules.TERMINAL_STATES | rules.AWAITING_SUPERVISOR):
        if not hazard.is_overdue(today):
            continue
        level, receiving = escalation_target(hazard, today)
        if level <= hazard.escalation_level:
            continue
        with audited_transaction():
            days = (today - hazard.deadline).days
            note = f"重大隐患逾期 {days} 天未完成整改，升级至{name_of(receiving)}督办"
            hazard = records.change(records.SYSTEM, hazard, note=note, bump=False, only_changed=True,
                                    escalation_level=level, escalated_to=receiving, escalated_at=timezone.now())
            publish("deadlines", "hidden_hazard_escalated",
                    {"id": hazard.pk, "title": hazard.title, "enterprise": hazard.enterprise.name, "message": note,
                     "url": reverse("hazards:hidden-detail", args=[hazard.pk]), "sound": True}, division_code=receiving)
        escalated.append(hazard)
    return escalated


# --- hidden hazards found by a bureau inspection (the enforcement app calls this) ------------

def register_inspection_finding(user, enterprise, *, title: str, description: str, grade: str, deadline: dt.date,
                                discovered_on: dt.date, clause: str = "", location_text: str = "") -> HiddenHazard:
    """A hidden hazard found by an enforcement inspection (监管检查发现): filed and confirmed in one
    step with the grade the inspectors gave and the deadline of the 责令限期整改指令书, so it
    enters the loop where the enterprise rectifies it; both writes audited."""
    if grade not in rules.GRADES:
        raise ValidationFailed(f"未知隐患等级“{grade}”", fields={"grade": ["未知等级"]})
    with audited_transaction():
        hazard = create_record(user, HiddenHazard, {
            "enterprise": enterprise, "title": title[:120], "description": description, "clause": clause[:200],
            "location_text": location_text[:120], "proposed_grade": grade, "discovered_on": discovered_on,
        }, server={"source": "inspection", "deadline": deadline}, note="执法检查发现")
        return transition(user, hazard.pk, "confirm", {"grade": grade, "opinion": "执法检查发现，已责令限期整改"})
