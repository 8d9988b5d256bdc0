"""Relief response levels of the national 2024 table at every threshold, both sides."""

from __future__ import annotations

from decimal import Decimal

import pytest

from yingji.rules.relief import LEVEL_LABELS, NATIONAL_2024, TABLES, ReliefFigures, ReliefTable, relief_level

WAN = 10_000

# condition -> level -> threshold ("以上含本数"), national 2024 table
THRESHOLDS = {
    "dead_missing": {1: 200, 2: 100, 3: 50, 4: 20},
    "relocated_or_needing_aid": {1: 200 * WAN, 2: 100 * WAN, 3: 50 * WAN, 4: 10 * WAN},
    "collapsed_severe_rooms": {1: 30 * WAN, 2: 20 * WAN, 3: 10 * WAN, 4: 1 * WAN},
    "collapsed_severe_households": {1: 10 * WAN, 2: 7 * WAN, 3: 3 * WAN, 4: 3000},
    "drought_aid_people": {1: 400 * WAN, 2: 300 * WAN, 3: 200 * WAN, 4: 100 * WAN},
}
CASES = [(cond, level, t) for cond, levels in THRESHOLDS.items() for level, t in levels.items()]


@pytest.mark.parametrize("condition, level, threshold", CASES)
def test_threshold_reached_at_the_number_itself(condition, level, threshold):
    result = relief_level(ReliefFigures(**{condition: threshold}))
    assert (result.level, result.label) == (level, LEVEL_LABELS[level])
    assert [c.code for c in result.conditions] == [condition]
    met = result.conditions[0]
    assert met.figure == threshold and met.threshold == threshold and met.level == level


@pytest.mark.parametrize("condition, level, threshold", CASES)
def test_one_below_the_threshold_is_the_next_lower_level(condition, level, threshold):
    result = relief_level(ReliefFigures(**{condition: threshold - 1}))
    expected = level + 1 if level < 4 else None
    assert result.level == expected
    if expected is None:
        assert result.label is None and result.conditions == []


# Drought share: needing aid / agricultural population, thresholds 30 / 25 / 20 / 15 %.
SHARES = {1: 30, 2: 25, 3: 20, 4: 15}


@pytest.mark.parametrize("level, pct", SHARES.items())
def test_drought_share_boundaries(level, pct):
    population = 1_000_000  # below the absolute drought thresholds whatever the share
    at = relief_level(ReliefFigures(drought_aid_people=pct * population // 100, agricultural_population=population))
    assert at.level == level and at.conditions[0].code == "drought_aid_share"
    below = relief_level(ReliefFigures(drought_aid_people=pct * population // 100 - 1,
                                       agricultural_population=population))
    assert below.level == (level + 1 if level < 4 else None)


def test_drought_share_is_exact_not_floating():
    # 3 of 20 = 15% exactly: 四级; 1 499 999 999 999 999 999 999 999 999 of 10^28 is just below 15%
    # although its quotient rounded to 28 significant digits would be 15.
    assert relief_level(ReliefFigures(drought_aid_people=3, agricultural_population=20)).level == 4
    people, population = 15 * 10**26 - 1, 10**28
    share = next(e for e in relief_level(ReliefFigures(drought_aid_people=people, agricultural_population=population),
                                         ReliefTable.from_dict({**LOCAL, "thresholds": {"4": {"drought_aid_share": 15}}})
                                         ).evaluations if e.code == "drought_aid_share")
    assert share.level is None


def test_share_is_skipped_without_agricultural_population():
    result = relief_level(ReliefFigures(drought_aid_people=50))
    share = next(e for e in result.evaluations if e.code == "drought_aid_share")
    assert share.figure is None and share.level is None and result.level is None


def test_any_one_condition_the_highest_level_wins_and_all_conditions_at_it_are_named():
    result = relief_level(ReliefFigures(dead_missing=25, relocated_or_needing_aid=60 * WAN,
                                        collapsed_severe_households=3 * WAN))
    assert result.level == 3
    assert [c.code for c in result.conditions] == ["relocated_or_needing_aid", "collapsed_severe_households"]
    dead = next(e for e in result.evaluations if e.code == "dead_missing")
    assert (dead.level, dead.next_level, dead.next_threshold, dead.gap) == (4, 3, 50, 25)


def test_nothing_met_gives_null_json():
    data = relief_level(ReliefFigures()).to_json()
    assert data == {"level": None, "label": None, "conditions": [], "table": "national-2024"}


def test_json_shape_of_a_met_condition():
    data = relief_level(ReliefFigures(dead_missing=200)).to_json()
    assert data["level"] == 1 and data["label"] == "一级"
    assert data["conditions"] == [{"code": "dead_missing", "name": "死亡和失踪", "unit": "人", "figure": 200,
                                   "level": 1, "label": "一级", "threshold": 200}]


@pytest.mark.parametrize("bad", [{"dead_missing": -1}, {"collapsed_severe_rooms": 1.5}, {"drought_aid_people": True}])
def test_bad_figures_are_refused_in_chinese(bad):
    with pytest.raises(ValueError, match="整数|负数"):
        ReliefFigures(**bad)


def test_national_table_is_registered_with_its_document_number():
    assert TABLES["national-2024"] is NATIONAL_2024
    assert NATIONAL_2024.document == "国办函〔2024〕11号"
    assert ReliefTable.from_dict(NATIONAL_2024.to_dict()) == NATIONAL_2024


LOCAL = {
    "code": "county-example", "name": "某县自然灾害救助应急响应", "document": "某县政办发〔2025〕2号",
    "thresholds": {
        "1": {"dead_missing": 10, "relocated_or_needing_aid": 5000, "collapsed_severe_rooms": 1000},
        "2": {"dead_missing": 5, "relocated_or_needing_aid": 2000, "collapsed_severe_rooms": 500},
        "3": {"dead_missing": 3, "relocated_or_needing_aid": 1000, "collapsed_severe_rooms": 200},
        "4": {"dead_missing": 1, "relocated_or_needing_aid": 200, "collapsed_severe_rooms": "50"},
    },
}


def test_a_local_table_entered_as_data():
    table = ReliefTable.from_dict(LOCAL)
    assert table.document == "某县政办发〔2025〕2号"
    assert relief_level(ReliefFigures(dead_missing=4), table).level == 3
    assert relief_level(ReliefFigures(dead_missing=5), table).level == 2
    assert relief_level(ReliefFigures(collapsed_severe_rooms=49), table).level is None
    assert relief_level(ReliefFigures(collapsed_severe_rooms=50), table).level == 4
    # conditions the local table does not name are not evaluated
    assert {e.code for e in relief_level(ReliefFigures(), table).evaluations} == {
        "dead_missing", "relocated_or_needing_aid", "collapsed_severe_rooms"}


@pytest.mark.parametrize("change, message", [
    ({"document": ""}, "文号"),
    ({"thresholds": {"5": {"dead_missing": 1}}}, "级别"),
    ({"thresholds": {"1": {"deaths": 1}}}, "未知的启动条件"),
    ({"thresholds": {"1": {"dead_missing": 1}, "2": {"dead_missing": 5}}}, "高于"),
    ({"thresholds": {"1": {"dead_missing": 0}}}, "正数"),
    ({"thresholds": {"1": {"drought_aid_share": 120}}}, "100%"),
    ({"thresholds": {}}, "至少"),
])
def test_invalid_local_tables_are_refused(change, message):
    with pytest.raises(ValueError, match=message):
        ReliefTable.from_dict({**LOCAL, **change})


def test_decimal_share_threshold_round_trips():
    table = ReliefTable.from_dict({**LOCAL, "thresholds": {"4": {"drought_aid_share": "12.5"}}})
    assert table.threshold(4, "drought_aid_share") == Decimal("12.5")
    assert table.to_dict()["thresholds"]["4"]["drought_aid_share"] == "12.5"
    assert relief_level(ReliefFigures(drought_aid_people=125, agricultural_population=1000), table).level == 4
    assert relief_level(ReliefFigures(drought_aid_people=124, agricultural_population=1000), table).level is None
