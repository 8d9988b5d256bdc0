"""Pure enforcement rules: reproducible draws, the two-inspector rule, working days, the case
clocks, hearing rights, the law-review conditions, the plan's work-day formula, surcharges."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from yingji.rules import enforcement as e
from yingji.rules.statemachine import TransitionError


def test_a_draw_is_reproducible_from_its_seed_whatever_the_candidate_order():
    candidates = [str(n) for n in range(1, 41)]
    first = e.draw(candidates, 12, "2026-plan-B")
    assert first == e.draw(list(reversed(candidates)), 12, "2026-plan-B")
    assert len(set(first)) == 12 and set(first) <= set(candidates)
    assert e.draw(candidates, 12, "2026-plan-C") != first


def test_a_draw_is_pinned_so_a_library_change_would_show():
    # Recorded once: the same seed must give the same enterprises in every later version.
    assert e.draw(["a", "b", "c", "d", "e"], 2, "x") == ["c", "a"]


def test_a_draw_refuses_more_than_the_pool_and_an_empty_seed():
    with pytest.raises(ValueError, match="抽取数量 3 超过候选数量 2"):
        e.draw(["1", "2"], 3, "s")
    with pytest.raises(ValueError, match="随机种子不能为空"):
        e.draw(["1", "2"], 1, " ")


@pytest.mark.parametrize(("pool", "ratio", "count"), [(10, "0.30", 3), (5, "0.30", 2), (3, "0.10", 1), (0, "0.3", 0),
                                                       (7, "0", 0), (4, "1", 4)])
def test_random_count_rounds_half_up_with_at_least_one(pool, ratio, count):
    assert e.random_count(pool, Decimal(ratio)) == count


def test_two_inspectors_with_valid_certificates():
    day = dt.date(2026, 6, 1)
    a = e.InspectorFact("1", "甲", "C1", dt.date(2027, 1, 1))
    b = e.InspectorFact("2", "乙", "C2", dt.date(2026, 6, 1))  # valid through its last day
    assert e.inspector_problems([a, b], day) == []
    assert e.inspector_problems([a, a], day) == ["执法检查须由两名以上持证执法人员进行（行政处罚法第五十五条、安全生产法第六十七条）"]
    expired = e.InspectorFact("2", "乙", "C2", dt.date(2026, 5, 31))
    assert e.inspector_problems([a, expired], day) == ["乙的执法证（C2）在 2026-06-01 已失效"]
    revoked = e.InspectorFact("3", "丙", "C3", dt.date(2030, 1, 1), active=False)
    assert e.inspector_problems([a, revoked], day) == ["丙的执法证已注销或暂停"]


def test_working_days_skip_weekends_holidays_and_count_makeup_days():
    friday = dt.date(2026, 3, 6)
    assert e.add_working_days(friday, 1) == dt.date(2026, 3, 9)
    assert e.add_working_days(friday, 5) == dt.date(2026, 3, 13)
    holidays = {dt.date(2026, 10, d) for d in range(1, 9)}
    assert e.add_working_days(dt.date(2026, 9, 30), 1, holidays) == dt.date(2026, 10, 9)
    assert e.add_working_days(dt.date(2026, 9, 25), 1, workdays={dt.date(2026, 9, 27)}) == dt.date(2026, 9, 27)


def test_case_clocks_by_hand():
    clocks = {c.kind: c for c in e.case_clocks(filed_on=dt.date(2026, 3, 2), notified_on=dt.date(2026, 3, 10),
                                              decided_on=dt.date(2026, 3, 18), served_on=dt.date(2026, 3, 19),
                                              fine=True)}
    assert clocks["decision"].due_on == dt.date(2026, 5, 31)      # 2 March + 90 days
    assert clocks["statement"].due_on == dt.date(2026, 3, 17)     # 5 working days after Tuesday 10 March
    assert clocks["service"].due_on == dt.date(2026, 3, 27)       # 7 working days after 18 March
    assert clocks["publication"].due_on == dt.date(2026, 3, 27)
    assert clocks["payment"].due_on == dt.date(2026, 4, 3)        # 19 March + 15 days
    assert clocks["statement"].window and not clocks["statement"].overdue(dt.date(2026, 4, 1))
    assert clocks["statement"].state(dt.date(2026, 4, 1)) == "ended"
    assert clocks["service"].state(dt.date(2026, 4, 1)) == "done"
    unserved = {c.kind: c for c in e.case_clocks(filed_on=dt.date(2026, 3, 2), decided_on=dt.date(2026, 3, 18))}
    assert unserved["service"].overdue(dt.date(2026, 3, 28)) and not unserved["service"].overdue(dt.date(2026, 3, 27))
    assert "payment" not in {c.kind for c in e.case_clocks(filed_on=dt.date(2026, 3, 2), served_on=dt.date(2026, 3, 19))}


@pytest.mark.parametrize(("party", "penalty", "fine", "right"), [
    ("unit", "fine", "30000", True), ("unit", "fine", "29999.99", False), ("person", "fine", "10000", True),
    ("person", "fine", "9999", False), ("unit", "suspend", None, True), ("unit", "warning", None, False),
    ("person", "restrict", None, True)])
def test_hearing_right_by_penalty_and_amount(party, penalty, fine, right):
    assert e.hearing_right(party, penalty, Decimal(fine) if fine else None) is right


def test_law_review_is_needed_when_any_condition_applies():
    assert not e.needs_law_review()
    for key in ("major_public_interest", "hearing_held", "complex_case", "other_law"):
        assert e.needs_law_review(**{key: True})


def test_the_law_review_gate_in_the_machine():
    roles = e.DECIDERS
    ctx = {"needs_law_review": True, "law_review_passed": False, "waived": True}
    with pytest.raises(TransitionError, match="未经法制审核"):
        e.CASE_MACHINE.check("decide", "notified", roles, ctx)
    assert e.CASE_MACHINE.check("decide", "notified", roles, {**ctx, "law_review_passed": True}).target == "decided"


def test_late_payment_surcharge_by_hand():
    due = dt.date(2026, 4, 3)
    assert e.late_payment_surcharge(Decimal("20000"), due, due) == Decimal("0.00")
    assert e.late_payment_surcharge(Decimal("20000"), due, dt.date(2026, 4, 8)) == Decimal("3000.00")
    assert e.late_payment_surcharge(Decimal("20000"), due, dt.date(2026, 6, 30)) == Decimal("20000.00")  # capped


def test_plan_capacity_by_the_150_formula():
    cap = e.plan_capacity(250, 4, 300, 200, 300)
    assert (cap.total_workdays, cap.inspection_days, cap.general_days) == (1000, 500, 200)
    assert "监督检查工作日 500 = 1000 − 其他执法工作日 300 − 非执法工作日 200" in cap.formula()
    with pytest.raises(ValueError, match="重点检查工作日 600 超过监督检查工作日 500"):
        e.plan_capacity(250, 4, 300, 200, 600)


def test_suggested_grades():
    assert e.suggested_grade("non_coal_mine", None, 0, 0) == ("A", "矿山企业")
    assert e.suggested_grade("hazchem", 2, 1, 0) == ("A", "二级重大危险源；有未销号重大隐患 1 项")
    assert e.suggested_grade("hazchem", 3, 0, 0) == ("B", "三级重大危险源")
    assert e.suggested_grade("hazchem", None, 0, 0)[0] == "B"
    assert e.suggested_grade("manufacturing", None, 0, 0)[0] == "C"
    assert e.suggested_grade("manufacturing", None, 0, 2) == ("A", "近一年发生生产安全事故 2 起")
