"""Writes of the credit app: the serious-dishonesty listing procedure (告知 → 陈述申辩 → 决定 →
公示 → 期满移出, or 信用修复 → 提前移出, and revocation), every step through
``core.records.transition`` with the machine of ``rules.credit``."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yingji.core import scope
from yingji.core.capabilities import require
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import SYSTEM, create_record, transition
from yingji.enforcement.models import Case
from yingji.rules import credit as rules
from yingji.core.records import audited_transaction

from .models import Listing

PROPOSE_FIELDS = ("enterprise", "condition", "case", "penalty_reference", "persons", "facts", "notice_on",
                  "is_synthetic")
STEP_FIELDS = {
    "object": ("objection", "objection_on"),
    "accept_objection": ("reply",),
    "decide": ("decision_number", "decided_on", "reply"),
    "drop": ("reply",),
    "publish": ("published_on",),
    "apply_repair": ("repair_statement", "applied_on", *(key for key, _ in rules.REPAIR_CONDITIONS)),
    "approve_repair": ("removed_on", "reply"),
    "reject_repair": ("reply",),
    "revoke_repair": ("reply",),
}


def _date(value, label: str, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(str(value).strip()[:10])
        except ValueError:
            raise ValidationFailed(f"{label}“{value}”不是有效日期（格式：2026-05-31）", fields={field: ["日期无效"]}) from None
    if day > timezone.localdate():
        raise ValidationFailed(f"{label}不能晚于今天", fields={field: ["晚于今天"]})
    return day


def get_listing(user, pk) -> Listing:
    return scope.get_visible(Listing.objects.select_related("enterprise"), pk, user, "失信名单记录")


def propose(user, data: dict) -> Listing:
    """告知: the party is told the reasons and basis and its right to state its case."""
    require(user, "credit.manage")
    data = {k: v for k, v in data.items() if k in PROPOSE_FIELDS and v not in (None, "")}
    if data.get("condition") not in rules.CONDITIONS:
        raise ValidationFailed("请选择列入情形（应急管理部令第11号）", fields={"condition": ["必选"]})
    case = data.get("case")
    if isinstance(case, Case):
        if not case.decided_on:
            raise ValidationFailed("列入名单须以已作出的行政处罚决定为前提（第三条）", fields={"case": ["尚未作出处罚决定"]})
        data.setdefault("penalty_reference", case.decision_number)
        if case.enterprise_id != getattr(data.get("enterprise"), "pk", None):
            raise ValidationFailed("行政处罚案件的当事人与失信主体不一致", fields={"case": ["当事人不一致"]})
    if not str(data.get("penalty_reference") or "").strip():
        raise ValidationFailed("请填写行政处罚决定书文号（谁处罚、谁决定）", fields={"penalty_reference": ["必填"]})
    notice_on = _date(data.get("notice_on"), "告知日期", "notice_on") or timezone.localdate()
    data["notice_on"] = notice_on
    open_listing = Listing.objects.filter(enterprise=data.get("enterprise"), condition=data["condition"],
                                          state__in=rules.ON_LIST | {"proposed", "objection"})
    if open_listing.exists():
        raise Conflict("该单位已因同一情形在名单或列入程序中")
    return create_record(user, Listing, data, server={"objection_due": rules.listing_dates(notice_on, None).objection_due})


def _clean(action: str, fields: dict) -> dict:
    if action not in STEP_FIELDS:
        raise ValidationFailed(f"未知操作“{action}”", code="unknown_action", fields={"action": ["未知操作"]})
    return {k: (v.strip() if isinstance(v, str) else v) for k, v in fields.items()
            if k in STEP_FIELDS[action] and v not in (None, "")}


def _truthy(value) -> bool:
    return value in (True, "on", "true", "1", 1, "yes")


def step(user, listing_id: int, action: str, fields: dict | None = None, *, expected_version=None) -> Listing:
    data = _clean(action, dict(fields or {}))
    listing = get_listing(user, listing_id)
    today = timezone.localdate()
    context: dict = {"today": today, "objection_due": listing.objection_due, "reply": data.get("reply"),
                     "objection": data.get("objection")}
    changes: dict = {}
    if data.get("reply"):
        changes["reply"] = data["reply"]
    if action == "object":
        day = _date(data.get("objection_on"), "提出异议日期", "objection_on") or today
        context["today"] = day
        changes.update(objection=data.get("objection", ""), objection_on=day)
    elif action == "decide":
        day = _date(data.get("decided_on"), "决定日期", "decided_on") or today
        context.update(today=day, needs_reply=listing.state == "objection" and not data.get("reply"))
        if not data.get("decision_number"):
            raise ValidationFailed("请填写列入决定书文号", fields={"decision_number": ["必填"]})
        dates = rules.listing_dates(listing.notice_on, day)
        changes.update(decided_on=day, decision_number=data["decision_number"],
                       early_removal_from=dates.early_removal_from, expires_on=dates.expires_on)
    elif action == "publish":
        day = _date(data.get("published_on"), "公示日期", "published_on") or today
        if day < listing.decided_on:
            raise ValidationFailed("公示日期不能早于列入决定日期", fields={"published_on": ["早于决定日期"]})
        changes["published_on"] = day
    elif action == "apply_repair":
        day = _date(data.get("applied_on"), "申请日期", "applied_on") or today
        context.update(today=day, early_removal_from=listing.early_removal_from,
                       **{key: _truthy(data.get(key)) for key, _ in rules.REPAIR_CONDITIONS})
        changes.update(repair_applied_on=day, repair_statement=data.get("repair_statement", ""))
    elif action == "approve_repair":
        day = _date(data.get("removed_on"), "移出日期", "removed_on") or today
        if listing.repair_applied_on and day < listing.repair_applied_on:
            raise ValidationFailed("移出日期不能早于申请日期", fields={"removed_on": ["早于申请日期"]})
        changes["removed_on"] = day
    elif action == "revoke_repair":
        changes["removed_on"] = None

    def note(row, move, source):
        detail = data.get("reply") or data.get("objection") or data.get("repair_statement") or ""
        return f"{move.label}：{rules.STATES[source]} → {rules.STATES[move.target]}" + (f"；{detail}" if detail else "")

    return transition(user, listing, rules.LISTING_MACHINE, action, context=context, note=note,
                      expected_version=expected_version, **changes)


def expire_listings(today: dt.date | None = None) -> list[Listing]:
    """期满移出: listings whose three years have passed leave the list (idempotent sweep)."""
    today = today or timezone.localdate()
    done = []
    for listing in Listing.objects.filter(state__in=("listed", "repair_requested"), expires_on__lt=today):
        with audited_transaction():
            done.append(transition(SYSTEM, listing, rules.LISTING_MACHINE, "expire", context={"expired": True},
                                   removed_on=listing.expires_on))
    return done


def offered_actions(listing: Listing, user) -> list:
    if not scope.is_visible(listing, user):
        return []
    ctx = {"today": timezone.localdate(), "objection_due": listing.objection_due,
           "early_removal_from": listing.early_removal_from}
    return [t for t in rules.LISTING_MACHINE.allowed_actions(listing.state, {user.role})
            if rules.calendar_refusal(t.action, ctx) is None]
