"""Tables 2–6 checked against a hand-typed copy (docs/rules.md §2), and the α / grade band boundaries."""

from decimal import Decimal
from fractions import Fraction

import pytest

from yingji.rules.gb18218 import UnknownCategoryError, alpha_for, categories, grade_for, lookup_category, table1
from yingji.rules.gb18218.tables import toxic_gas_betas

# Typed from the standard's Table 2 (Q) and Table 4 (β), docs/rules.md §2: symbol → (Q, β).
REFERENCE_T2_T4 = {
    "J1": ("5", "4"), "J2": ("50", "1"), "J3": ("50", "2"), "J4": ("50", "2"), "J5": ("500", "1"),
    "W1.1": ("1", "2"), "W1.2": ("10", "2"), "W1.3": ("50", "2"), "W2": ("10", "1.5"),
    "W3": ("150", "1"), "W4": ("50", "1"), "W5.1": ("10", "1.5"), "W5.2": ("50", "1"),
    "W5.3": ("1000", "1"), "W5.4": ("5000", "1"), "W6.1": ("10", "1.5"), "W6.2": ("50", "1"),
    "W7.1": ("10", "1.5"), "W7.2": ("50", "1"), "W8": ("50", "1"), "W9.1": ("50", "1"),
    "W9.2": ("200", "1"), "W10": ("200", "1"), "W11": ("200", "1"),
}

# Typed from §1.5 Table 3: name → (β, Table 1 row of that gas).
REFERENCE_T3 = {
    "一氧化碳": ("2", 13), "二氧化硫": ("2", 4), "氨": ("2", 1), "环氧乙烷": ("2", 7),
    "氯化氢": ("3", 11), "溴甲烷": ("3", 17), "氯": ("4", 12), "硫化氢": ("5", 10),
    "氟化氢": ("5", 20), "二氧化氮": ("10", 3), "氰化氢": ("10", 25), "碳酰氯": ("20", 6),
    "磷化氢": ("20", 9), "异氰酸甲酯": ("20", 30),
}


def test_table2_and_table4_match_reference():
    found = {s: (str(c.critical_quantity_t), str(c.beta)) for s, c in categories().items()}
    assert found == REFERENCE_T2_T4
    assert list(categories()) == list(REFERENCE_T2_T4)


def test_aerosol_quantity_is_net_weight():
    assert categories()["W3"].quantity_note == "净重"


def test_table3_matches_reference():
    found = {e.name: (str(e.beta), e.table1_row) for e in toxic_gas_betas()}
    assert found == REFERENCE_T3


def test_table3_rows_point_at_the_named_gas():
    for entry in toxic_gas_betas():
        chemical = table1()[entry.table1_row - 1]
        assert chemical.toxic_gas_beta == entry.beta
        if entry.name != "一氧化碳":
            assert chemical.name.startswith(entry.name)


def test_default_beta_categories_are_valid_symbols_and_absent_for_table3_gases():
    for chemical in table1():
        for symbol in chemical.beta_categories:
            assert symbol in categories(), (chemical.row, symbol)
        if chemical.toxic_gas_beta is not None:
            assert chemical.beta_categories == ()


@pytest.mark.parametrize(
    "people, alpha",
    [(0, "0.5"), (1, "1.0"), (29, "1.0"), (30, "1.2"), (49, "1.2"), (50, "1.5"), (99, "1.5"),
     (100, "2.0"), (100000, "2.0")],
)
def test_alpha_at_every_boundary(people, alpha):
    assert alpha_for(people) == Decimal(alpha)


@pytest.mark.parametrize("bad", [-1, 1.5, "x", True, None])
def test_alpha_rejects_non_counts(bad):
    with pytest.raises(ValueError, match=r"暴露人数(“.+”)?必须是非负整数"):
        alpha_for(bad)


@pytest.mark.parametrize(
    "r, grade, name",
    [
        (Fraction(0), 4, "四级"),
        (Fraction(999999, 100000), 4, "四级"),
        (Fraction(10), 3, "三级"),
        (Fraction(4999999, 100000), 3, "三级"),
        (Fraction(50), 2, "二级"),
        (Fraction(99999999, 1000000), 2, "二级"),
        (Fraction(100), 1, "一级"),
        (Decimal("100.0"), 1, "一级"),
        (Fraction(10**6), 1, "一级"),
    ],
)
def test_grade_bands_at_boundaries(r, grade, name):
    assert grade_for(r).number == grade
    assert grade_for(r).name == name


@pytest.mark.parametrize("text, symbol", [("W5.3", "W5.3"), ("ｗ５．３", "W5.3"), (" j4 ", "J4"),
                                          ("易燃气体", "W2"), ("气溶胶", "W3"), ("易燃固体", "W10")])
def test_category_lookup(text, symbol):
    assert lookup_category(text).symbol == symbol


def test_multi_symbol_class_asks_for_the_symbol():
    with pytest.raises(UnknownCategoryError, match=r"GB 18218-2018 表2 中没有类别“易燃液体”") as raised:
        lookup_category("易燃液体")
    assert [s.split()[0] for s in raised.value.suggestions] == ["W5.1", "W5.2", "W5.3", "W5.4"]


def test_unknown_category_suggests_symbols():
    with pytest.raises(UnknownCategoryError, match=r"GB 18218-2018 表2 中没有类别“W5”") as raised:
        lookup_category("W5")
    assert "W5.1" in raised.value.suggestions
    assert "表2 中没有类别“W5”" in str(raised.value)
