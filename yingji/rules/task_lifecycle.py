"""Task lifecycle of a response (应急响应任务): issued → accepted → in progress → done.

A task is issued to a responsible unit when a response level is activated (one per action
step of the plan level) or by the commander by hand. The unit accepts it (签收), starts it
(开始处置) and reports it done (办结, with a result note). The commander may cancel an open
task (撤销, with a reason) — e.g. after a level change or stand-down.

Recording is done by the command-room staff on the unit's behalf (duty officers and
commanders), so the unit-side actions are open to those roles; cancelling is for commanders
and administrators only.
"""

from __future__ import annotations

from typing import Any, Mapping

from yingji.rules.capabilities import holders
from yingji.rules.statemachine import StateMachine, Transition

STATES = {
    "issued": "已下达",
    "accepted": "已签收",
    "in_progress": "处置中",
    "done": "已完成",
    "cancelled": "已撤销",
}
OPEN_STATES = frozenset({"issued", "accepted", "in_progress"})
# Granted in the capability table (yingji.rules.capabilities).
RECORDERS = holders("command.tasks.record")
COMMANDERS = holders("command.tasks.cancel")


def _needs_note(what: str):
    def guard(context: Mapping[str, Any]) -> str | None:
        return None if str(context.get("note") or "").strip() else f"请填写{what}"
    return guard


TASK_LIFECYCLE = StateMachine(
    "task_lifecycle",
    STATES,
    [
        Transition("accept", frozenset({"issued"}), "accepted", RECORDERS, "签收"),
        Transition("start", frozenset({"accepted"}), "in_progress", RECORDERS, "开始处置"),
        Transition("complete", frozenset({"in_progress"}), "done", RECORDERS, "办结",
                   guards=(_needs_note("处置结果"),)),
        Transition("cancel", OPEN_STATES, "cancelled", COMMANDERS, "撤销", guards=(_needs_note("撤销原因"),)),
    ],
)
