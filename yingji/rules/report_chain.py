"""The incident report chain 接报 → 首报 → 续报 (any number) → 终报 → 办结, as a state machine.

Rules enforced by the transition table:

* 首报 only once, and only right after 接报;
* 续报 only after 首报 and before 终报 — never on a closed incident;
* no 终报 before 首报;
* after 终报, new facts (e.g. casualty changes, 国务院令第493号 第十三条) are filed as 补报
  until the incident is closed (办结); closing needs a 终报.

Who may file: duty officers, commanders and administrators (see ``REPORT_ROLES``). The Django
service applies ``REPORT_CHAIN.check(...)`` and writes the audit entry.
"""

from __future__ import annotations

from collections import Counter
from typing import Any, Iterable, Mapping

from yingji.rules.capabilities import holders
from yingji.rules.statemachine import StateMachine, Transition, TransitionError

REPORT_KINDS: dict[str, str] = {
    "first": "首报",
    "follow_up": "续报",
    "final": "终报",
    "supplement": "补报",
}

STATES: dict[str, str] = {
    "received": "已接报",
    "first_reported": "已首报",
    "follow_up": "续报中",
    "final_reported": "已终报",
    "closed": "已办结",
}
INITIAL_STATE = "received"

REPORT_ROLES = holders("incidents.report")  # granted in yingji.rules.capabilities

# 国务院令第493号 第十二条: what a report must contain.
DECREE_493_ART12_ITEMS: tuple[tuple[str, str], ...] = (
    ("unit_overview", "事故发生单位概况"),
    ("time_place_scene", "事故发生的时间、地点以及事故现场情况"),
    ("brief_course", "事故的简要经过"),
    ("casualties_and_loss",
     "已经造成或者可能造成的伤亡人数（包括下落不明的人数）和初步估计的直接经济损失"),
    ("measures_taken", "已经采取的措施"),
    ("other_matters", "其他应当报告的情况"),
)

# Items a 首报 may still leave blank: (六) is "其他", often legitimately empty.
OPTIONAL_ART12_ITEMS = frozenset({"other_matters"})


def missing_art12_items(items: Mapping[str, Any]) -> list[str]:
    """Chinese labels of the required 第十二条 items that are absent or blank in ``items``."""
    return [label for code, label in DECREE_493_ART12_ITEMS
            if code not in OPTIONAL_ART12_ITEMS and not str(items.get(code) or "").strip()]


def _art12_items_present(context: Mapping[str, Any]) -> str | None:
    """Guard: when ``context["require_art12_items"]`` is true, ``context["items"]`` must be complete."""
    if not context.get("require_art12_items"):
        return None
    missing = missing_art12_items(context.get("items") or {})
    if missing:
        return "报告缺少《生产安全事故报告和调查处理条例》第十二条规定的内容：" + "；".join(missing)
    return None


def _transition(action: str, kind_or_label: str, sources: set[str], target: str,
                guards=()) -> Transition:
    label = REPORT_KINDS.get(kind_or_label, kind_or_label)
    return Transition(action, frozenset(sources), target, REPORT_ROLES, label, tuple(guards))


ACTION_FOR_KIND: dict[str, str] = {
    "first": "first_report",
    "follow_up": "follow_up_report",
    "final": "final_report",
    "supplement": "supplement_report",
}

REPORT_CHAIN = StateMachine(
    "report_chain",
    STATES,
    [
        _transition("first_report", "first", {"received"}, "first_reported",
                    guards=[_art12_items_present]),
        _transition("follow_up_report", "follow_up", {"first_reported", "follow_up"},
                    "follow_up", guards=[_art12_items_present]),
        _transition("final_report", "final", {"first_reported", "follow_up"},
                    "final_reported", guards=[_art12_items_present]),
        _transition("supplement_report", "supplement", {"final_reported"}, "final_reported"),
        _transition("close", "办结", {"final_reported"}, "closed"),
    ],
)


def check_report(kind: str, state: str, roles: Iterable[str],
                 context: Mapping[str, Any] | None = None) -> str:
    """Return the state after filing a report of ``kind``; raise ``TransitionError`` if illegal."""
    action = ACTION_FOR_KIND.get(kind)
    if action is None:
        raise TransitionError("unknown_report_kind", f"未知的报告类型：{kind}")
    return REPORT_CHAIN.check(action, state, roles, context).target


def state_from_kinds(existing_kinds: Iterable[str], incident_closed: bool) -> str:
    """Chain state implied by the kinds already filed; ``ValueError`` if they are inconsistent."""
    counts = Counter(existing_kinds)
    unknown = sorted(set(counts) - set(REPORT_KINDS))
    if unknown:
        raise ValueError(f"未知的报告类型：{'、'.join(unknown)}")
    if counts["first"] > 1:
        raise ValueError("首报只能有一次")
    if counts["final"] > 1:
        raise ValueError("终报只能有一次")
    if not counts["first"] and (counts["follow_up"] or counts["final"] or counts["supplement"]):
        raise ValueError("尚无首报，不能有续报、终报或补报")
    if counts["supplement"] and not counts["final"]:
        raise ValueError("补报只能在终报之后")
    if incident_closed:
        if not counts["final"]:
            raise ValueError("尚未终报的事件不能办结")
        return "closed"
    if counts["final"]:
        return "final_reported"
    if counts["follow_up"]:
        return "follow_up"
    if counts["first"]:
        return "first_reported"
    return INITIAL_STATE


def next_report_kind_allowed(existing_kinds: Iterable[str], incident_closed: bool) -> set[str]:
    """Report kinds that may be filed next, e.g. ``set()`` once the incident is closed."""
    state = state_from_kinds(existing_kinds, incident_closed)
    return {kind for kind, action in ACTION_FOR_KIND.items()
            if state in REPORT_CHAIN.transitions[action].sources}
