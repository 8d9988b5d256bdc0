import itertools

import pytest

from yingji.rules.report_chain import (
    ACTION_FOR_KIND,
    DECREE_493_ART12_ITEMS,
    INITIAL_STATE,
    REPORT_CHAIN,
    REPORT_KINDS,
    REPORT_ROLES,
    check_report,
    missing_art12_items,
    next_report_kind_allowed,
    state_from_kinds,
)
from yingji.rules.statemachine import TransitionError

DUTY = ["duty_officer"]
STATES = list(REPORT_CHAIN.states)


def test_report_kinds():
    assert REPORT_KINDS == {"first": "首报", "follow_up": "续报", "final": "终报", "supplement": "补报"}


def test_article_12_items():
    assert [code for code, _ in DECREE_493_ART12_ITEMS] == [
        "unit_overview", "time_place_scene", "brief_course", "casualties_and_loss",
        "measures_taken", "other_matters"]
    labels = [label for _, label in DECREE_493_ART12_ITEMS]
    assert labels[0] == "事故发生单位概况"
    assert labels[3] == "已经造成或者可能造成的伤亡人数（包括下落不明的人数）和初步估计的直接经济损失"
    assert labels[5] == "其他应当报告的情况"


def test_happy_path_with_any_number_of_follow_ups():
    state = INITIAL_STATE
    for kind in ["first", "follow_up", "follow_up", "follow_up", "final", "supplement", "supplement"]:
        state = check_report(kind, state, DUTY)
    assert state == "final_reported"
    assert REPORT_CHAIN.check("close", state, DUTY).target == "closed"


def test_final_directly_after_first_is_allowed():
    assert check_report("final", "first_reported", DUTY) == "final_reported"


# Full table: (kind, state) -> resulting state or None when illegal.
EXPECTED = {
    ("first", "received"): "first_reported",
    ("follow_up", "first_reported"): "follow_up",
    ("follow_up", "follow_up"): "follow_up",
    ("final", "first_reported"): "final_reported",
    ("final", "follow_up"): "final_reported",
    ("supplement", "final_reported"): "final_reported",
}


@pytest.mark.parametrize("kind, state", list(itertools.product(REPORT_KINDS, STATES)))
def test_transition_table_is_exactly_as_specified(kind, state):
    expected = EXPECTED.get((kind, state))
    if expected is None:
        with pytest.raises(TransitionError, match="不能执行") as info:
            check_report(kind, state, DUTY)
        assert info.value.code == "illegal_transition"
    else:
        assert check_report(kind, state, DUTY) == expected


@pytest.mark.parametrize("state, allowed", [(s, s == "final_reported") for s in STATES])
def test_close_only_after_final(state, allowed):
    if allowed:
        assert REPORT_CHAIN.check("close", state, DUTY).target == "closed"
    else:
        with pytest.raises(TransitionError, match="不能执行“办结”"):
            REPORT_CHAIN.check("close", state, DUTY)


def test_first_report_only_once_message():
    with pytest.raises(TransitionError, match=r"当前状态为“续报中”，不能执行“首报”") as info:
        check_report("first", "follow_up", DUTY)
    assert "首报" in info.value.message and "续报中" in info.value.message


def test_no_follow_up_on_closed_incident():
    with pytest.raises(TransitionError, match=r"当前状态为“已办结”，不能执行“续报”") as info:
        check_report("follow_up", "closed", DUTY)
    assert "已办结" in info.value.message


@pytest.mark.parametrize("role", sorted(REPORT_ROLES))
@pytest.mark.parametrize("action", list(REPORT_CHAIN.transitions))
def test_allowed_roles(role, action):
    transition = REPORT_CHAIN.transitions[action]
    state = sorted(transition.sources)[0]
    assert REPORT_CHAIN.check(action, state, [role]).target == transition.target


def test_report_roles_are_exactly_the_five():
    assert REPORT_ROLES == {"duty_officer", "commander", "city_admin", "county_admin", "sysadmin"}


@pytest.mark.parametrize("roles", [[], ["supervisor"], ["enterprise"], ["readonly"]])
@pytest.mark.parametrize("kind", ["first", "follow_up", "final"])
def test_other_roles_are_refused(roles, kind):
    state = {"first": "received", "follow_up": "first_reported", "final": "follow_up"}[kind]
    with pytest.raises(TransitionError, match="您的角色无权执行") as info:
        check_report(kind, state, roles)
    assert info.value.code == "forbidden_role"


def test_unknown_kind():
    with pytest.raises(TransitionError, match=r"未知的报告类型：initial") as info:
        check_report("initial", "received", DUTY)
    assert info.value.code == "unknown_report_kind"


def test_every_kind_has_an_action():
    assert set(ACTION_FOR_KIND) == set(REPORT_KINDS)


# --- article 12 guard ------------------------------------------------------------

COMPLETE = {code: "内容" for code, _ in DECREE_493_ART12_ITEMS}


def test_missing_items_are_listed_in_chinese():
    items = dict(COMPLETE, brief_course="  ", measures_taken=None)
    del items["unit_overview"]
    assert missing_art12_items(items) == ["事故发生单位概况", "事故的简要经过", "已经采取的措施"]


def test_other_matters_may_stay_blank():
    assert missing_art12_items(dict(COMPLETE, other_matters="")) == []


@pytest.mark.parametrize("kind, state", [("first", "received"), ("follow_up", "first_reported"),
                                         ("final", "follow_up")])
def test_guard_enforces_article_12_when_required(kind, state):
    context = {"require_art12_items": True, "items": dict(COMPLETE, casualties_and_loss="")}
    with pytest.raises(TransitionError, match=r"报告缺少《生产安全事故报告和调查处理条例》第十二条规定的内容：已经造成或者可能造成的伤亡人数") as info:
        check_report(kind, state, DUTY, context)
    assert info.value.code == "guard_failed"
    assert "第十二条" in info.value.message and "初步估计的直接经济损失" in info.value.message
    context["items"] = COMPLETE
    assert check_report(kind, state, DUTY, context) == EXPECTED[(kind, state)]


def test_guard_is_off_unless_requested():
    assert check_report("first", "received", DUTY, {"items": {}}) == "first_reported"
    assert check_report("first", "received", DUTY) == "first_reported"


# --- derived state and next kinds -----------------------------------------------------

@pytest.mark.parametrize("kinds, closed, state, allowed", [
    ([], False, "received", {"first"}),
    (["first"], False, "first_reported", {"follow_up", "final"}),
    (["first", "follow_up"], False, "follow_up", {"follow_up", "final"}),
    (["first"] + ["follow_up"] * 7, False, "follow_up", {"follow_up", "final"}),
    (["first", "final"], False, "final_reported", {"supplement"}),
    (["first", "follow_up", "final", "supplement"], False, "final_reported", {"supplement"}),
    (["first", "final"], True, "closed", set()),
    (["first", "follow_up", "final", "supplement"], True, "closed", set()),
    ({"first", "follow_up"}, False, "follow_up", {"follow_up", "final"}),  # any iterable
])
def test_state_and_next_allowed(kinds, closed, state, allowed):
    assert state_from_kinds(kinds, closed) == state
    assert next_report_kind_allowed(kinds, closed) == allowed


@pytest.mark.parametrize("kinds, closed, message", [
    (["first", "first"], False, "首报只能有一次"),
    (["first", "final", "final"], False, "终报只能有一次"),
    (["follow_up"], False, "尚无首报"),
    (["final"], False, "尚无首报"),
    (["first", "supplement"], False, "补报只能在终报之后"),
    ([], True, "尚未终报的事件不能办结"),
    (["first", "follow_up"], True, "尚未终报的事件不能办结"),
    (["first", "interim"], False, "未知的报告类型：interim"),
])
def test_inconsistent_histories_are_rejected(kinds, closed, message):
    with pytest.raises(ValueError, match=message):
        next_report_kind_allowed(kinds, closed)


@pytest.mark.parametrize("history", [
    [], ["first"], ["first", "follow_up"], ["first", "final"], ["first", "follow_up", "final"],
    ["first", "final", "supplement"],
])
def test_next_allowed_agrees_with_the_machine(history):
    state = INITIAL_STATE
    for kind in history:
        state = check_report(kind, state, DUTY)
    assert state == state_from_kinds(history, False)
    for kind in REPORT_KINDS:
        legal = kind in next_report_kind_allowed(history, False)
        try:
            check_report(kind, state, DUTY)
            assert legal, kind
        except TransitionError:
            assert not legal, kind
