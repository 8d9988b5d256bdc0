"""S (identification) and R (grading) with exact arithmetic at every threshold."""

from decimal import Decimal
from fractions import Fraction

import pytest

from yingji.rules.gb18218 import (
    BetaChoice,
    ChemicalQuantity,
    GradingSettings,
    Unit,
    grade_installation,
    identify_unit,
)

named = ChemicalQuantity.named
of_category = ChemicalQuantity.of_category


@pytest.mark.parametrize(
    "quantity, s, major",
    [("499.999", "0.999998", False), ("500", "1.000000", True), ("500.001", "1.000002", True)],
)
def test_single_chemical_s_boundary(quantity, s, major):
    result = identify_unit([named("甲醇", quantity)])
    assert result.s == Decimal(s)
    assert result.is_major_hazard is major


def test_s_just_below_one_is_truncated_not_rounded_up():
    result = identify_unit([named("甲醇", "499.9999999")])
    assert result.s_exact == Fraction(4999999999, 5000000000)
    assert result.s == Decimal("0.999999")
    assert not result.is_major_hazard


def test_thirds_sum_to_exactly_one():
    # 0.1 t 碳酰氯 (Q 0.3 t) three times: 1/3 + 1/3 + 1/3 = 1, a major hazard source.
    result = identify_unit([named("光气", "0.1") for _ in range(3)])
    assert result.s_exact == 1
    assert result.is_major_hazard


def test_mixture_of_table1_and_table2_chemicals():
    # 甲醇 250/500 + W5.3 solvent 500/1000 = 1.
    result = identify_unit([named("甲醇", 250), of_category(["W5.3"], 500, label="稀释剂")])
    assert result.s_exact == 1
    assert result.is_major_hazard
    methanol, solvent = result.chemicals
    assert (methanol.critical_quantity_t, methanol.q_source) == (Decimal(500), "表1第65项")
    assert (solvent.critical_quantity_t, solvent.q_source) == (Decimal(1000), "表2 W5.3")


def test_table1_q_wins_over_a_given_category():
    result = identify_unit([named("甲醇", 500, categories=["W5.3"])])
    assert result.chemicals[0].critical_quantity_t == Decimal(500)
    assert result.is_major_hazard


def test_several_table2_categories_use_the_lowest_q():
    result = identify_unit([of_category(["W5.4", "J3"], 25)])
    assert result.chemicals[0].critical_quantity_t == Decimal(50)
    assert result.chemicals[0].q_source == "表2 J3"
    assert result.s_exact == Fraction(1, 2)


def test_toxic_gas_beta_comes_from_table3_even_with_a_category():
    chemical = identify_unit([named("液氯", 1, categories=["W4"])]).chemicals[0]
    assert chemical.beta == Decimal(4)
    assert chemical.beta_source == "表3 氯"
    assert chemical.beta_category is None


def test_coal_gas_takes_the_carbon_monoxide_beta():
    chemical = identify_unit([named("一氧化碳", 1)]).chemicals[0]
    assert (chemical.table1_row, chemical.critical_quantity_t, chemical.beta) == (13, Decimal(20), Decimal(2))


def test_table1_chemical_outside_table3_uses_its_default_category():
    chemical = identify_unit([named("液化石油气", 10)]).chemicals[0]
    assert (chemical.beta, chemical.beta_category) == (Decimal("1.5"), "W2")
    assert "项目推定" in chemical.beta_source


def test_beta_choice_maximum_versus_primary_for_table2_chemical():
    # W2: Q 10, β 1.5 (gives Q); W1.3: Q 50, β 2.
    item = of_category(["W1.3", "W2"], 10)
    maximum = identify_unit([item]).chemicals[0]
    primary = identify_unit([item], GradingSettings(beta_choice=BetaChoice.PRIMARY)).chemicals[0]
    assert maximum.critical_quantity_t == primary.critical_quantity_t == Decimal(10)
    assert (maximum.beta, maximum.beta_category) == (Decimal(2), "W1.3")
    assert (primary.beta, primary.beta_category) == (Decimal("1.5"), "W2")
    assert "取最大β" in maximum.beta_source and "取主类别β" in primary.beta_source


def test_beta_choice_for_table1_chemical_with_overridden_categories():
    item = named("甲醇", 100, categories=["W5.3", "W5.1"])
    assert identify_unit([item]).chemicals[0].beta == Decimal("1.5")
    primary = GradingSettings(beta_choice="primary")
    assert identify_unit([item], primary).chemicals[0].beta == Decimal(1)


def test_chemical_without_any_category_uses_the_setting():
    default = identify_unit([named("三氧化硫", 75)]).chemicals[0]
    assert default.beta == Decimal(1)
    assert default.beta_category is None
    changed = identify_unit([named("三氧化硫", 75)], GradingSettings(beta_without_category=Decimal(2)))
    assert changed.chemicals[0].beta == Decimal(2)


def grade_one(chemicals, people):
    return grade_installation([Unit("单元", chemicals)], people)


@pytest.mark.parametrize(
    "quantity, r, grade",
    [
        # 液氯: Q 5, β 4; 0 people → α 0.5: R = 0.5·4·q/5 = 0.4·q
        ("24.999999", "9.999999", 4),  # S ≥ 1, so graded
        ("25", "10", 3),
        ("124.999999", "49.999999", 3),
        ("125", "50", 2),
        ("249.999999", "99.999999", 2),
        ("250", "100", 1),
    ],
)
def test_r_band_boundaries_chlorine(quantity, r, grade):
    result = grade_one([named("氯", quantity)], 0)
    assert result.alpha == Decimal("0.5")
    assert result.r.normalize() == Decimal(r).normalize()
    assert result.grade.number == grade


@pytest.mark.parametrize("quantity, grade", [("0.625", 2), ("1.25", 1)])
def test_r_boundaries_exact_with_q_of_0_3(quantity, grade):
    # 碳酰氯: Q 0.3, β 20; 30 people → α 1.2: R = 1.2·20·q/0.3 = 80·q → exactly 50 / 100.
    result = grade_one([named("碳酰氯", quantity)], 30)
    assert result.r_exact == 80 * Fraction(Decimal(quantity))
    assert result.r_exact in (50, 100)
    assert result.grade.number == grade


def test_float_arithmetic_would_miss_s_equal_one():
    # The reason for exact arithmetic: 0.7 + 0.2 + 0.1 in binary floats is below 1.
    assert 0.7 / 1 + 0.2 / 1 + 0.1 / 1 < 1
    result = identify_unit([named("氟", 0.7), named("二氧化氮", 0.2), named("磷化氢", 0.1)])
    assert result.s_exact == 1
    assert result.is_major_hazard


@pytest.mark.parametrize("people, alpha", [(0, "0.5"), (1, "1.0"), (29, "1.0"), (30, "1.2"),
                                           (49, "1.2"), (50, "1.5"), (99, "1.5"), (100, "2.0")])
def test_alpha_applies_to_r(people, alpha):
    result = grade_one([named("甲醇", 500)], people)
    assert result.alpha == Decimal(alpha)
    assert result.r_exact == Fraction(Decimal(alpha))


def test_worked_example_tank_farm():
    # Built from the tables (no published worked example was found; docs/rules.md §2):
    # 液氨 20 t (Q 10, β 2) + 甲醇 1000 t (Q 500, β 1) + LPG 100 t (Q 50, β 1.5),
    # 60 people → α 1.5. S = 2 + 2 + 2 = 6; R = 1.5·(4 + 2 + 3) = 13.5 → 三级.
    result = grade_one([named("液氨", 20), named("甲醇", 1000), named("液化石油气", 100)], 60)
    unit = result.units[0]
    assert unit.identification.s_exact == 6
    assert unit.r_exact == Fraction(27, 2)
    assert unit.grade.number == 3 and unit.grade.name == "三级"
    assert [c.beta for c in unit.identification.chemicals] == [Decimal(2), Decimal(1), Decimal("1.5")]


def test_non_major_unit_has_r_but_no_grade():
    result = grade_one([named("碳酰氯", "0.29")], 200)
    unit = result.units[0]
    assert not unit.is_major_hazard
    assert unit.r_exact == 2 * 20 * Fraction(29, 30)
    assert unit.grade is None
    assert (result.is_major_hazard, result.r, result.grade, result.governing_unit) == (False, None, None, None)


def test_governing_unit_is_the_major_unit_with_the_largest_r():
    units = [
        Unit("光气库", (named("碳酰氯", "0.29"),)),  # not major, R = 38.67
        Unit("甲醇罐", (named("甲醇", 600),)),  # major, R = 1.2
        Unit("液氯库", (named("液氯", 5),)),  # major, R = 4
    ]
    result = grade_installation(units, 1)
    assert result.is_major_hazard
    assert result.governing_unit == "液氯库"
    assert result.r_exact == 4
    assert result.grade.number == 4
    assert result.s_exact == Fraction(6, 5)  # the largest unit S
    assert [u.grade.number if u.grade else None for u in result.units] == [None, 4, 4]


def test_result_records_settings():
    settings = GradingSettings(beta_choice=BetaChoice.PRIMARY, decimal_places=2)
    result = grade_installation([Unit("U", (named("光气", "0.1"),))], 0, settings)
    assert result.settings is settings
    assert result.units[0].identification.s == Decimal("0.33")


@pytest.mark.parametrize("quantity, message", [("-1", "数量“-1”必须是非负有限数"), ("NaN", "数量“NaN”必须是非负有限数"),
                                              ("Infinity", "数量“Infinity”必须是非负有限数"),
                                              ("abc", "数量“abc”不是有效数字"), (True, "数量必须是数字")])
def test_invalid_quantity_is_rejected(quantity, message):
    with pytest.raises(ValueError, match=message):
        named("甲醇", quantity)


def test_unclassified_unknown_chemical_is_rejected():
    with pytest.raises(ValueError, match=r"不在表1 的危险化学品必须给出表2 类别"):
        ChemicalQuantity(quantity_t=Decimal(1))


def test_installation_needs_unique_unit_names():
    with pytest.raises(ValueError, match=r"单元名称不能重复"):
        grade_installation([Unit("A", ()), Unit("A", ())], 0)
    with pytest.raises(ValueError, match=r"至少需要一个单元"):
        grade_installation([], 0)


def test_empty_unit_is_not_a_major_hazard():
    result = grade_installation([Unit("空罐区", ())], 10)
    assert result.units[0].identification.s_exact == 0
    assert not result.is_major_hazard
