"""Table-top replay (桌面推演) of a drill: the scenario's injects (lines ``T+10 …`` of the drill's
scenario, minute 10) and the response steps of the chosen level of the drilled plan's electronic
plan (command's structured plan) are laid out in order; the team replays them one at a time, each
decision recorded with the minutes since the start, measured against the plan's time limit. The
end writes the drill record: held, the timings in its evaluation, and an improvement item for
every step late or not done."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone

from yingji.command.models import PlanLevel
from yingji.core import scope
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import change, create_record
from yingji.core.records import audited_transaction

from .drills import add_improvement
from .models import Drill, TabletopRun, TabletopStep

INJECT = re.compile(r"^\s*T\s*\+\s*(\d{1,4})\s*(?:分钟|min)?\s*[：:，,、\s]\s*(.+)$")


def injects(scenario: str) -> list[tuple[int, str]]:
    """The timed injects of a scenario: lines ``T+<minutes> <text>``; other lines are narrative."""
    found = []
    for line in (scenario or "").splitlines():
        match = INJECT.match(line)
        if match:
            found.append((int(match.group(1)), match.group(2).strip()))
    return sorted(found, key=lambda item: item[0])


def _level(drill: Drill, level: int) -> PlanLevel:
    electronic = drill.plan.electronic if drill.plan_id else None
    if electronic is None:
        raise Conflict("演练预案未关联数字化预案，无法按预案步骤推演", code="no_electronic_plan")
    found = PlanLevel.objects.filter(plan=electronic, level=level).first()
    if found is None:
        levels = "、".join(f"{n}级" for n in PlanLevel.objects.filter(plan=electronic).values_list("level", flat=True))
        raise ValidationFailed(f"数字化预案没有 {level} 级响应（现有：{levels or '无'}）", fields={"level": ["级别不存在"]})
    return found


def start(user, drill: Drill, level) -> TabletopRun:
    scope.check_can_see(drill, user)
    if drill.kind != "tabletop":
        raise Conflict("只有桌面推演形式的演练可以按步骤推演", code="not_tabletop")
    if drill.tabletop_runs.filter(state="running").exists():
        raise Conflict("该演练已有进行中的推演", code="run_open")
    try:
        level = int(level)
    except (TypeError, ValueError):
        raise ValidationFailed("请选择响应级别", fields={"level": ["必填"]}) from None
    plan_level = _level(drill, level)
    rows = [("inject", "", text, minute, None) for minute, text in injects(drill.scenario)]
    rows += [("action", a.unit_name, a.action, None, a.due_minutes) for a in plan_level.actions.all()]
    if not rows:
        raise Conflict("演练情景和预案都没有可推演的步骤", code="no_steps")
    with audited_transaction():
        run = create_record(user, TabletopRun, {"drill": drill, "level": level, "is_synthetic": drill.is_synthetic},
                            server={"started_at": timezone.now(), "division_code": drill.division_code}, parent=drill,
                            note=f"开始桌面推演（{level}级响应）")
        for order, (kind, unit, text, minute, due) in enumerate(rows, start=1):
            create_record(user, TabletopStep, {"run": run, "order": order, "kind": kind, "unit_name": unit, "text": text,
                                               "at_minute": minute, "due_minutes": due,
                                               "is_synthetic": run.is_synthetic},
                          server={"division_code": run.division_code}, parent=run, note="推演步骤")
    return run


def get_run(user, pk) -> TabletopRun:
    return scope.get_visible(TabletopRun.objects.select_related("drill"), pk, user, "桌面推演")


def current_step(run: TabletopRun) -> TabletopStep | None:
    return run.steps.filter(done_at__isnull=True).order_by("order").first()


def _minutes(run: TabletopRun, at: dt.datetime) -> int:
    return max(0, int((at - run.started_at).total_seconds() // 60))


def record(user, run: TabletopRun, decision: str) -> TabletopStep:
    """The decision taken on the current step; its time is the minutes since the start."""
    scope.check_can_see(run, user)
    run = TabletopRun.objects.get(pk=run.pk)  # its current state, not the caller's copy
    if run.state != "running":
        raise Conflict("推演已结束", code="run_finished")
    step = current_step(run)
    if step is None:
        raise Conflict("所有步骤均已推演，请结束推演", code="no_step")
    if not (decision or "").strip():
        raise ValidationFailed("请填写决策与处置记录", fields={"decision": ["必填"]})
    now = timezone.now()
    return change(user, step, note=f"推演第 {step.order} 步：{decision.strip()[:60]}", audit_action="transition",
                  done_at=now, decision=decision.strip(), elapsed_minutes=_minutes(run, now))


def finish(user, run: TabletopRun, owner_unit: str = "") -> TabletopRun:
    """End the replay and write the drill record: held today, the timings appended to its
    evaluation, an improvement item (due in 30 days) for every plan step late or not reached."""
    scope.check_can_see(run, user)
    run = TabletopRun.objects.get(pk=run.pk)
    if run.state != "running":
        raise Conflict("推演已结束", code="run_finished")
    now = timezone.now()
    steps = list(run.steps.all())
    lines = [f"桌面推演（{run.level}级响应，{timezone.localtime(run.started_at):%Y-%m-%d %H:%M}起，用时 {_minutes(run, now)} 分钟）："]
    problems = []
    for s in steps:
        limit = f"，时限 {s.due_minutes} 分钟" if s.due_minutes is not None else ""
        if s.done_at is None:
            lines.append(f"{s.order}. {s.unit_name or s.get_kind_display()}：{s.text} — 未推演到{limit}")
            if s.kind == "action":
                problems.append((s, "推演中未完成"))
        else:
            verdict = "（超时）" if s.late else ""
            lines.append(f"{s.order}. {s.unit_name or s.get_kind_display()}：{s.text} — 第 {s.elapsed_minutes} 分钟{limit}"
                         f"{verdict}；{s.decision}")
            if s.late:
                problems.append((s, f"用时 {s.elapsed_minutes} 分钟，超过预案时限 {s.due_minutes} 分钟"))
    drill = Drill.objects.get(pk=run.drill_id)
    today = timezone.localdate()
    with audited_transaction():
        done = change(user, run, note="结束桌面推演", audit_action="transition", state="finished", finished_at=now)
        evaluation = "\n".join(filter(None, [drill.evaluation, "\n".join(lines)]))
        updates = {"evaluation": evaluation}
        if drill.state != "held":
            updates.update(state="held", held_on=today, participant_count=drill.participant_count or len(
                {s.unit_name for s in steps if s.unit_name}) or 1)
        drill = change(user, drill, note="桌面推演结果写入演练记录", **updates)
        for step, why in problems:
            add_improvement(user, drill, {
                "finding": f"桌面推演第 {step.order} 步“{step.text[:60]}”{why}",
                "action": "对照预案明确责任人和处置流程，组织专项复盘", "owner_unit": step.unit_name or owner_unit or drill.organiser,
                "due_on": today + dt.timedelta(days=30)})
    return done
