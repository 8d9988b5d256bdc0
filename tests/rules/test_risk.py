from decimal import Decimal
from itertools import product

import pytest

from yingji.rules.risk import (
    LEC_C, LEC_E, LEC_L, METHOD_LEC, METHOD_MATRIX, RISK_LEVELS, RiskBandSettings,
    assess_lec, assess_matrix, choices, highest_risk, lec_classic_band,
)

D = Decimal


def test_lec_tables_hold_exactly_the_reference_values_and_meanings():
    assert LEC_L == {D("10"): "完全可以预料", D("6"): "相当可能", D("3"): "可能，但不经常",
                     D("1"): "可能性小，完全意外", D("0.5"): "很不可能，可以设想",
                     D("0.2"): "极不可能", D("0.1"): "实际不可能"}
    assert LEC_E == {D("10"): "连续暴露", D("6"): "每天工作时间内暴露",
                     D("3"): "每周一次，或偶然暴露", D("2"): "每月一次暴露",
                     D("1"): "每年几次暴露", D("0.5"): "非常罕见地暴露"}
    assert LEC_C == {D("100"): "大灾难，许多人死亡", D("40"): "灾难，数人死亡",
                     D("15"): "非常严重，一人死亡", D("7"): "严重，重伤", D("3"): "重大，致残",
                     D("1"): "引人注目，需要救护"}


def test_four_levels_map_to_names_and_colours():
    assert [(i.level, i.name, i.colour) for i in RISK_LEVELS.values()] == [
        (1, "重大风险", "红色"), (2, "较大风险", "橙色"), (3, "一般风险", "黄色"), (4, "低风险", "蓝色")]


@pytest.mark.parametrize("l, e, c, score, level", [
    (10, 10, 100, D("10000"), 1),
    (3, 6, 40, D("720"), 1),
    (6, 6, 15, D("540"), 1),
    (3, 6, 15, D("270"), 2),
    (10, 6, 3, D("180"), 2),
    (1, 10, 15, D("150"), 3),
    ("0.5", 6, 40, D("120"), 3),
    (1, 10, 7, D("70"), 4),       # the reachable cut point: D≤70 is 蓝 by default
    (3, 3, 7, D("63"), 4),
    (1, 2, 1, D("2"), 4),
    ("0.1", "0.5", 1, D("0.05"), 4),
])
def test_lec_scores_and_default_levels(l, e, c, score, level):
    a = assess_lec(l, e, c)
    assert a.method == METHOD_LEC
    assert a.score == score
    assert a.level == level
    info = RISK_LEVELS[level]
    assert (a.level_name, a.colour, a.colour_hex, a.colour_code) == (
        info.name, info.colour, info.colour_hex, info.colour_code)


def test_lec_every_combination_is_graded_by_the_default_bands():
    for l, e, c in product(LEC_L, LEC_E, LEC_C):
        d = l * e * c
        expected = 1 if d > 320 else 2 if d > 160 else 3 if d > 70 else 4
        assert assess_lec(l, e, c).level == expected, (l, e, c)


def test_lec_default_boundaries_belong_to_the_lower_band():
    bands = RiskBandSettings().lec_bands()
    by_level = {b.label: b for b in bands}
    assert by_level[1].contains(D("320.01")) and not by_level[1].contains(D(320))
    assert by_level[2].contains(D(320)) and not by_level[2].contains(D(160))
    assert by_level[3].contains(D(160)) and not by_level[3].contains(D(70))
    assert by_level[4].contains(D(70))


def test_lec_cut_owner_higher_moves_the_boundary_value_up():
    settings = RiskBandSettings(lec_cut_owner="higher")
    assert assess_lec(1, 10, 7, settings).level == 3  # 70 ≤ D < 160
    by_level = {b.label: b for b in settings.lec_bands()}
    assert by_level[1].contains(D(320)) and by_level[2].contains(D(160))


def test_lec_custom_cuts():
    settings = RiskBandSettings(lec_cuts=(D(400), D(200), D(100)))
    assert assess_lec(3, 6, 15, settings).level == 2   # 270
    assert assess_lec(3, 6, 40, settings).level == 1   # 720
    assert assess_lec(1, 10, 7, settings).level == 4   # 70


def test_lec_reason_names_formula_band_and_level():
    a = assess_lec(3, 6, 15)
    assert a.reason == "D = L×E×C = 3×6×15 = 270，160<D≤320，判定为较大风险（橙色）"
    assert assess_lec(10, 10, 100).reason.endswith("D>320，判定为重大风险（红色）")
    assert assess_lec(1, 10, 7).reason == "D = L×E×C = 1×10×7 = 70，D≤70，判定为低风险（蓝色）"
    assert a.factors == (("L", D(3), "可能，但不经常"), ("E", D(6), "每天工作时间内暴露"),
                         ("C", D(15), "非常严重，一人死亡"))


def test_lec_accepts_equivalent_numeric_forms():
    for l in (0.5, "0.5", D("0.50"), "0.5 "):
        assert assess_lec(l, 6, 40).score == D(120)


@pytest.mark.parametrize("l, e, c, fragment", [
    (2, 6, 15, "L（事故发生的可能性）取值 2 不在标准取值表中"),
    (3, 4, 15, "E（暴露于危险环境的频繁程度）取值 4 不在标准取值表中"),
    (3, 6, 20, "C（发生事故可能造成的后果）取值 20 不在标准取值表中"),
    (0, 6, 15, "不在标准取值表中"),
    (-3, 6, 15, "不在标准取值表中"),
    ("abc", 6, 15, "必须是数值"),
    (None, 6, 15, "必须是数值"),
    (True, 6, 15, "必须是数值"),
    ("NaN", 6, 15, "有限数值"),
    (float("inf"), 6, 15, "有限数值"),
])
def test_lec_rejects_values_outside_the_tables(l, e, c, fragment):
    with pytest.raises(ValueError, match=fragment):
        assess_lec(l, e, c)


def test_lec_error_lists_allowed_values():
    with pytest.raises(ValueError, match="允许：10、6、3、1、0.5、0.2、0.1"):
        assess_lec(4, 6, 15)


def test_classic_five_bands():
    assert lec_classic_band(D(321)) == "极其危险，不能继续作业"
    assert lec_classic_band(D(320)) == "高度危险，需立即整改"
    assert lec_classic_band(D(160)) == "显著危险，需要整改"
    assert lec_classic_band(D(70)) == "一般危险，需要注意"
    assert lec_classic_band(D(20)) == "稍有危险，可以接受"
    assert lec_classic_band(D("20.1")) == "一般危险，需要注意"


@pytest.mark.parametrize("likelihood, severity, score, level", [
    (5, 5, 25, 1), (4, 5, 20, 1), (5, 4, 20, 1),
    (4, 4, 16, 2), (3, 5, 15, 2), (5, 3, 15, 2),
    (3, 4, 12, 3), (2, 5, 10, 3), (3, 3, 9, 3),
    (2, 4, 8, 4), (2, 3, 6, 4), (1, 5, 5, 4), (1, 1, 1, 4),
])
def test_matrix_default_bands(likelihood, severity, score, level):
    a = assess_matrix(likelihood, severity)
    assert (a.method, a.score, a.level) == (METHOD_MATRIX, D(score), level)


def test_matrix_every_cell_is_graded_20_15_9():
    for lv, sv in product(range(1, 6), repeat=2):
        r = lv * sv
        expected = 1 if r >= 20 else 2 if r >= 15 else 3 if r >= 9 else 4
        assert assess_matrix(lv, sv).level == expected


def test_matrix_alternative_banding_from_settings():
    # 1–3 蓝 / 4–9 黄 / 10–16 橙 / 20–25 红
    settings = RiskBandSettings(matrix_cuts=(D(20), D(10), D(4)))
    assert [assess_matrix(1, r, settings).level for r in (3, 4)] == [4, 3]
    assert [assess_matrix(3, 3, settings).level, assess_matrix(2, 5, settings).level] == [3, 2]
    assert assess_matrix(4, 4, settings).level == 2
    assert assess_matrix(4, 5, settings).level == 1


def test_matrix_reason():
    assert assess_matrix(3, 3).reason == "R = L×S = 3×3 = 9，9≤R<15，判定为一般风险（黄色）"
    assert assess_matrix(5, 4).reason == "R = L×S = 5×4 = 20，R≥20，判定为重大风险（红色）"


@pytest.mark.parametrize("likelihood, severity", [
    (0, 3), (6, 3), (3, 0), (3, 6), (2.5, 3), ("x", 3), (True, 3), (3, None)])
def test_matrix_rejects_invalid_values(likelihood, severity):
    with pytest.raises(ValueError, match="只能为 1、2、3、4、5 之一|必须是数值"):
        assess_matrix(likelihood, severity)


def test_matrix_accepts_integral_strings():
    assert assess_matrix("4", "5").score == D(20)


@pytest.mark.parametrize("kwargs, message", [
    ({"lec_cuts": (D(160), D(320), D(70))}, "风险分级界限必须为三个递减的正数"),
    ({"lec_cuts": (D(320), D(160), D(0))}, "风险分级界限必须为三个递减的正数"),
    ({"lec_cuts": (D(320), D(160))}, "风险分级界限必须为三个递减的正数"),
    ({"matrix_cuts": (D(15), D(15), D(9))}, "风险分级界限必须为三个递减的正数"),
    ({"lec_cut_owner": "both"}, "分级界限归属只能为 lower"),
])
def test_settings_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RiskBandSettings(**kwargs)


def test_highest_risk_takes_the_most_severe():
    low = assess_matrix(1, 1)
    general = assess_lec(1, 10, 15)
    major = assess_matrix(5, 5)
    assert highest_risk([low, general, major, low]) is major
    assert highest_risk([low, general]) is general
    assert highest_risk([]) is None


def test_highest_risk_tie_keeps_the_first():
    first, second = assess_lec(3, 6, 15), assess_matrix(4, 4)
    assert highest_risk([first, second]) is first


def test_choices_for_forms():
    assert choices(LEC_E)[0] == ("10", "10 — 连续暴露")
    assert choices(LEC_L)[-1] == ("0.1", "0.1 — 实际不可能")
