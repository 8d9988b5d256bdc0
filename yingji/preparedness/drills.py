"""Writes of drills beyond the drill registry's own create/edit (``registries.DRILLS``): track
the improvement items a drill's evaluation raises — a finding that shows the plan itself is wrong also raises a
revision task on the plan ("lessons from a drill", 条例第六条)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_date

from yingji.core import records, scope
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import change, create_record
from yingji.core.records import audited_transaction

from . import plans
from .models import Drill, ImprovementItem


def _date(value, field: str, label: str):
    if isinstance(value, dt.date):
        return value
    day = parse_date(str(value or "").strip())
    if day is None:
        raise ValidationFailed(f"{label}格式应为“年-月-日”，如 2026-12-03", fields={field: ["日期无效"]})
    return day


def add_improvement(user, drill: Drill, data: dict) -> ImprovementItem:
    """A finding with its fix, owner and deadline; ``plan_issue`` also raises a revision task on
    the drilled plan."""
    if drill.state != "held":
        raise Conflict("演练尚未实施，不能登记整改事项", code="drill_not_held")
    finding, action, owner = ((data.get(k) or "").strip() for k in ("finding", "action", "owner_unit"))
    if not (finding and action and owner):
        raise ValidationFailed("请填写发现的问题、整改措施和责任单位",
                               fields={k: ["必填"] for k in ("finding", "action", "owner_unit") if not (data.get(k) or "").strip()})
    due = _date(data.get("due_on"), "due_on", "整改期限")
    if due < drill.held_on:
        raise ValidationFailed("整改期限不能早于演练日期", fields={"due_on": ["早于演练日期"]})
    plan_issue = data.get("plan_issue") in (True, "1", "on", "true", "是")
    if plan_issue and drill.plan is None:
        raise ValidationFailed("该演练未关联预案，不能提出预案修订", fields={"plan_issue": ["演练未关联预案"]})
    with audited_transaction():
        item = create_record(user, ImprovementItem, {
            "finding": finding, "action": action, "owner_unit": owner, "due_on": due, "plan_issue": plan_issue,
            "division_code": drill.division_code, "is_synthetic": drill.is_synthetic},
            server={"drill": drill}, parent=drill, note="演练发现问题，登记整改事项")
        if plan_issue:
            plans.raise_task(user, drill.plan, "lessons", f"演练“{drill.title}”发现：{finding}", owner_unit=owner,
                             due_on=due, source_key=f"drill-improvement-{item.pk}", parent=drill)
    return item


def close_improvement(user, item: ImprovementItem, result: str) -> ImprovementItem:
    scope.check_can_see(item, user)
    scope.check_can_write(ImprovementItem, user, item.division_code)
    if not (result or "").strip():
        raise ValidationFailed("请填写整改结果", fields={"result": ["必填"]})
    with audited_transaction():
        current = records.lock(item, ImprovementItem.objects)
        if current.state != "open":
            raise Conflict("该整改事项已办结", code="improvement_closed")
        return change(user, current, note=f"整改完成：{result.strip()}", audit_action="transition", state="done",
                      closed_at=timezone.now(), result=result.strip(), lock=False)
