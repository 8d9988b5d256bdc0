import re
from datetime import date, datetime, timedelta

import pytest

from yingji.rules import hidden_hazard as hh
from yingji.rules.hidden_hazard import (
    ALL_ROLES, GRADE_GENERAL, GRADE_MAJOR, GRADES, HAZARD_MACHINE, INITIAL_STATE, PLAN_FIELDS,
    RECTIFICATION_FIELDS, STATES, TERMINAL_STATES, TRANSITIONS, TransitionError,
    allowed_actions, apply, can_report, is_overdue,
)

NOW = datetime(2025, 6, 1, 9, 0)


def context(grade=GRADE_GENERAL, **overrides):
    """A context that satisfies every guard; tests remove or change single keys."""
    ctx = {
        "grade": grade,
        "is_own": True,
        "measures": "更换腐蚀管道，增设可燃气体报警器",
        "responsible_person": "张三",
        "deadline": NOW + timedelta(days=15),
        "now": NOW,
        "reason": "现场核实情况说明",
        "goals": "消除储罐区泄漏隐患",
        "funds": "20万元，已列入年度安全投入",
        "safety_measures": "治理期间局部停产，落实现场监护和应急预案",
        "is_supervised": True,
        "plan_approved": True,
        "evaluation_report": "第三方评估报告（编号 2025-018）",
    }
    ctx.update(overrides)
    return ctx


def error(state, action, roles, ctx, match):
    with pytest.raises(TransitionError, match=match) as info:
        apply(state, action, roles, ctx)
    return info.value


ALLOWED = [
    pytest.param(row, source, role, grade, id=f"{row.action}-{source}-{role}-{grade}")
    for row in TRANSITIONS for source in row.sources
    for role in sorted(row.roles) for grade in sorted(row.grades)
]


@pytest.mark.parametrize("row, source, role, grade", ALLOWED)
def test_every_allowed_transition(row, source, role, grade):
    assert apply(source, row.action, {role}, context(grade)) == row.target


WRONG_STATE = [
    pytest.param(row, state, id=f"{row.action}-from-{state}")
    for row in TRANSITIONS for state in STATES if state not in row.sources
]


@pytest.mark.parametrize("row, state", WRONG_STATE)
def test_every_action_is_refused_from_every_other_state(row, state):
    (grade, *_) = sorted(row.grades)
    role = sorted(row.roles)[0]
    e = error(state, row.action, {role}, context(grade), re.escape(f"当前状态为“{STATES[state]}”"))
    assert e.code == "illegal_transition"
    assert f"当前状态为“{STATES[state]}”" in e.message


WRONG_ROLE = [
    pytest.param(row, role, id=f"{row.action}-by-{role}")
    for row in TRANSITIONS for role in sorted(ALL_ROLES | {"system", "guest"}) if role not in row.roles
]


@pytest.mark.parametrize("row, role", WRONG_ROLE)
def test_every_action_is_refused_to_every_other_role(row, role):
    (grade, *_) = sorted(row.grades)
    e = error(row.sources[0], row.action, {role}, context(grade), "无权执行")
    assert e.code == "forbidden_role"
    assert "无权执行" in e.message


def test_readonly_duty_officer_commander_and_sysadmin_never_act():
    for state in STATES:
        for role in ("readonly", "duty_officer", "commander", "sysadmin"):
            for is_major in (False, True):
                assert allowed_actions(state, {role}, is_major) == []


def test_role_split_enterprise_versus_supervisor():
    enterprise = {r.action for r in TRANSITIONS if "enterprise" in r.roles}
    supervisor = {r.action for r in TRANSITIONS if "supervisor" in r.roles}
    assert enterprise == {"start_rectification", "submit_plan", "request_review",
                          "rectify_again", "apply_resumption"}
    assert supervisor == {"confirm", "reject", "supervise", "approve_plan", "return_plan",
                          "pass_review", "fail_review", "approve_resumption",
                          "refuse_resumption", "close"}
    assert not enterprise & supervisor
    for row in TRANSITIONS:
        assert row.roles <= ALL_ROLES


GRADE_LIMITED = [
    pytest.param(row, id=row.action) for row in TRANSITIONS if len(row.grades) == 1
]


@pytest.mark.parametrize("row", GRADE_LIMITED)
def test_grade_limited_actions_refuse_the_other_grade(row):
    (grade,) = row.grades
    other = GRADE_MAJOR if grade == GRADE_GENERAL else GRADE_GENERAL
    e = error(row.sources[0], row.action, set(row.roles), context(other), "仅适用于")
    assert e.code == "guard_failed"
    assert e.message == f"“{row.label}”仅适用于{GRADES[grade]}，该隐患为{GRADES[other]}"


def test_grade_limited_actions_refuse_an_ungraded_hazard():
    e = error("confirmed", "supervise", {"supervisor"}, context(grade=None), "未定级隐患")
    assert "未定级隐患" in e.message


ENTERPRISE_ACTIONS = [pytest.param(row, id=row.action) for row in TRANSITIONS if "enterprise" in row.roles]


@pytest.mark.parametrize("row", ENTERPRISE_ACTIONS)
def test_enterprise_only_on_its_own_hazards(row):
    (grade, *_) = sorted(row.grades)
    for is_own in (False, None):
        e = error(row.sources[0], row.action, {"enterprise"}, context(grade, is_own=is_own), "只能处理本企业")
        assert e.code == "guard_failed"
        assert e.message == "企业用户只能处理本企业的隐患"


def test_major_hazard_must_be_supervised_and_plan_approved_before_review():
    ctx = context(GRADE_MAJOR, is_supervised=False, plan_approved=False)
    e = error("rectifying", "apply_resumption", {"enterprise"}, ctx, "挂牌督办和治理方案审批")
    assert e.message == "重大隐患须先完成挂牌督办和治理方案审批，方可申请复查验收"
    e = error("rectifying", "apply_resumption", {"enterprise"}, context(GRADE_MAJOR, plan_approved=False), "须先完成治理方案审批")
    assert e.message == "重大隐患须先完成治理方案审批，方可申请复查验收"
    e = error("rectifying", "apply_resumption", {"enterprise"}, context(GRADE_MAJOR, is_supervised=None), "须先完成挂牌督办，")
    assert e.message == "重大隐患须先完成挂牌督办，方可申请复查验收"


def test_major_hazard_cannot_take_the_general_review_path():
    e = error("rectifying", "request_review", {"enterprise"}, context(GRADE_MAJOR), "仅适用于一般隐患")
    assert e.code == "guard_failed"
    e = error("confirmed", "start_rectification", {"enterprise"}, context(GRADE_MAJOR), "仅适用于一般隐患")
    assert "仅适用于一般隐患" in e.message


def test_resumption_needs_an_evaluation_report():
    e = error("rectifying", "apply_resumption", {"enterprise"}, context(GRADE_MAJOR, evaluation_report=" "), "评估报告")
    assert "评估报告" in e.message


@pytest.mark.parametrize("action, source", [("start_rectification", "confirmed"),
                                            ("rectify_again", "review_failed")])
@pytest.mark.parametrize("key, label", RECTIFICATION_FIELDS)
def test_rectification_needs_measures_person_and_deadline(action, source, key, label):
    for missing in (None, "", "   "):
        e = error(source, action, {"enterprise"}, context(**{key: missing}), f"整改信息不完整，缺少：{label}")
        assert e.code == "guard_failed"
        assert e.message == f"整改信息不完整，缺少：{label}"


def test_rectification_lists_every_missing_field():
    ctx = context()
    for key, _ in RECTIFICATION_FIELDS:
        del ctx[key]
    e = error("confirmed", "start_rectification", {"enterprise"}, ctx, "整改信息不完整")
    assert e.message == "整改信息不完整，缺少：整改措施、整改责任人、整改期限"


def test_rectification_deadline_may_not_be_in_the_past():
    e = error("confirmed", "start_rectification", {"enterprise"},
              context(deadline=NOW - timedelta(minutes=1)), "整改期限不能早于当前时间")
    assert e.message == "整改期限不能早于当前时间"
    assert apply("confirmed", "start_rectification", {"enterprise"},
                 context(deadline=NOW)) == "rectifying"
    assert apply("confirmed", "start_rectification", {"enterprise"},
                 context(deadline=NOW.date())) == "rectifying"  # a date covers the whole day
    e = error("confirmed", "start_rectification", {"enterprise"},
              context(deadline=NOW.date() - timedelta(days=1)), "整改期限不能早于当前时间")
    assert e.message == "整改期限不能早于当前时间"


@pytest.mark.parametrize("key, label", PLAN_FIELDS)
def test_major_plan_needs_every_element(key, label):
    e = error("supervised", "submit_plan", {"enterprise"}, context(GRADE_MAJOR, **{key: ""}), f"治理方案不完整，缺少：{label}")
    assert e.message == f"治理方案不完整，缺少：{label}"


@pytest.mark.parametrize("action, source, grade, label", [
    ("reject", "reported", GRADE_GENERAL, "不属实的理由"),
    ("return_plan", "plan_submitted", GRADE_MAJOR, "退回意见"),
    ("fail_review", "pending_review", GRADE_GENERAL, "复查意见"),
    ("refuse_resumption", "resumption_requested", GRADE_MAJOR, "审查意见"),
])
def test_negative_decisions_need_a_reason(action, source, grade, label):
    e = error(source, action, {"supervisor"}, context(grade, reason=""), f"请填写{label}")
    assert e.message == f"请填写{label}"


def test_confirm_needs_a_grade():
    for grade in (None, "", "较大隐患"):
        e = error("reported", "confirm", {"supervisor"}, context(grade=grade), "必须定级")
        assert e.message == "确认隐患时必须定级：一般隐患或重大隐患"


def test_closing_needs_a_passed_review():
    for state in set(STATES) - {"review_passed"}:
        e = error(state, "close", {"supervisor"}, context(), "不能执行“销号”")
        assert e.code == "illegal_transition"


def test_unknown_action():
    e = error("reported", "delete", {"supervisor"}, context(), "未知操作：delete")
    assert e.code == "unknown_action"


def walk(steps, grade):
    state = INITIAL_STATE
    visited = [state]
    for action, role in steps:
        state = apply(state, action, {role}, context(grade))
        visited.append(state)
    return visited


def test_general_loop_end_to_end_with_a_failed_review():
    assert walk([("confirm", "supervisor"), ("start_rectification", "enterprise"),
                 ("request_review", "enterprise"), ("fail_review", "supervisor"),
                 ("rectify_again", "enterprise"), ("request_review", "enterprise"),
                 ("pass_review", "county_admin"), ("close", "supervisor")], GRADE_GENERAL) == [
        "reported", "confirmed", "rectifying", "pending_review", "review_failed",
        "rectifying", "pending_review", "review_passed", "closed"]


def test_major_loop_end_to_end():
    assert walk([("confirm", "city_admin"), ("supervise", "supervisor"),
                 ("submit_plan", "enterprise"), ("return_plan", "supervisor"),
                 ("submit_plan", "enterprise"), ("approve_plan", "supervisor"),
                 ("apply_resumption", "enterprise"), ("refuse_resumption", "supervisor"),
                 ("rectify_again", "enterprise"), ("apply_resumption", "enterprise"),
                 ("approve_resumption", "supervisor"), ("close", "supervisor")], GRADE_MAJOR) == [
        "reported", "confirmed", "supervised", "plan_submitted", "supervised",
        "plan_submitted", "rectifying", "resumption_requested", "review_failed",
        "rectifying", "resumption_requested", "review_passed", "closed"]


def test_every_state_reachable_and_terminal_states_final():
    reachable, frontier = {INITIAL_STATE}, [INITIAL_STATE]
    while frontier:
        state = frontier.pop()
        for row in TRANSITIONS:
            if state in row.sources and row.target not in reachable:
                reachable.add(row.target)
                frontier.append(row.target)
    assert reachable == set(STATES)
    for row in TRANSITIONS:
        assert not set(row.sources) & TERMINAL_STATES
    for state in set(STATES) - TERMINAL_STATES:
        assert any(state in row.sources for row in TRANSITIONS), state


def test_machine_labels_are_chinese():
    assert HAZARD_MACHINE.label("closed") == "已销号"
    assert HAZARD_MACHINE.label("rejected") == "不属实"
    assert HAZARD_MACHINE.label("supervised").startswith("挂牌督办")


def actions(state, roles, is_major, **kw):
    return [t.action for t in allowed_actions(state, roles, is_major, **kw)]


def test_allowed_actions_depend_on_grade_role_and_ownership():
    assert actions("reported", {"supervisor"}, False) == ["confirm", "reject"]
    assert actions("confirmed", {"enterprise"}, False) == ["start_rectification"]
    assert actions("confirmed", {"enterprise"}, True) == []
    assert actions("confirmed", {"supervisor"}, True) == ["supervise"]
    assert actions("confirmed", {"supervisor"}, False) == []
    assert actions("rectifying", {"enterprise"}, False) == ["request_review"]
    assert actions("rectifying", {"enterprise"}, True) == ["apply_resumption"]
    assert actions("rectifying", {"enterprise"}, True, is_own=False) == []
    assert actions("review_passed", {"county_admin"}, True) == ["close"]
    assert actions("closed", ALL_ROLES, True) == []


def test_allowed_actions_match_apply_for_a_full_context():
    for state in STATES:
        for role in ALL_ROLES:
            for is_major in (False, True):
                grade = GRADE_MAJOR if is_major else GRADE_GENERAL
                for t in allowed_actions(state, {role}, is_major):
                    assert apply(state, t.action, {role}, context(grade)) == t.target


def test_who_may_report():
    assert can_report({"enterprise"}) and can_report({"supervisor"}) and can_report({"county_admin"})
    assert not can_report({"readonly"}) and not can_report({"duty_officer"}) and not can_report(set())


@pytest.mark.parametrize("state", ["confirmed", "supervised", "rectifying", "review_failed"])
def test_overdue_while_the_enterprise_has_to_act(state):
    deadline = NOW
    assert not is_overdue(deadline, state, NOW)
    assert is_overdue(deadline, state, NOW + timedelta(seconds=1))
    assert not is_overdue(deadline, state, NOW - timedelta(days=1))


@pytest.mark.parametrize("state", ["reported", "plan_submitted", "pending_review",
                                   "resumption_requested", "review_passed", "closed", "rejected"])
def test_not_overdue_while_waiting_for_the_supervisor_or_finished(state):
    assert not is_overdue(NOW - timedelta(days=30), state, NOW)


def test_overdue_with_a_date_deadline_and_no_deadline():
    deadline = date(2025, 6, 1)
    assert not is_overdue(deadline, "rectifying", datetime(2025, 6, 1, 23, 59))
    assert is_overdue(deadline, "rectifying", datetime(2025, 6, 2, 0, 0))
    assert is_overdue(deadline, "rectifying", date(2025, 6, 2))
    assert not is_overdue(None, "rectifying", NOW)


def test_grade_constants():
    assert GRADES == {"general": "一般隐患", "major": "重大隐患"}
    assert hh.GRADE_GENERAL == "general" and hh.GRADE_MAJOR == "major"


def test_role_codes_match_the_accounts_roles():
    roles = pytest.importorskip("yingji.rules.roles")
    assert ALL_ROLES == set(roles.ROLES)
