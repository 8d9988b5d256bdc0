"""Pure affairs rules on hand-computed cases: escalation, reminders, item scores, grades,
rescaling, bonus, veto and the ranking with ties."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from yingji.rules import affairs as a


def test_escalation_levels_by_days_overdue():
    deadline = dt.date(2026, 6, 10)
    assert a.escalation_level(deadline, dt.date(2026, 6, 10), "in_progress") == 0   # due today: on time
    assert a.escalation_level(deadline, dt.date(2026, 6, 11), "assigned") == 1
    assert a.escalation_level(deadline, dt.date(2026, 6, 17), "in_progress") == 1   # 7 days
    assert a.escalation_level(deadline, dt.date(2026, 6, 18), "in_progress") == 2   # 8 days
    assert a.escalation_level(deadline, dt.date(2026, 7, 1), "done") == 0


def test_reminders_in_the_last_three_days():
    deadline = dt.date(2026, 6, 10)
    assert not a.needs_reminder(deadline, dt.date(2026, 6, 6), "assigned")
    assert a.needs_reminder(deadline, dt.date(2026, 6, 7), "assigned")
    assert a.needs_reminder(deadline, dt.date(2026, 6, 10), "in_progress")
    assert not a.needs_reminder(deadline, dt.date(2026, 6, 11), "in_progress")
    assert a.needs_reminder(deadline, dt.date(2026, 6, 8), "submitted")
    assert not a.needs_reminder(deadline, dt.date(2026, 6, 8), "done")


@pytest.mark.parametrize(("points", "deduction", "ratio", "score"), [
    ("30", "4.5", None, "25.50"), ("10", "12", None, "0.00"), ("25", None, "0.8", "20.00"),
    ("25", None, "0.3333", "8.33"), ("20", "0", None, "20.00")])
def test_item_scores(points, deduction, ratio, score):
    result = a.item_score(D(points), deduction=D(deduction) if deduction else None, ratio=D(ratio) if ratio else None)
    assert result == D(score)


@pytest.mark.parametrize(("total", "grade"), [("90", "优秀"), ("89.99", "良好"), ("80", "良好"), ("79.99", "合格"),
                                               ("60", "合格"), ("59.99", "不合格")])
def test_grade_boundaries(total, grade):
    assert a.grade(D(total), False) == grade


def test_metric_ratios():
    assert a.metric_ratio("hazard_closure", {"hazards_closed": 8, "hazards_due": 10}) == D("0.8")
    assert a.metric_ratio("hazard_closure", {"hazards_closed": 0, "hazards_due": 0}) == D(1)
    assert a.metric_ratio("accident_deaths", {"deaths": 2}) == D("0.50")
    assert a.metric_ratio("accident_deaths", {"deaths": 5}) == D(0)
    assert a.metric_ratio("tasks_on_time", {"tasks_on_time": 3, "tasks_due": 4}) == D("0.75")
    with pytest.raises(ValueError, match="未知的平台数据指标"):
        a.metric_ratio("drills", {})


def test_a_hand_computed_assessment_with_rescaling_bonus_veto_and_ties():
    # Items worth 30 + 25 + 25 = 80 points, rescaled to 100.
    results = [
        a.unit_result("A", [D("27"), D("20"), D("25")], bonus=D("1"), scale_to=D(100), item_points=D(80)),  # 90+1
        a.unit_result("B", [D("30"), D("25"), D("25")], veto=True, scale_to=D(100), item_points=D(80)),     # 100 vetoed
        a.unit_result("C", [D("24"), D("20"), D("20")], scale_to=D(100), item_points=D(80)),                # 80
        a.unit_result("D", [D("24"), D("20"), D("20")], scale_to=D(100), item_points=D(80)),                # 80
        a.unit_result("E", [D("10"), D("20"), D("10")], scale_to=D(100), item_points=D(80)),                # 50
    ]
    ranked = {r.unit: r for r in a.ranking(results)}
    assert (ranked["A"].total, ranked["A"].grade, ranked["A"].rank) == (D("91.00"), "优秀", 1)
    assert (ranked["C"].total, ranked["C"].grade, ranked["C"].rank) == (D("80.00"), "良好", 2)
    assert ranked["D"].rank == 2
    assert (ranked["E"].total, ranked["E"].grade, ranked["E"].rank) == (D("50.00"), "不合格", 4)
    assert (ranked["B"].total, ranked["B"].grade, ranked["B"].rank) == (D("100.00"), "不合格", 5)
