"""The hidden-hazard (事故隐患) closed loop as an explicit state machine.

The "four lists" loop of the 双重预防机制: 检查任务 → 隐患和问题 → 整改 → 复查验收 → 销号
(docs/rules.md §7). A hidden hazard is created in ``reported`` (待确认) — by an
enterprise self-check or by a supervisor's inspection task — and then moves only through the
rows of :data:`TRANSITIONS`.

一般隐患 (general)::

    reported ─confirm→ confirmed ─start_rectification→ rectifying ─request_review→ pending_review
    pending_review ─pass_review→ review_passed ─close→ closed (已销号)
    pending_review ─fail_review→ review_failed ─rectify_again→ rectifying
    reported ─reject→ rejected (不属实)

重大隐患 (major) adds 挂牌督办, 治理方案 and 恢复生产申请/审查::

    confirmed ─supervise→ supervised ─submit_plan→ plan_submitted ─approve_plan→ rectifying
    plan_submitted ─return_plan→ supervised
    rectifying ─apply_resumption→ resumption_requested ─approve_resumption→ review_passed
    resumption_requested ─refuse_resumption→ review_failed

Who may act (role codes of the accounts app):

* enterprise users (``enterprise``) report, submit rectification / 治理方案, ask for review or
  for resumption of production — on their own enterprise's hazards only (``context["is_own"]``);
* supervisors (``supervisor``, and the bureau administrators ``city_admin`` / ``county_admin``
  who hold supervisory powers in their area) confirm and grade, reject, put under 挂牌督办,
  approve or return plans, review, and close (销号);
* ``sysadmin``, ``duty_officer``, ``commander`` and ``readonly`` take no step in this loop
  (``sysadmin`` runs the system, it does not decide on hazards).

Context keys read by :func:`apply` (all optional unless a guard needs them):
``grade`` (:data:`GRADE_GENERAL` / :data:`GRADE_MAJOR`, the grade after the step),
``is_own`` (the enterprise user belongs to the hazard's enterprise), ``measures``,
``responsible_person``, ``deadline``, ``now`` (to refuse a deadline in the past), ``reason``,
the 治理方案 fields of :data:`PLAN_FIELDS`, ``is_supervised`` and ``plan_approved`` (facts
recorded on the hazard) and ``evaluation_report`` (评估报告 for the resumption application).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable, Mapping

from yingji.rules.capabilities import holders
from yingji.rules.statemachine import Guard, StateMachine, Transition, TransitionError  # noqa: F401  (TransitionError re-exported for callers)

GRADE_GENERAL = "general"
GRADE_MAJOR = "major"
GRADES: dict[str, str] = {GRADE_GENERAL: "一般隐患", GRADE_MAJOR: "重大隐患"}

INITIAL_STATE = "reported"

STATES: dict[str, str] = {
    "reported": "待确认",
    "confirmed": "已确认（待整改）",
    "supervised": "挂牌督办（待报治理方案）",
    "plan_submitted": "治理方案待审批",
    "rectifying": "整改中",
    "pending_review": "待复查",
    "resumption_requested": "恢复生产待审查",
    "review_failed": "复查未通过",
    "review_passed": "验收通过（待销号）",
    "closed": "已销号",
    "rejected": "不属实",
}

TERMINAL_STATES = frozenset({"closed", "rejected"})
# States in which the supervisor, not the enterprise, has to act: the rectification clock stops.
AWAITING_SUPERVISOR = frozenset({"reported", "plan_submitted", "pending_review",
                                 "resumption_requested", "review_passed"})

ENTERPRISE = "enterprise"
# Granted in the capability table (yingji.rules.capabilities).
ENTERPRISE_ROLES = holders("hazards.rectify")
SUPERVISOR_ROLES = holders("hazards.supervise")
# The role codes of yingji.rules.roles / the accounts app (a test keeps the two in step).
ALL_ROLES = frozenset({"sysadmin", "city_admin", "county_admin", "supervisor", "enterprise",
                       "duty_officer", "commander", "readonly", "info_officer"})
REPORT_ROLES = holders("hazards.report")  # who may create a hazard in ``reported``

RECTIFICATION_FIELDS: tuple[tuple[str, str], ...] = (
    ("measures", "整改措施"),
    ("responsible_person", "整改责任人"),
    ("deadline", "整改期限"),
)

# 重大隐患治理方案 content (docs/rules.md §7: recalled, not confirmed — verify against the local rule).
PLAN_FIELDS: tuple[tuple[str, str], ...] = (
    ("goals", "治理的目标和任务"),
    ("measures", "采取的方法和措施"),
    ("funds", "经费和物资的落实"),
    ("responsible_person", "负责治理的机构和人员"),
    ("deadline", "治理的时限和要求"),
    ("safety_measures", "安全措施和应急预案"),
)


# --- guards -----------------------------------------------------------------------------

def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _require(fields: tuple[tuple[str, str], ...], heading: str) -> Guard:
    def guard(ctx: Mapping[str, Any]) -> str | None:
        missing = [label for key, label in fields if _blank(ctx.get(key))]
        if missing:
            return f"{heading}不完整，缺少：{'、'.join(missing)}"
        return None
    return guard


def _deadline_not_past(ctx: Mapping[str, Any]) -> str | None:
    deadline, now = ctx.get("deadline"), ctx.get("now")
    if deadline is None or now is None:
        return None
    if _is_past(deadline, now):
        return "整改期限不能早于当前时间"
    return None


def _reason_required(what: str) -> Guard:
    def guard(ctx: Mapping[str, Any]) -> str | None:
        return f"请填写{what}" if _blank(ctx.get("reason")) else None
    return guard


def _grade_given(ctx: Mapping[str, Any]) -> str | None:
    if ctx.get("grade") not in GRADES:
        return "确认隐患时必须定级：一般隐患或重大隐患"
    return None


def _major_prerequisites(ctx: Mapping[str, Any]) -> str | None:
    missing = []
    if not ctx.get("is_supervised"):
        missing.append("挂牌督办")
    if not ctx.get("plan_approved"):
        missing.append("治理方案审批")
    if missing:
        return f"重大隐患须先完成{'和'.join(missing)}，方可申请复查验收"
    return None


def _evaluation_report(ctx: Mapping[str, Any]) -> str | None:
    if _blank(ctx.get("evaluation_report")):
        return "恢复生产申请须附治理效果评估报告（自评或第三方评估）"
    return None


def _only_grade(grade: str, action_label: str) -> Guard:
    def guard(ctx: Mapping[str, Any]) -> str | None:
        actual = ctx.get("grade")
        if actual != grade:
            actual_label = GRADES.get(actual, "未定级隐患")
            return f"“{action_label}”仅适用于{GRADES[grade]}，该隐患为{actual_label}"
        return None
    return guard


def _own_enterprise_only(roles_allowed: frozenset[str]) -> Guard:
    """Enterprise users may act only on their own enterprise's records."""
    def guard(ctx: Mapping[str, Any]) -> str | None:
        acting_as = set(ctx.get("actor_roles", ())) & roles_allowed
        if acting_as and acting_as <= ENTERPRISE_ROLES and not ctx.get("is_own"):
            return "企业用户只能处理本企业的隐患"
        return None
    return guard


# --- the table --------------------------------------------------------------------------

BOTH = frozenset(GRADES)
GENERAL_ONLY = frozenset({GRADE_GENERAL})
MAJOR_ONLY = frozenset({GRADE_MAJOR})


@dataclass(frozen=True)
class Row:
    action: str
    sources: tuple[str, ...]
    target: str
    roles: frozenset[str]
    label: str
    grades: frozenset[str]
    guards: tuple[Guard, ...] = ()


_rectification = (_require(RECTIFICATION_FIELDS, "整改信息"), _deadline_not_past)

TRANSITIONS: tuple[Row, ...] = (
    Row("confirm", ("reported",), "confirmed", SUPERVISOR_ROLES, "确认并定级", BOTH,
        (_grade_given,)),
    Row("reject", ("reported",), "rejected", SUPERVISOR_ROLES, "认定不属实", BOTH,
        (_reason_required("不属实的理由"),)),
    Row("start_rectification", ("confirmed",), "rectifying", ENTERPRISE_ROLES, "提交整改",
        GENERAL_ONLY, _rectification),
    Row("supervise", ("confirmed",), "supervised", SUPERVISOR_ROLES, "挂牌督办", MAJOR_ONLY),
    Row("submit_plan", ("supervised",), "plan_submitted", ENTERPRISE_ROLES, "报送治理方案",
        MAJOR_ONLY, (_require(PLAN_FIELDS, "治理方案"), _deadline_not_past)),
    Row("approve_plan", ("plan_submitted",), "rectifying", SUPERVISOR_ROLES, "批准治理方案",
        MAJOR_ONLY),
    Row("return_plan", ("plan_submitted",), "supervised", SUPERVISOR_ROLES, "退回治理方案",
        MAJOR_ONLY, (_reason_required("退回意见"),)),
    Row("request_review", ("rectifying",), "pending_review", ENTERPRISE_ROLES, "申请复查",
        GENERAL_ONLY),
    Row("pass_review", ("pending_review",), "review_passed", SUPERVISOR_ROLES, "复查通过",
        GENERAL_ONLY),
    Row("fail_review", ("pending_review",), "review_failed", SUPERVISOR_ROLES, "复查不通过",
        GENERAL_ONLY, (_reason_required("复查意见"),)),
    Row("rectify_again", ("review_failed",), "rectifying", ENTERPRISE_ROLES, "重新整改", BOTH,
        _rectification),
    Row("apply_resumption", ("rectifying",), "resumption_requested", ENTERPRISE_ROLES,
        "申请恢复生产（复查验收）", MAJOR_ONLY, (_major_prerequisites, _evaluation_report)),
    Row("approve_resumption", ("resumption_requested",), "review_passed", SUPERVISOR_ROLES,
        "同意恢复生产（验收通过）", MAJOR_ONLY),
    Row("refuse_resumption", ("resumption_requested",), "review_failed", SUPERVISOR_ROLES,
        "不同意恢复生产", MAJOR_ONLY, (_reason_required("审查意见"),)),
    Row("close", ("review_passed",), "closed", SUPERVISOR_ROLES, "销号", BOTH),
)

GRADES_BY_ACTION: dict[str, frozenset[str]] = {row.action: row.grades for row in TRANSITIONS}


def _transition(row: Row) -> Transition:
    guards: list[Guard] = []
    if row.roles & ENTERPRISE_ROLES:
        guards.append(_own_enterprise_only(row.roles))
    if row.grades != BOTH:
        (grade,) = row.grades
        guards.append(_only_grade(grade, row.label))
    guards.extend(row.guards)
    return Transition(row.action, frozenset(row.sources), row.target, row.roles, row.label,
                      tuple(guards))


HAZARD_MACHINE = StateMachine("hidden_hazard", STATES, [_transition(r) for r in TRANSITIONS])


# --- public API -------------------------------------------------------------------------

def allowed_actions(state: str, roles: Iterable[str], is_major: bool,
                    is_own: bool = True) -> list[Transition]:
    """Transitions offered to this user now (buttons in the UI). Guards that need form input
    (measures, reasons…) are not evaluated here; :func:`apply` checks them."""
    grade = GRADE_MAJOR if is_major else GRADE_GENERAL
    roles = set(roles)
    offered = []
    for t in HAZARD_MACHINE.allowed_actions(state, roles):
        if grade not in GRADES_BY_ACTION[t.action]:
            continue
        if not is_own and (roles & t.roles) <= ENTERPRISE_ROLES:
            continue
        offered.append(t)
    return offered


def apply(state: str, action: str, roles: Iterable[str],
          context: Mapping[str, Any] | None = None) -> str:
    """Check one step of the loop and return the new state, or raise
    :class:`~yingji.rules.statemachine.TransitionError` with a Chinese message.

    ``context["grade"]`` is the hazard's grade (for ``confirm``: the grade being assigned).
    The Django service stores the new state and writes the audit entry.
    """
    ctx = dict(context or {})
    roles = frozenset(roles)
    ctx["actor_roles"] = roles
    return HAZARD_MACHINE.check(action, state, roles, ctx).target


def can_report(roles: Iterable[str]) -> bool:
    """Whether a user may register a new hidden hazard (it starts in ``reported``)."""
    return bool(set(roles) & REPORT_ROLES)


def _is_past(deadline: date | datetime, now: date | datetime) -> bool:
    """``now`` is after ``deadline``. A plain date deadline covers its whole day."""
    if isinstance(deadline, datetime):
        return now > deadline
    today = now.date() if isinstance(now, datetime) else now
    return today > deadline


def is_overdue(deadline: date | datetime | None, state: str, now: date | datetime) -> bool:
    """True when the rectification deadline has passed while the enterprise still has to act.

    The clock stops in terminal states and while the supervisor has the next step
    (:data:`AWAITING_SUPERVISOR`, e.g. 待复查). ``now`` exactly at the deadline is not overdue;
    a date deadline is overdue from the next day on.
    """
    if deadline is None or state in TERMINAL_STATES or state in AWAITING_SUPERVISOR:
        return False
    return _is_past(deadline, now)
