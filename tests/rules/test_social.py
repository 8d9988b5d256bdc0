"""Social mobilisation rules: grading indicators (应急〔2024〕83号, YJ/T 1.x example), hours served,
information-officer coverage."""

from __future__ import annotations

import datetime as dt

import pytest

from yingji.rules import social as rules


def cap(**kw):
    base = dict(range="local", assemble_hours=4, sites=1, sustain_hours=12, members=15, has_support_teams=False)
    return rules.Capability(**{**base, **kw})


def test_the_highest_grade_met_with_its_boundaries():
    assert rules.highest_grade(cap()) == 3
    assert rules.highest_grade(cap(assemble_hours=4.5)) is None  # 三级: within 4 h
    assert rules.highest_grade(cap(members=14)) is None
    assert rules.highest_grade(cap(range="province", assemble_hours=6, sustain_hours=48, members=40)) == 2
    # 47 h at one site is short of 二级's 48 h but more than 三级's 12 h; 6 h assembly is beyond 三级's 4 h
    assert rules.highest_grade(cap(range="province", assemble_hours=4, sustain_hours=47, members=40)) == 3


def test_grade_one_needs_two_sites_support_teams_and_a_document():
    one = cap(range="region", assemble_hours=6, sites=2, sustain_hours=48, members=75, has_support_teams=True)
    assert rules.highest_grade(one) == 1
    assert rules.highest_grade(cap(range="region", assemble_hours=6, sites=2, sustain_hours=48, members=75)) == 2
    with pytest.raises(rules.SocialRuleError, match="须填写测评结果文号"):
        rules.check_grade(one, 1)
    rules.check_grade(one, 1, "应急〔2025〕9号")
    with pytest.raises(rules.SocialRuleError, match="须设前突分队和后方保障分队"):
        rules.check_grade(cap(range="region", assemble_hours=6, sites=2, sustain_hours=48, members=75), 1, "文号")
    with pytest.raises(rules.SocialRuleError, match="等级须为一级、二级或三级"):
        rules.check_grade(one, 4)


def test_hours_served_round_down_and_refuse_nonsense():
    start = dt.datetime(2026, 7, 1, 8, 0)
    assert rules.served_hours(start, start + dt.timedelta(hours=2, minutes=59)) == 2.9
    assert rules.served_hours(start, start + dt.timedelta(minutes=5)) == 0.0
    with pytest.raises(rules.SocialRuleError, match="签退时间须晚于签到时间"):
        rules.served_hours(start, start)
    with pytest.raises(rules.SocialRuleError, match="超过 72 小时"):
        rules.served_hours(start, start + dt.timedelta(hours=73))


def test_coverage_gap():
    assert rules.coverage_gap(0, False) == "未配备灾害信息员"
    assert rules.coverage_gap(1, False) == ""
    assert rules.coverage_gap(1, True) == "灾害易发村（社区）须设 A、B 岗（至少 2 人），现有 1 人"
    assert rules.coverage_gap(2, True) == ""
