"""Aggregation up the levels: a level's figure is its own report or the sum of the reported
divisions below it; a differing own figure must be explained; per-stage sums; relief level."""

from __future__ import annotations

import pytest

from tests.conftest import CITY, HAIZHOU, ZHANGWU
from tests.disasters.conftest import HZ_TOWN, ZW_TOWN_A, ZW_TOWN_B
from yingji.core.errors import ValidationFailed


def test_city_total_is_the_sum_of_townships_when_counties_have_not_reported(people, event, file):
    from yingji.disasters.selectors import event_totals

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100, deaths=1, direct_loss_wan="10.5")
    file("zhangwu", event, "initial", ZW_TOWN_B, affected_population=50, missing=2, direct_loss_wan="4.5")
    file("haizhou", event, "initial", HZ_TOWN, affected_population=30)
    totals = event_totals(event)
    assert (totals["affected_population"], totals["deaths"], totals["missing"]) == (180, 1, 2)
    assert str(totals["direct_loss_wan"]) == "15.00"


def test_a_county_figure_equal_to_its_townships_needs_no_explanation(people, event, file):
    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100)
    file("zhangwu", event, "initial", ZW_TOWN_B, affected_population=50)
    county = file("zhangwu", event, "initial", ZHANGWU, affected_population=150)
    assert county.differences == []


def test_a_differing_county_figure_must_carry_an_explanation(people, event, file):
    from yingji.disasters.selectors import event_totals, stage_summary

    file("zhangwu", event, "initial", ZW_TOWN_A, affected_population=100)
    file("zhangwu", event, "initial", ZW_TOWN_B, affected_population=50)
    with pytest.raises(ValidationFailed, match="与下级合计不一致") as exc:
        file("zhangwu", event, "initial", ZHANGWU, affected_population=170)
    assert exc.value.code == "difference_unexplained"
    county = file("zhangwu", event, "initial", ZHANGWU, affected_population=170,
                  difference_explanation="县直单位核实国有林场受灾20人，未在乡镇报表中")
    assert county.differences == [{"field": "affected_population", "reported": "170", "sum": "150"}]
    # the county's own figure now counts for the city; the summary shows the explained difference
    assert event_totals(event)["affected_population"] == 170
    initial = stage_summary(event, ZHANGWU)[0]
    assert [p["code"] for p in initial["parts"]] == [ZW_TOWN_A, ZW_TOWN_B]
    assert initial["sum"]["affected_population"] == 150 and initial["own"] == county
    assert initial["differing"] == ["affected_population"]


def test_city_sum_by_stage_is_the_sum_of_counties(people, event, file):
    from yingji.disasters.selectors import stage_summary

    file("zhangwu", event, "initial", ZHANGWU, affected_population=100)
    file("haizhou", event, "initial", HAIZHOU, affected_population=40)
    file("zhangwu", event, "update", ZHANGWU, affected_population=150)
    rows = {r["stage"]: r for r in stage_summary(event, CITY)}
    assert rows["initial"]["sum"]["affected_population"] == 140
    assert [p["code"] for p in rows["initial"]["parts"]] == [HAIZHOU, ZHANGWU]
    assert rows["update"]["sum"]["affected_population"] == 150  # only 彰武县 has a 续报 so far
    assert rows["final"]["parts"] == [] and rows["final"]["sum"] is None


def test_the_city_total_changes_when_a_county_reports_again(people, event, file):
    from yingji.disasters.selectors import event_totals

    file("zhangwu", event, "initial", ZHANGWU, affected_population=100)
    file("haizhou", event, "initial", HAIZHOU, affected_population=40)
    assert event_totals(event)["affected_population"] == 140
    file("zhangwu", event, "update", ZHANGWU, affected_population=160)
    assert event_totals(event)["affected_population"] == 200


def test_relief_level_from_current_totals_and_the_condition_that_met_it(people, event, file):
    from yingji.disasters.selectors import relief_for

    file("zhangwu", event, "initial", ZHANGWU, deaths=12, missing=7)
    assert relief_for(event).level is None  # 19 < 20
    file("haizhou", event, "initial", HAIZHOU, deaths=1)
    result = relief_for(event)
    assert (result.level, result.label) == (4, "四级")
    assert [(c.code, int(c.figure), int(c.threshold)) for c in result.conditions] == [("dead_missing", 20, 20)]


def test_relief_uses_the_events_local_table(people, event, file):
    from yingji.core.records import create_record
    from yingji.disasters.models import ReliefTableConfig
    from yingji.disasters.selectors import relief_for

    table = create_record(people["city"], ReliefTableConfig, {
        "code": "fuxin-test", "name": "阜新市测试分级表", "document": "阜政办发〔2099〕1号", "division_code": CITY,
        "thresholds": {"1": {"dead_missing": 10}, "2": {"dead_missing": 5}, "3": {"dead_missing": 3},
                       "4": {"dead_missing": 1, "collapsed_severe_households": 50}},
    })
    event.relief_table = table
    event.save()
    file("zhangwu", event, "initial", ZHANGWU, deaths=2, missing=1)
    result = relief_for(event)
    assert (result.level, result.table) == (3, "fuxin-test")


def test_an_invalid_local_table_is_refused(people):
    from yingji.core.records import create_record
    from yingji.disasters.models import ReliefTableConfig

    with pytest.raises(ValidationFailed, match="高于"):
        create_record(people["city"], ReliefTableConfig, {
            "code": "bad", "name": "错误分级表", "document": "某文号", "division_code": CITY,
            "thresholds": {"1": {"dead_missing": 1}, "2": {"dead_missing": 5}}})
