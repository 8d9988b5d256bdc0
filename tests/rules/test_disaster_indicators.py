"""The seven core indicators on hand-computed cases; loss-report stages, deadlines, jumps."""

from __future__ import annotations

import datetime as dt
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest

from yingji.rules import disaster_indicators as di
from yingji.rules import disaster_reports as dr

D = Decimal


def test_change_percent_hand_computed():
    # 2020: 20 deaths; 2025: 17 → (17 − 20) / 20 = −15 % exactly: meets "下降15%".
    assert di.change_percent(17, 20) == D(-15)
    assert di.INDICATOR_BY_CODE["accident_deaths"].met(D(-15))
    assert not di.INDICATOR_BY_CODE["accident_deaths"].met(di.change_percent(18, 20))  # −10 %
    assert di.change_percent(9, 10) == D(-10)
    with pytest.raises(ValueError, match="大于0"):
        di.change_percent(3, 0)


def test_deaths_per_100m_yuan_gdp():
    # 12 deaths, GDP 600 亿元 → 0.02 per 亿元; baseline 15 deaths on 500 亿元 → 0.03; change −33.33…%.
    assert di.deaths_per_gdp(12, 600) == D("0.02")
    change = di.change_percent(di.deaths_per_gdp(12, 600), di.deaths_per_gdp(15, 500))
    assert di.rounded(change) == D("-33.33")
    assert di.INDICATOR_BY_CODE["deaths_per_gdp"].met(change)  # ≤ −33


def test_deaths_per_100k_workers():
    # 6 deaths among 250 000 workers → 6 × 100 000 / 250 000 = 2.4
    assert di.deaths_per_100k_workers(6, 250_000) == D("2.4")
    assert di.deaths_per_100k_workers(3, 150_000) == D(2)


def test_disaster_deaths_per_million():
    # 1 death in a population of 1 600 000 → 0.625; with 1 missing → 1.25
    assert di.disaster_deaths_per_million(1, 1_600_000) == D("0.625")
    assert di.disaster_deaths_per_million(1, 1_600_000, 1, include_missing=True) == D("1.25")
    ind = di.INDICATOR_BY_CODE["disaster_deaths_per_million"]
    assert ind.met(D("0.999")) and not ind.met(D(1))  # "<1": 1 itself fails


def test_affected_person_times_per_100k():
    # 240 000 affected person-times in 1 600 000 people → 15 000 per 100 000: not "<15000"
    value = di.affected_per_100k(240_000, 1_600_000)
    assert value == D(15000)
    assert not di.INDICATOR_BY_CODE["affected_per_100k"].met(value)
    assert di.INDICATOR_BY_CODE["affected_per_100k"].met(di.affected_per_100k(239_999, 1_600_000))


def test_loss_share_of_gdp_units():
    # 5 400 万元 loss, GDP 540 亿元 = 5 400 000 万元 → 0.1 %
    assert di.loss_share_of_gdp(5400, 540) == D("0.1")
    assert di.loss_share_of_gdp(D("54000"), D("540")) == D(1)
    assert not di.INDICATOR_BY_CODE["loss_share_of_gdp"].met(D(1))


def test_period_average_is_the_ratio_of_sums():
    years = [
        di.YearFigures(2021, population=1_000_000, disaster_deaths=1, affected_person_times=100_000,
                       gdp_yi=D(500), disaster_loss_wan=D(10_000)),
        di.YearFigures(2022, population=1_000_000, disaster_deaths=0, affected_person_times=50_000,
                       gdp_yi=D(500), disaster_loss_wan=D(0)),
    ]
    # deaths 1 / 2 000 000 person-years × 10^6 = 0.5; affected 150 000 / 2 000 000 × 10^5 = 7 500;
    # loss 10 000 万元 / (1 000 亿元 × 10 000) × 100 = 0.1 %
    assert di.period_average(years, "disaster_deaths_per_million") == D("0.5")
    assert di.period_average(years, "affected_per_100k") == D(7500)
    assert di.period_average(years, "loss_share_of_gdp") == D("0.1")
    with pytest.raises(ValueError, match="缺少基础数据"):
        di.period_average([di.YearFigures(2023)], "affected_per_100k")


def test_assess_reduction_against_baseline():
    base = di.YearFigures(2020, accident_deaths=20, major_accidents=10, gdp_yi=D(500), workers=200_000)
    now = di.YearFigures(2025, accident_deaths=17, major_accidents=9, gdp_yi=D(600), workers=200_000)
    deaths = di.assess("accident_deaths", now, base)
    assert (deaths["change_percent"], deaths["met"], deaths["target"]) == (D(-15), True, "下降15%")
    major = di.assess("major_accidents", now, base)
    assert (major["change_percent"], major["met"]) == (D(-10), True)
    workers = di.assess("deaths_per_100k_workers", now, base)  # 8.5 vs 10 → −15 %: target −20 % missed
    assert (workers["value"], workers["change_percent"], workers["met"]) == (D("8.5"), D(-15), False)
    with pytest.raises(ValueError, match="基期"):
        di.assess("accident_deaths", now)


def test_floats_are_refused():
    with pytest.raises(ValueError, match="浮点数"):
        di.loss_share_of_gdp(1.5, 100)


def test_seven_indicators_and_targets():
    assert [i.target_text for i in di.INDICATORS] == ["下降15%", "下降10%", "下降33%", "下降20%", "<1", "<15000", "<1%"]


# --- stages ---------------------------------------------------------------------------------

@pytest.mark.parametrize("previous, stage, stabilised, error", [
    ([], "initial", False, None),
    ([], "update", False, "先报送初报"),
    ([], "final", True, "先报送初报"),
    (["initial"], "initial", False, "只能报送一次"),
    (["initial"], "update", False, None),
    (["initial", "update", "update"], "update", False, None),
    (["initial", "update"], "final", False, "灾情稳定后"),
    (["initial", "update"], "final", True, None),
    (["initial"], "final", True, None),
    (["initial", "final"], "update", True, "已核报"),
    (["initial", "final"], "final", True, "已核报"),
    (["initial"], "bogus", False, "未知"),
])
def test_stage_order(previous, stage, stabilised, error):
    if error is None:
        dr.next_stage_allowed(previous, stage, stabilised=stabilised)
    else:
        with pytest.raises(dr.StageError, match=error):
            dr.next_stage_allowed(previous, stage, stabilised=stabilised)


def test_stage_deadlines_as_data():
    start = datetime(2025, 7, 28, 6, 0, tzinfo=dr.BEIJING)
    initial = dr.stage_deadline("initial", "county")
    assert initial.text == "灾害发生后2小时内"
    assert dr.due_at(initial, start) == datetime(2025, 7, 28, 8, 0, tzinfo=dr.BEIJING)
    # 核报 county: 2 working days after stabilisation on Friday 2025-08-01 → end of Tuesday 08-05
    final = dr.stage_deadline("final", "county")
    assert dr.due_at(final, datetime(2025, 8, 1, 15, 0, tzinfo=dr.BEIJING)) == datetime(2025, 8, 6, 0, 0, tzinfo=dr.BEIJING)
    assert dr.stage_deadline("update", "county") is None


def test_zero_report_times():
    assert dr.next_zero_report("county", datetime(2025, 7, 28, 8, 59, tzinfo=dr.BEIJING)).hour == 9
    later = dr.next_zero_report("city", datetime(2025, 7, 28, 10, 1, tzinfo=dr.BEIJING))
    assert (later.day, later.hour) == (29, 10)


# --- jump rule ------------------------------------------------------------------------------

def test_any_decrease_is_a_jump():
    jumps = dr.sharp_jumps({"deaths": 3, "affected_population": 1000}, {"deaths": 2, "affected_population": 1000})
    assert [(j.field, j.kind) for j in jumps] == [("deaths", "decrease")]


@pytest.mark.parametrize("before, after, jump", [
    (100, 200, False),  # exactly doubles: not more than +100 %
    (100, 201, True),
    (0, 9, False),  # below the minimum absolute increase (10)
    (0, 10, True),
    (5, 14, False),
    (5, 15, True),
])
def test_increase_boundaries(before, after, jump):
    assert bool(dr.sharp_jumps({"x": before}, {"x": after})) is jump


def test_jump_rule_is_configurable():
    rule = dr.JumpRule(ratio=D("0.5"), min_increase=D(1))
    assert dr.sharp_jumps({"x": 10}, {"x": 16}, rule)[0].kind == "increase"
    assert not dr.sharp_jumps({"x": 10}, {"x": 15}, rule)


def test_relief_time_targets():
    start = datetime(2025, 7, 28, 6, 0, tzinfo=dr.BEIJING)
    load = dr.RELIEF_TIME_TARGETS["load"]
    assert dr.target_state(start, start + dt.timedelta(hours=4), load, start) == ("met", 4.0)
    assert dr.target_state(start, start + dt.timedelta(hours=4, minutes=6), load, start) == ("late", 4.1)
    assert dr.target_state(start, None, load, start + dt.timedelta(hours=3))[0] == "running"
    assert dr.target_state(start, None, dr.RELIEF_TIME_TARGETS["deliver"], start + dt.timedelta(hours=9))[0] == "overdue"
    assert dr.RELIEF_TIME_TARGETS["basic_aid"].hours == 10


def test_stage_limits_are_rows_of_the_incidents_deadline_engine():
    from yingji.rules import deadlines as engine

    final = dr.stage_deadline("final", "city")
    assert isinstance(final.rule, engine.DeadlineRule) and final.rule.working_days
    assert final.text == "收到下级报告后3个工作日内"
    # Saturday stabilisation: Monday, Tuesday count → due at 24:00 Tuesday
    saturday = datetime(2025, 8, 2, 10, 0, tzinfo=dr.BEIJING)
    assert engine.due_for(dr.stage_deadline("final", "county").rule, saturday) == datetime(2025, 8, 6, tzinfo=dr.BEIJING)
    deadline = dr.stage_deadline_for(dr.stage_deadline("initial", "county"), saturday)
    assert not engine.overdue(deadline, None, saturday + timedelta(hours=2))
    assert engine.overdue(deadline, None, saturday + timedelta(hours=2, seconds=1))
    zero = dr.zero_report_deadline("city", date(2025, 7, 29))
    assert zero.due_at == datetime(2025, 7, 29, 10, 0, tzinfo=dr.BEIJING) and "第十七条" in zero.source
