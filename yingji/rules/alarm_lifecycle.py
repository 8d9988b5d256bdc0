"""Alarm lifecycle: raised → acknowledged → handled → closed, escalation and deduplication.

States (:data:`STATES`)::

    raised ─acknowledge→ acknowledged ─handle→ handled ─close→ closed
    raised / acknowledged ─dismiss→ closed               (误报/无需处置, with a reason)
    acknowledged / handled ─raise_level→ raised          (system: the level became more severe)

Who may act: ``duty_officer``, ``commander``, ``city_admin``, ``county_admin`` and
``sysadmin`` on alarms in their scope; ``enterprise`` users may acknowledge and record the
handling of their own enterprise's alarms (``context["is_own"]``) but not close or dismiss
them; ``supervisor`` and ``readonly`` watch only. ``raise_level`` is taken by the ingest
worker with the role :data:`SYSTEM_ROLE`.

Deduplication — one open alarm per key ``(sensor_id, rule_id)`` (:func:`dedup_key`): while an
alarm with that key is not closed, a repeated trigger **updates** it (last value, last time,
occurrence count) instead of creating a new alarm; its level only moves towards more severe
(a more severe repeat takes ``raise_level`` so it must be acknowledged again and its
escalation clock restarts); a less severe repeat or a clear does not lower a raised alarm —
people close alarms. After ``closed`` the next trigger creates a new alarm.
See :func:`on_trigger`.

Escalation — if an alarm is not acknowledged in time it goes up the tiers of
:data:`ESCALATION_TIERS`. Default minutes after raising, per level
(:data:`DEFAULT_ESCALATION_MINUTES`, a platform default, not a legal rule — configure per
jurisdiction):

=====  ==========  ==========  ==========
level  → tier 1    → tier 2    → tier 3
=====  ==========  ==========  ==========
1 红   5           15          30
2 橙   10          30          60
3 黄   30          60          —
4 蓝   60          —           —
=====  ==========  ==========  ==========

A tier is due when the unacknowledged time is ``≥`` its minutes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Hashable, Iterable, Mapping

from yingji.rules.capabilities import holders
from yingji.rules.statemachine import Guard, StateMachine, Transition, TransitionError  # noqa: F401  (TransitionError re-exported for callers)

STATES: dict[str, str] = {
    "raised": "待确认",
    "acknowledged": "已确认",
    "handled": "已处置",
    "closed": "已关闭",
}
INITIAL_STATE = "raised"
OPEN_STATES = frozenset({"raised", "acknowledged", "handled"})

SYSTEM_ROLE = "system"
ENTERPRISE = "enterprise"
# Granted in the capability table (yingji.rules.capabilities).
BUREAU_ROLES = holders("alarms.close")
RESPONDER_ROLES = holders("alarms.respond")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _own_enterprise_only(ctx: Mapping[str, Any]) -> str | None:
    acting_as = set(ctx.get("actor_roles", ())) & RESPONDER_ROLES
    if acting_as == {ENTERPRISE} and not ctx.get("is_own"):
        return "企业用户只能处理本企业的报警"
    return None


def _required(key: str, label: str) -> Guard:
    def guard(ctx: Mapping[str, Any]) -> str | None:
        return f"请填写{label}" if _blank(ctx.get(key)) else None
    return guard


def _condition_cleared(ctx: Mapping[str, Any]) -> str | None:
    if ctx.get("still_active"):
        return "报警条件仍然存在（监测值未恢复正常），暂不能关闭"
    return None


TRANSITIONS: tuple[Transition, ...] = (
    Transition("acknowledge", frozenset({"raised"}), "acknowledged", RESPONDER_ROLES, "确认报警",
               (_own_enterprise_only,)),
    Transition("handle", frozenset({"acknowledged"}), "handled", RESPONDER_ROLES, "登记处置情况",
               (_own_enterprise_only, _required("handling_note", "处置情况"))),
    Transition("close", frozenset({"handled"}), "closed", BUREAU_ROLES, "关闭报警",
               (_condition_cleared,)),
    Transition("dismiss", frozenset({"raised", "acknowledged"}), "closed", BUREAU_ROLES,
               "误报关闭", (_required("reason", "关闭原因"),)),
    Transition("raise_level", frozenset({"acknowledged", "handled"}), "raised",
               frozenset({SYSTEM_ROLE}), "报警升级"),
)

ALARM_MACHINE = StateMachine("alarm", STATES, TRANSITIONS)


def allowed_actions(state: str, roles: Iterable[str], is_own: bool = True) -> list[Transition]:
    """Transitions to offer this user (guards needing form input are checked by :func:`apply`)."""
    roles = set(roles)
    return [t for t in ALARM_MACHINE.allowed_actions(state, roles)
            if is_own or (roles & t.roles) != {ENTERPRISE}]


def apply(state: str, action: str, roles: Iterable[str],
          context: Mapping[str, Any] | None = None) -> str:
    """Return the new state or raise :class:`TransitionError` (Chinese message)."""
    ctx = dict(context or {})
    roles = frozenset(roles)
    ctx["actor_roles"] = roles
    return ALARM_MACHINE.check(action, state, roles, ctx).target


# --- deduplication ----------------------------------------------------------------------

def dedup_key(sensor_id: Hashable, rule_id: str) -> tuple[Hashable, str]:
    """At most one open alarm exists per key."""
    return (sensor_id, rule_id)


@dataclass(frozen=True)
class TriggerDecision:
    """What to do with a trigger for a key: ``create`` a new alarm or ``update`` the open one.

    ``level`` is the alarm's level afterwards; ``new_state`` is the state to store (``None`` =
    keep); ``escalated`` is true when the level became more severe."""

    action: str  # "create" | "update"
    level: int
    new_state: str | None
    escalated: bool = False


def on_trigger(open_state: str | None, open_level: int | None, level: int) -> TriggerDecision:
    """Decide how a trigger of ``level`` for a key is recorded, given the open alarm with that
    key (``open_state``/``open_level``, both ``None`` when there is none or it is closed)."""
    if open_state is None or open_state not in OPEN_STATES:
        return TriggerDecision("create", level, INITIAL_STATE)
    if open_level is None or level < open_level:
        new_state = (ALARM_MACHINE.check("raise_level", open_state, {SYSTEM_ROLE}).target
                     if open_state != "raised" else None)
        return TriggerDecision("update", level, new_state, escalated=True)
    return TriggerDecision("update", open_level, None)


# --- escalation -------------------------------------------------------------------------

ESCALATION_TIERS: dict[int, str] = {
    0: "值班人员（首报对象）",
    1: "带班领导",
    2: "分管负责人",
    3: "主要负责人",
}

DEFAULT_ESCALATION_MINUTES: dict[int, tuple[int, ...]] = {
    1: (5, 15, 30),
    2: (10, 30, 60),
    3: (30, 60),
    4: (60,),
}


def _check_minutes(minutes_by_level: Mapping[int, tuple[int, ...]]) -> None:
    for level, steps in minutes_by_level.items():
        if any(m <= 0 for m in steps) or list(steps) != sorted(set(steps)):
            raise ValueError(f"{level}级报警的升级时限必须为递增的正数分钟：{steps}")
        if len(steps) > max(ESCALATION_TIERS):
            raise ValueError(f"{level}级报警的升级层级超过 {max(ESCALATION_TIERS)} 级")


def escalation_due(raised_at: datetime, level: int, acknowledged_at: datetime | None,
                   now: datetime, minutes_by_level: Mapping[int, tuple[int, ...]] | None = None,
                   ) -> int | None:
    """The highest escalation tier reached by an alarm (``None`` = no escalation).

    The clock runs from ``raised_at`` until acknowledgement (or ``now`` if not yet
    acknowledged), so the answer never decreases: the caller notifies the tiers above the one
    it recorded last. ``minutes_by_level[level]`` lists, per tier 1, 2, 3…, the minutes after
    which that tier is due (``elapsed ≥ minutes``).
    """
    table = DEFAULT_ESCALATION_MINUTES if minutes_by_level is None else minutes_by_level
    _check_minutes(table)
    steps = table.get(level)
    if steps is None:
        raise ValueError(f"未配置 {level} 级报警的升级时限")
    until = now if acknowledged_at is None or acknowledged_at > now else acknowledged_at
    elapsed_min = (until - raised_at).total_seconds() / 60
    tier = None
    for index, minutes in enumerate(steps, start=1):
        if elapsed_min >= minutes:
            tier = index
    return tier
