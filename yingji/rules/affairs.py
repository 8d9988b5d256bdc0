"""Government affairs (政务管理): 督查督办 tasks with reminders and escalation when overdue, and
the annual safety assessment (安全生产和消防工作考核) with weighted items, bonuses, the one-vote
veto, grades and the ranking.

Sources: docs/rules.md §16 (rules-cn-2.md §6). The Liaoning and Fuxin 考核办法 were not found;
the scoring scheme is the typical local one (100 points deducted item by item, an item never
below 0, grades ≥90 / 80 / 60, 一票否决 for a 重大 liability accident) [B: 朔州市, 贵州省]; the
reminder and escalation days are the platform's defaults [C]. Pure module: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping, Sequence

from yingji.rules.capabilities import holders
from yingji.rules.statemachine import StateMachine, Transition

# --- 督查督办 ----------------------------------------------------------------------------------

SOURCES: dict[str, str] = {"plan": "规划与预案", "meeting": "会议议定", "inspection": "督查检查发现",
                           "superior": "上级交办文件", "complaint": "举报投诉", "other": "其他"}
STATES: dict[str, str] = {"assigned": "已交办", "in_progress": "办理中", "submitted": "报请办结",
                          "done": "已办结", "cancelled": "已撤销"}
OPEN_STATES = frozenset({"assigned", "in_progress", "submitted"})
REMIND_DAYS_BEFORE = 3      # reminder (提醒) this many days before the deadline [C]
ESCALATE_AFTER_DAYS = 7     # overdue this many days: raised to the city's leaders (升级督办) [C]
ESCALATION_LABELS = {0: "", 1: "逾期催办", 2: "逾期升级督办（报市领导）"}

ASSIGNERS = holders("affairs.assign")
HANDLERS = holders("affairs.feedback")


def _needs(key: str, message: str):
    def guard(ctx: Mapping[str, Any]) -> str | None:
        return None if str(ctx.get(key) or "").strip() else message
    return guard


TASK_MACHINE = StateMachine("supervision_task", STATES, [
    Transition("feedback", frozenset({"assigned", "in_progress"}), "in_progress", HANDLERS | ASSIGNERS, "反馈办理进展",
               guards=(_needs("progress", "请填写办理进展"),)),
    Transition("submit", frozenset({"assigned", "in_progress"}), "submitted", HANDLERS | ASSIGNERS, "报请办结",
               guards=(_needs("progress", "请填写办理结果"),)),
    Transition("accept", frozenset({"submitted"}), "done", ASSIGNERS, "验收办结"),
    Transition("return", frozenset({"submitted"}), "in_progress", ASSIGNERS, "退回重办",
               guards=(_needs("note", "请填写退回理由"),)),
    Transition("cancel", OPEN_STATES, "cancelled", ASSIGNERS, "撤销", guards=(_needs("note", "请填写撤销理由"),)),
])


def escalation_level(deadline: date, today: date, state: str) -> int:
    """0 on time (or closed), 1 overdue, 2 overdue for more than ``ESCALATE_AFTER_DAYS`` days."""
    if state not in OPEN_STATES or today <= deadline:
        return 0
    return 2 if (today - deadline).days > ESCALATE_AFTER_DAYS else 1


def needs_reminder(deadline: date, today: date, state: str) -> bool:
    """Open, not yet due, and due within ``REMIND_DAYS_BEFORE`` days."""
    return state in OPEN_STATES and 0 <= (deadline - today).days <= REMIND_DAYS_BEFORE


# --- the annual assessment ---------------------------------------------------------------------

METRICS: dict[str, str] = {
    "": "评分人评分（扣分）",
    "hazard_closure": "平台数据：隐患整改销号率",
    "accident_deaths": "平台数据：生产安全事故死亡人数（每死亡1人扣本项25%）",
    "tasks_on_time": "平台数据：督办事项按期办结率",
    "drill_compliance": "平台数据：应急演练按规定频次完成率",
}
# The metrics that describe a department too (hidden hazards and accidents are counted by area).
DEPARTMENT_METRICS = frozenset({"tasks_on_time", "drill_compliance"})
GRADES: tuple[tuple[Decimal, str], ...] = ((Decimal(90), "优秀"), (Decimal(80), "良好"), (Decimal(60), "合格"))
FAIL = "不合格"
TWO = Decimal("0.01")


def metric_ratio(metric: str, figures: Mapping[str, Any]) -> Decimal | None:
    """The share (0–1) of an item's points a platform figure earns; None when the figure is unknown.

    ``hazard_closure``: closed / due (no hazard due → full points); ``accident_deaths``:
    1 − 0.25 × deaths, not below 0; ``tasks_on_time``: on time / due (none due → full);
    ``drill_compliance``: drill quotas kept (satisfied or not yet due) / quotas (none → full)."""
    if metric == "hazard_closure":
        closed, due = figures.get("hazards_closed"), figures.get("hazards_due")
        if due is None:
            return None
        return Decimal(1) if not due else Decimal(closed) / Decimal(due)
    if metric == "accident_deaths":
        deaths = figures.get("deaths")
        return None if deaths is None else max(Decimal(0), Decimal(1) - Decimal("0.25") * deaths)
    if metric == "drill_compliance":
        kept, quotas = figures.get("drills_kept"), figures.get("drills_quotas")
        if quotas is None:
            return None
        return Decimal(1) if not quotas else Decimal(kept) / Decimal(quotas)
    if metric == "tasks_on_time":
        on_time, due = figures.get("tasks_on_time"), figures.get("tasks_due")
        if due is None:
            return None
        return Decimal(1) if not due else Decimal(on_time) / Decimal(due)
    raise ValueError(f"未知的平台数据指标：{metric!r}")


def figure_text(metric: str, figures: Mapping[str, Any]) -> str:
    """The platform figures behind an item's score, as the sheet shows them."""
    if not figures:
        return ""
    if metric == "hazard_closure" and figures.get("hazards_due") is not None:
        return f"隐患整改销号 {figures.get('hazards_closed')} / 应销号 {figures['hazards_due']}"
    if metric == "accident_deaths" and figures.get("deaths") is not None:
        return f"生产安全事故死亡 {figures['deaths']} 人"
    if metric == "tasks_on_time" and figures.get("tasks_due") is not None:
        return f"按期办结 {figures.get('tasks_on_time')} / 应办结 {figures['tasks_due']}"
    if metric == "drill_compliance" and figures.get("drills_quotas") is not None:
        text = f"演练频次达标 {figures.get('drills_kept')} / {figures['drills_quotas']} 项"
        overdue = figures.get("drills_overdue") or []
        return text + (f"；逾期：{'、'.join(overdue[:5])}" + ("等" if len(overdue) > 5 else "") if overdue else "")
    return ""


def item_score(max_points: Decimal, *, deduction: Decimal | None = None, ratio: Decimal | None = None) -> Decimal:
    """An item's score: the points less the deduction, or the points × the ratio; never below 0
    nor above the item's points."""
    max_points = Decimal(max_points)
    if ratio is not None:
        score = max_points * Decimal(ratio)
    else:
        score = max_points - Decimal(deduction or 0)
    return min(max_points, max(Decimal(0), score)).quantize(TWO, rounding=ROUND_HALF_UP)


def grade(total: Decimal, veto: bool) -> str:
    if veto:
        return FAIL
    for floor, label in GRADES:
        if total >= floor:
            return label
    return FAIL


@dataclass(frozen=True)
class UnitResult:
    unit: str
    items: Decimal
    bonus: Decimal
    total: Decimal
    veto: bool
    grade: str
    rank: int = 0


def unit_result(unit: str, item_scores: Iterable[Decimal], bonus: Decimal = Decimal(0), veto: bool = False,
                scale_to: Decimal | None = None, item_points: Decimal | None = None) -> UnitResult:
    """Sum of the items (rescaled to ``scale_to`` when the items' points do not add up to it)
    plus the bonus; a veto fails the unit whatever its score."""
    items = sum((Decimal(s) for s in item_scores), Decimal(0))
    if scale_to is not None and item_points:
        items = items * Decimal(scale_to) / Decimal(item_points)
    items = items.quantize(TWO, rounding=ROUND_HALF_UP)
    total = (items + Decimal(bonus)).quantize(TWO, rounding=ROUND_HALF_UP)
    return UnitResult(unit, items, Decimal(bonus), total, veto, grade(total, veto))


def ranking(results: Sequence[UnitResult]) -> list[UnitResult]:
    """Highest total first; vetoed units after all others; equal totals share a rank (1, 1, 3)."""
    ordered = sorted(results, key=lambda r: (r.veto, -r.total, r.unit))
    ranked, previous, rank = [], None, 0
    for position, result in enumerate(ordered, start=1):
        key = (result.veto, result.total)
        if key != previous:
            rank, previous = position, key
        ranked.append(UnitResult(result.unit, result.items, result.bonus, result.total, result.veto, result.grade, rank))
    return ranked
