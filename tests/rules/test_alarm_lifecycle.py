from datetime import datetime, timedelta

import pytest

from yingji.rules.alarm_lifecycle import (
    ALARM_MACHINE, BUREAU_ROLES, DEFAULT_ESCALATION_MINUTES, ESCALATION_TIERS, INITIAL_STATE,
    OPEN_STATES, STATES, SYSTEM_ROLE, TRANSITIONS, TransitionError, TriggerDecision,
    allowed_actions, apply, dedup_key, escalation_due, on_trigger,
)

ALL_ROLES = frozenset({"sysadmin", "city_admin", "county_admin", "supervisor", "enterprise",
                       "duty_officer", "commander", "readonly", SYSTEM_ROLE})
T0 = datetime(2025, 6, 1, 2, 0)


def context(**overrides):
    ctx = {"is_own": True, "handling_note": "已通知企业关闭进料阀，现场浓度回落",
           "reason": "传感器校准导致误报", "still_active": False}
    ctx.update(overrides)
    return ctx


def error(state, action, roles, ctx, match):
    with pytest.raises(TransitionError, match=match) as info:
        apply(state, action, roles, ctx)
    return info.value


ALLOWED = [pytest.param(t, source, role, id=f"{t.action}-{source}-{role}")
           for t in TRANSITIONS for source in sorted(t.sources) for role in sorted(t.roles)]


@pytest.mark.parametrize("t, source, role", ALLOWED)
def test_every_allowed_transition(t, source, role):
    assert apply(source, t.action, {role}, context()) == t.target


WRONG_STATE = [pytest.param(t, state, id=f"{t.action}-from-{state}")
               for t in TRANSITIONS for state in STATES if state not in t.sources]


@pytest.mark.parametrize("t, state", WRONG_STATE)
def test_every_action_refused_from_other_states(t, state):
    e = error(state, t.action, set(t.roles), context(), "不能执行")
    assert e.code == "illegal_transition"


WRONG_ROLE = [pytest.param(t, role, id=f"{t.action}-by-{role}")
              for t in TRANSITIONS for role in sorted(ALL_ROLES) if role not in t.roles]


@pytest.mark.parametrize("t, role", WRONG_ROLE)
def test_every_action_refused_to_other_roles(t, role):
    e = error(sorted(t.sources)[0], t.action, {role}, context(), "无权执行")
    assert e.code == "forbidden_role"


def test_role_table():
    by_action = {t.action: t.roles for t in TRANSITIONS}
    assert by_action["acknowledge"] == BUREAU_ROLES | {"enterprise"}
    assert by_action["handle"] == BUREAU_ROLES | {"enterprise"}
    assert by_action["close"] == BUREAU_ROLES
    assert by_action["dismiss"] == BUREAU_ROLES
    assert by_action["raise_level"] == {SYSTEM_ROLE}
    assert BUREAU_ROLES == {"duty_officer", "commander", "city_admin", "county_admin", "sysadmin"}
    for state in STATES:
        assert allowed_actions(state, {"readonly"}) == []
        assert allowed_actions(state, {"supervisor"}) == []


@pytest.mark.parametrize("action, state", [("acknowledge", "raised"), ("handle", "acknowledged")])
def test_enterprise_only_on_its_own_alarms(action, state):
    e = error(state, action, {"enterprise"}, context(is_own=False), "只能处理本企业")
    assert e.message == "企业用户只能处理本企业的报警"
    # a bureau role is not limited by ownership
    assert apply(state, action, {"duty_officer"}, context(is_own=False)) != state


def test_handle_needs_a_note_and_dismiss_needs_a_reason():
    assert error("acknowledged", "handle", {"duty_officer"}, context(handling_note=" "), "处置情况").message == "请填写处置情况"
    assert error("raised", "dismiss", {"commander"}, context(reason=""), "关闭原因").message == "请填写关闭原因"


def test_close_refused_while_condition_persists():
    e = error("handled", "close", {"duty_officer"}, context(still_active=True), "报警条件仍然存在")
    assert e.message == "报警条件仍然存在（监测值未恢复正常），暂不能关闭"


def test_lifecycle_end_to_end():
    state = INITIAL_STATE
    for action, role in [("acknowledge", "enterprise"), ("handle", "enterprise"),
                         ("close", "duty_officer")]:
        state = apply(state, action, {role}, context())
    assert state == "closed"
    assert ALARM_MACHINE.label(state) == "已关闭"


def test_allowed_actions():
    def names(state, roles, **kw):
        return [t.action for t in allowed_actions(state, roles, **kw)]
    assert names("raised", {"duty_officer"}) == ["acknowledge", "dismiss"]
    assert names("raised", {"enterprise"}) == ["acknowledge"]
    assert names("raised", {"enterprise"}, is_own=False) == []
    assert names("handled", {"enterprise"}) == []
    assert names("handled", {"commander"}) == ["close"]
    assert names("closed", ALL_ROLES) == []


# --- deduplication ----------------------------------------------------------------------

def test_dedup_key():
    assert dedup_key("GT-101", "threshold") == ("GT-101", "threshold")
    assert dedup_key("GT-101", "threshold") != dedup_key("GT-101", "rate")


def test_trigger_without_open_alarm_creates():
    assert on_trigger(None, None, 3) == TriggerDecision("create", 3, "raised")
    assert on_trigger("closed", 2, 3) == TriggerDecision("create", 3, "raised")


@pytest.mark.parametrize("state", sorted(OPEN_STATES))
def test_repeat_at_same_or_lower_severity_updates_without_state_change(state):
    assert on_trigger(state, 2, 2) == TriggerDecision("update", 2, None)
    assert on_trigger(state, 2, 4) == TriggerDecision("update", 2, None)


def test_more_severe_repeat_escalates_and_requires_new_acknowledgement():
    assert on_trigger("raised", 3, 1) == TriggerDecision("update", 1, None, escalated=True)
    assert on_trigger("acknowledged", 3, 2) == TriggerDecision("update", 2, "raised", escalated=True)
    assert on_trigger("handled", 4, 1) == TriggerDecision("update", 1, "raised", escalated=True)


# --- escalation -------------------------------------------------------------------------

def test_default_escalation_table():
    assert DEFAULT_ESCALATION_MINUTES == {1: (5, 15, 30), 2: (10, 30, 60), 3: (30, 60), 4: (60,)}
    assert ESCALATION_TIERS[1] == "带班领导"


@pytest.mark.parametrize("level, minutes, tier", [
    (1, 0, None), (1, 4.99, None), (1, 5, 1), (1, 14.9, 1), (1, 15, 2), (1, 30, 3), (1, 600, 3),
    (2, 9.9, None), (2, 10, 1), (2, 30, 2), (2, 60, 3),
    (3, 29.9, None), (3, 30, 1), (3, 60, 2), (3, 999, 2),
    (4, 59.9, None), (4, 60, 1), (4, 999, 1),
])
def test_escalation_when_not_acknowledged(level, minutes, tier):
    assert escalation_due(T0, level, None, T0 + timedelta(minutes=minutes)) == tier


def test_acknowledgement_stops_the_clock():
    ack = T0 + timedelta(minutes=12)
    later = T0 + timedelta(hours=3)
    assert escalation_due(T0, 1, ack, later) == 1             # tier 1 was reached before ack
    assert escalation_due(T0, 1, T0 + timedelta(minutes=4), later) is None
    assert escalation_due(T0, 2, ack, later) == 1
    # an acknowledgement time after now does not extend the clock
    assert escalation_due(T0, 1, T0 + timedelta(hours=1), T0 + timedelta(minutes=6)) == 1


def test_custom_minutes_and_validation():
    custom = {1: (2, 4), 2: (5,)}
    assert escalation_due(T0, 1, None, T0 + timedelta(minutes=4)) is None
    assert escalation_due(T0, 1, None, T0 + timedelta(minutes=4), custom) == 2
    with pytest.raises(ValueError, match="未配置 3 级报警的升级时限"):
        escalation_due(T0, 3, None, T0, custom)
    for bad, message in (({1: (10, 5)}, "升级时限必须为递增的正数分钟"), ({1: (0, 5)}, "升级时限必须为递增的正数分钟"),
                         ({1: (5, 5)}, "升级时限必须为递增的正数分钟"), ({1: (1, 2, 3, 4)}, "升级层级超过 3 级")):
        with pytest.raises(ValueError, match=message):
            escalation_due(T0, 1, None, T0, bad)


def test_escalation_never_decreases_over_time():
    tiers = [escalation_due(T0, 1, None, T0 + timedelta(minutes=m)) or 0 for m in range(0, 40)]
    assert tiers == sorted(tiers)
