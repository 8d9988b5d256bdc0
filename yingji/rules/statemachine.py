"""Explicit state machines for workflows (report chain, hidden-hazard loop, warning
approval, alarm lifecycle, task lifecycle).

A machine is a table of :class:`Transition` rows: from which states, to which state,
which roles may take it, and an optional guard. :meth:`StateMachine.check` answers
"may this actor move this record?" with a reason a person can act on; the Django write
path (``yingji.core.records.transition``) applies the move and writes the audit entry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping


class TransitionError(Exception):
    """An illegal move. ``code`` is stable for the API; ``message`` is Chinese for people."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


Guard = Callable[[Mapping[str, Any]], str | None]
"""A guard gets a context mapping and returns ``None`` when allowed or a Chinese reason."""


@dataclass(frozen=True)
class Transition:
    action: str
    sources: frozenset[str]
    target: str
    roles: frozenset[str]
    label: str = ""
    guards: tuple[Guard, ...] = field(default_factory=tuple)


class StateMachine:
    def __init__(self, name: str, states: Mapping[str, str], transitions: Iterable[Transition]):
        self.name = name
        self.states = dict(states)  # code -> Chinese label
        self.transitions = {t.action: t for t in transitions}
        for t in self.transitions.values():
            unknown = (set(t.sources) | {t.target}) - set(self.states)
            if unknown:
                raise ValueError(f"{name}.{t.action}: unknown states {sorted(unknown)}")

    def label(self, state: str) -> str:
        return self.states.get(state, state)

    def allowed_actions(self, state: str, roles: Iterable[str]) -> list[Transition]:
        roles = set(roles)
        return [t for t in self.transitions.values() if state in t.sources and roles & t.roles]

    def check(self, action: str, state: str, roles: Iterable[str],
              context: Mapping[str, Any] | None = None) -> Transition:
        """Return the transition if allowed, else raise :class:`TransitionError`."""
        t = self.transitions.get(action)
        if t is None:
            raise TransitionError("unknown_action", f"未知操作：{action}")
        if state not in t.sources:
            allowed_from = "、".join(self.label(s) for s in sorted(t.sources))
            raise TransitionError(
                "illegal_transition",
                f"当前状态为“{self.label(state)}”，不能执行“{t.label or action}”（仅限：{allowed_from}）",
            )
        if not set(roles) & t.roles:
            raise TransitionError("forbidden_role", f"您的角色无权执行“{t.label or action}”")
        for guard in t.guards:
            reason = guard(context or {})
            if reason:
                raise TransitionError("guard_failed", reason)
        return t
