from decimal import Decimal

import pytest

from yingji.rules.accident import GRADE_NAMES, format_yuan, grade_accident, parse_yuan, wan_yuan

WAN = 10_000
YI = 100_000_000


@pytest.mark.parametrize("deaths, level", [
    (0, 4), (1, 4), (2, 4), (3, 3), (9, 3), (10, 2), (29, 2), (30, 1), (31, 1), (1000, 1),
])
def test_deaths_boundaries(deaths, level):
    result = grade_accident(deaths, 0, 0)
    assert result.level == level
    assert result.grade == GRADE_NAMES[level]
    assert result.criterion_levels["deaths"] == level


@pytest.mark.parametrize("injuries, level", [
    (0, 4), (9, 4), (10, 3), (49, 3), (50, 2), (99, 2), (100, 1), (101, 1),
])
def test_serious_injury_boundaries(injuries, level):
    result = grade_accident(0, injuries, 0)
    assert result.level == level
    assert result.criterion_levels["serious_injuries"] == level


@pytest.mark.parametrize("loss, level", [
    (0, 4),
    (1000 * WAN - 1, 4), (1000 * WAN, 3),
    (5000 * WAN - 1, 3), (5000 * WAN, 2),
    (YI - 1, 2), (YI, 1),
    ("9999999.99", 4), ("10000000.00", 3), ("49999999.99", 3), ("99999999.99", 2),
    (Decimal("100000000"), 1), (Decimal("1E+8"), 1), (" 50000000 ", 2),
])
def test_direct_loss_boundaries(loss, level):
    result = grade_accident(0, 0, loss)
    assert result.level == level
    assert result.criterion_levels["direct_loss_yuan"] == level


@pytest.mark.parametrize("deaths, injuries, loss, level, triggering", [
    (2, 10, 0, 3, ["serious_injuries"]),
    (3, 50, 0, 2, ["serious_injuries"]),
    (10, 10, 1000 * WAN, 2, ["deaths"]),
    (1, 9, YI, 1, ["direct_loss_yuan"]),
    (29, 99, YI - 1, 2, ["deaths", "serious_injuries", "direct_loss_yuan"]),
    (3, 10, 1000 * WAN, 3, ["deaths", "serious_injuries", "direct_loss_yuan"]),
    (30, 0, 5000 * WAN, 1, ["deaths"]),
    (0, 0, 0, 4, ["deaths", "serious_injuries", "direct_loss_yuan"]),
])
def test_most_severe_criterion_wins_and_triggering_criteria_are_named(
        deaths, injuries, loss, level, triggering):
    result = grade_accident(deaths, injuries, loss)
    assert result.level == level
    named = [code for code, lvl in result.criterion_levels.items() if lvl == level]
    assert named == triggering
    assert len(result.reasons) == len(triggering)


def test_reason_wording_for_deaths():
    assert grade_accident(3, 0, 0).reasons == ["死亡3人，达到较大事故标准（3人以上10人以下）"]


@pytest.mark.parametrize("deaths, injuries, loss, reason", [
    (10, 0, 0, "死亡10人，达到重大事故标准（10人以上30人以下）"),
    (30, 0, 0, "死亡30人，达到特别重大事故标准（30人以上）"),
    (0, 10, 0, "重伤（含急性工业中毒）10人，达到较大事故标准（10人以上50人以下）"),
    (0, 100, 0, "重伤（含急性工业中毒）100人，达到特别重大事故标准（100人以上）"),
    (0, 0, 1000 * WAN, "直接经济损失1000万元，达到较大事故标准（1000万元以上5000万元以下）"),
    (0, 0, 5000 * WAN, "直接经济损失5000万元，达到重大事故标准（5000万元以上1亿元以下）"),
    (0, 0, YI, "直接经济损失1亿元，达到特别重大事故标准（1亿元以上）"),
])
def test_reason_wording_per_criterion(deaths, injuries, loss, reason):
    assert grade_accident(deaths, injuries, loss).reasons == [reason]


def test_zero_everything_is_still_a_general_accident():
    result = grade_accident(0, 0, "0")
    assert result.to_json() == {
        "grade": "一般事故",
        "level": 4,
        "reasons": [
            "死亡0人，属于一般事故（3人以下）",
            "重伤（含急性工业中毒）0人，属于一般事故（10人以下）",
            "直接经济损失0元，属于一般事故（1000万元以下）",
        ],
    }


def test_to_json_has_exactly_the_public_keys():
    assert set(grade_accident(5, 0, 0).to_json()) == {"grade", "level", "reasons"}


def test_to_json_reasons_is_a_copy():
    result = grade_accident(5, 0, 0)
    result.to_json()["reasons"].append("x")
    assert result.reasons == ["死亡5人，达到较大事故标准（3人以上10人以下）"]


@pytest.mark.parametrize("args, message", [
    ((-1, 0, 0), "死亡人数不能为负数"),
    ((0, -1, 0), "重伤人数不能为负数"),
    ((0, 0, -1), "直接经济损失不能为负数"),
    ((0, 0, "-0.01"), "直接经济损失不能为负数"),
    ((0, 0, Decimal("-5")), "直接经济损失不能为负数"),
])
def test_negative_values_raise_chinese_value_error(args, message):
    with pytest.raises(ValueError, match=message):
        grade_accident(*args)


@pytest.mark.parametrize("args", [
    (2.0, 0, 0), (0, "3", 0), (True, 0, 0), (0, None, 0),
])
def test_non_integer_counts_are_refused(args):
    with pytest.raises(ValueError, match="必须为整数"):
        grade_accident(*args)


@pytest.mark.parametrize("loss", [1e7, "1千万", "", "NaN", Decimal("Infinity"), None, True])
def test_malformed_or_float_loss_is_refused(loss):
    with pytest.raises(ValueError, match="直接经济损失"):
        grade_accident(0, 0, loss)


def test_parse_yuan_keeps_exact_decimal():
    assert parse_yuan("9999999.99") == Decimal("9999999.99")
    assert parse_yuan(10) == Decimal(10)


@pytest.mark.parametrize("amount, text", [
    (Decimal(0), "0元"),
    (Decimal(500), "500元"),
    (Decimal("9999999.99"), "9999999.99元"),
    (Decimal(10 * WAN), "10万元"),
    (Decimal(1000 * WAN), "1000万元"),
    (Decimal(YI), "1亿元"),
    (Decimal(3 * YI), "3亿元"),
    (Decimal(15000 * WAN), "15000万元"),
    (Decimal("1E+8"), "1亿元"),
])
def test_format_yuan(amount, text):
    assert format_yuan(amount) == text


def test_losses_are_stated_in_wan_yuan_to_two_decimals():
    assert wan_yuan(Decimal("3500000")) == "350万元"
    assert wan_yuan("12345.67") == "1.23万元"
    assert wan_yuan(0) == "0万元"
