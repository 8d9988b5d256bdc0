"""Table 1: the data file checked against a second, hand-typed copy, and every lookup path."""

import csv
import unicodedata
from decimal import Decimal
from pathlib import Path

import pytest

from yingji.rules.gb18218 import (
    AmbiguousChemicalError,
    SharedKeyPolicy,
    UnknownChemicalError,
    lookup_chemical,
    resolve_chemical,
    table1,
)
from yingji.rules.gb18218.lookup import shared_keys
from yingji.rules.gb18218.normalize import cas_check_digit_ok

DATA = Path(__file__).resolve().parents[3] / "yingji" / "rules" / "gb18218" / "data" / "table1.csv"

# Typed by hand from the standard's Table 1 (序号, name without specification, Q in t);
# source and confidence: docs/rules.md §2.1.
REFERENCE_Q = [
    (1, "氨", "10"), (2, "二氟化氧", "1"), (3, "二氧化氮", "1"), (4, "二氧化硫", "20"),
    (5, "氟", "1"), (6, "碳酰氯", "0.3"), (7, "环氧乙烷", "10"), (8, "甲醛", "5"),
    (9, "磷化氢", "1"), (10, "硫化氢", "5"), (11, "氯化氢", "20"), (12, "氯", "5"),
    (13, "煤气", "20"), (14, "砷化氢", "1"), (15, "锑化氢", "1"), (16, "硒化氢", "1"),
    (17, "溴甲烷", "10"), (18, "丙酮氰醇", "20"), (19, "丙烯醛", "20"), (20, "氟化氢", "1"),
    (21, "1-氯-2,3-环氧丙烷", "20"), (22, "3-溴-1,2-环氧丙烷", "20"), (23, "甲苯二异氰酸酯", "100"),
    (24, "一氯化硫", "1"), (25, "氰化氢", "1"), (26, "三氧化硫", "75"), (27, "3-氨基丙烯", "20"),
    (28, "溴", "20"), (29, "乙撑亚胺", "20"), (30, "异氰酸甲酯", "0.75"), (31, "叠氮化钡", "0.5"),
    (32, "叠氮化铅", "0.5"), (33, "雷汞", "0.5"), (34, "三硝基苯甲醚", "5"),
    (35, "2,4,6-三硝基甲苯", "5"), (36, "硝化甘油", "1"), (37, "硝化纤维素", "1"),
    (38, "硝化纤维素", "1"), (39, "硝化纤维素", "10"), (40, "硝化纤维素", "50"),
    (41, "硝化纤维素", "50"), (42, "硝化纤维素溶液", "50"), (43, "硝酸铵", "5"),
    (44, "硝酸铵", "50"), (45, "硝酸铵肥料", "200"), (46, "硝酸钾", "1000"), (47, "1,3-丁二烯", "5"),
    (48, "二甲醚", "50"), (49, "甲烷，天然气", "50"), (50, "氯乙烯", "50"), (51, "氢", "5"),
    (52, "液化石油气", "50"), (53, "一甲胺", "5"), (54, "乙炔", "1"), (55, "乙烯", "50"),
    (56, "氧", "200"), (57, "苯", "50"), (58, "苯乙烯", "500"), (59, "丙酮", "500"),
    (60, "2-丙烯腈", "50"), (61, "二硫化碳", "50"), (62, "环己烷", "500"), (63, "1,2-环氧丙烷", "10"),
    (64, "甲苯", "500"), (65, "甲醇", "500"), (66, "汽油", "200"), (67, "乙醇", "500"),
    (68, "乙醚", "10"), (69, "乙酸乙酯", "500"), (70, "正己烷", "500"), (71, "过乙酸", "10"),
    (72, "过氧化甲基乙基酮", "10"), (73, "白磷", "50"), (74, "烷基铝", "1"), (75, "戊硼烷", "1"),
    (76, "过氧化钾", "20"), (77, "过氧化钠", "20"), (78, "氯酸钾", "100"), (79, "氯酸钠", "100"),
    (80, "发烟硝酸", "20"), (81, "硝酸", "100"), (82, "硝酸胍", "50"), (83, "碳化钙", "100"),
    (84, "钾", "1"), (85, "钠", "10"),
]

# Typed from §1.3: rows whose CAS cell lists these numbers.
REFERENCE_CAS = {
    1: ["7664-41-7"], 6: ["75-44-5"], 12: ["7782-50-5"], 13: [], 37: ["9004-70-0"],
    43: ["6484-52-2"], 45: [], 49: ["74-82-8", "8006-14-2"], 52: ["68476-85-7", "74-98-6", "106-97-8"],
    65: ["67-56-1"], 66: ["86290-81-5"], 74: [], 85: ["7440-23-5"],
}


REFERENCE_Q_BY_ROW = {row: Decimal(q) for row, _, q in REFERENCE_Q}


def data_rows():
    with DATA.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_table1_has_85_rows_in_order():
    assert [c.row for c in table1()] == list(range(1, 86))
    assert len(data_rows()) == 85


@pytest.mark.parametrize("row, name, q", REFERENCE_Q)
def test_critical_quantity_matches_reference(row, name, q):
    chemical = table1()[row - 1]
    assert chemical.row == row
    assert chemical.name.startswith(name)
    assert chemical.critical_quantity_t == Decimal(q)


@pytest.mark.parametrize("row, cas_numbers", sorted(REFERENCE_CAS.items()))
def test_cas_numbers_match_reference(row, cas_numbers):
    assert list(table1()[row - 1].cas_numbers) == cas_numbers


def test_every_cas_check_digit_is_valid():
    for chemical in table1():
        for cas in chemical.cas_numbers:
            assert cas_check_digit_ok(cas), (chemical.row, cas)


def test_cas_check_digit_rejects_a_typo():
    assert cas_check_digit_ok("7782-50-5")
    assert not cas_check_digit_ok("7782-50-4")


def test_only_rows_13_45_74_have_no_cas():
    assert [c.row for c in table1() if not c.cas_numbers] == [13, 45, 74]


@pytest.mark.parametrize("record", data_rows(), ids=lambda r: r["row"])
def test_every_row_resolves_by_its_full_name(record):
    chemical = lookup_chemical(record["name"])
    assert chemical.row == int(record["row"])
    assert chemical.critical_quantity_t == REFERENCE_Q_BY_ROW[chemical.row]


@pytest.mark.parametrize("record", data_rows(), ids=lambda r: r["row"])
def test_every_row_resolves_by_its_name_in_ascii_brackets_and_spaces(record):
    variant = unicodedata.normalize("NFKC", record["name"]).replace("[", "【").replace("]", "】")
    assert lookup_chemical(f"  {variant} ").row == int(record["row"])


CAS_CASES = [
    (int(c.row), cas) for c in table1() for cas in c.cas_numbers
]


@pytest.mark.parametrize("row, cas", CAS_CASES)
def test_every_cas_resolves_or_is_reported_shared(row, cas):
    if cas in ("9004-70-0", "6484-52-2"):
        with pytest.raises(AmbiguousChemicalError, match=f"“{cas}”对应表1多项") as raised:
            lookup_chemical(cas)
        assert any(f"第{row}项" in s for s in raised.value.unresolved[0].suggestions)
    else:
        chemical = lookup_chemical(cas)
        assert chemical.row == row
        assert chemical.critical_quantity_t == REFERENCE_Q_BY_ROW[row]


def test_cas_with_full_width_digits_and_dash():
    assert lookup_chemical("７７８２－５０－５").row == 12
    assert lookup_chemical("7782–50–5").row == 12


@pytest.mark.parametrize(
    "alias, row",
    [
        ("液氨", 1), ("氨气", 1), ("光气", 6), ("蚁醛", 8), ("膦", 9), ("液氯", 12), ("氯气", 12),
        ("胂", 14), ("砷化三氢", 14), ("TDI", 23), ("tdi", 23), ("ＴＮＴ", 35), ("梯恩梯", 35),
        ("环氧氯丙烷", 21), ("3-氯-1,2-环氧丙烷", 21), ("电石气", 54), ("液氧", 56), ("氧气", 56),
        ("丙烯腈", 60), ("木精", 65), ("酒精", 67), ("己烷", 70), ("黄磷", 73), ("电石", 83),
        ("金属钠", 85), ("硝化棉溶液", 42), ("石油气（液化的）", 52), ("石油气", 52),
        ("甲烷", 49), ("天然气", 49), ("丙烷", 52), ("丁烷", 52), ("一氧化碳", 13), ("CO", 13),
        ("乙醇汽油", 66), ("汽油", 66), ("丁二烯", 47),
    ],
)
def test_aliases_resolve(alias, row):
    assert lookup_chemical(alias).row == row


def test_only_known_keys_are_shared_between_rows():
    assert shared_keys() == {
        "硝化纤维素": (37, 38, 39, 40, 41),
        "硝化棉": (37, 38, 39, 40, 41),
        "9004-70-0": (37, 38, 39, 40, 41, 42),
        "硝酸铵": (43, 44),
        "6484-52-2": (43, 44),
    }


@pytest.mark.parametrize(
    "spec_name, row",
    [
        ("硝化纤维素[干的或含水(或乙醇)<25%]", 37),
        ("硝化纤维素（含乙醇>=25%）", 39),
        ("硝化纤维素(含氮≤12.6%)", 40),
        ("硝化纤维素（含水≥25%）", 41),
        ("硝酸铵（含可燃物≤0.2%）", 44),
        ("硝酸铵肥料", 45),
    ],
)
def test_shared_cas_rows_resolve_by_name_with_specification(spec_name, row):
    assert lookup_chemical(spec_name).row == row


def test_shared_name_is_ambiguous_by_default():
    with pytest.raises(AmbiguousChemicalError, match=r"未能确定以下危险化学品：“硝酸铵”对应表1多项") as raised:
        lookup_chemical("硝酸铵")
    assert raised.value.unresolved[0].ambiguous
    assert "请写明规格" in str(raised.value)
    assert "第43项" in str(raised.value) and "第44项" in str(raised.value)


def test_shared_key_lowest_q_policy_takes_the_smallest_q_and_says_so():
    resolution = resolve_chemical("9004-70-0", SharedKeyPolicy.LOWEST_Q)
    assert resolution.chemical.row == 37
    assert resolution.chemical.critical_quantity_t == Decimal("1")
    assert "第37项" in resolution.note
    resolution = resolve_chemical("硝酸铵", SharedKeyPolicy.LOWEST_Q)
    assert resolution.chemical.row == 43


def test_name_without_restricting_specification_resolves_with_a_warning():
    resolution = resolve_chemical("甲醛")
    assert resolution.chemical.row == 8
    assert any("请核对规格" in w for w in resolution.warnings)
    assert resolve_chemical("甲醛（含量>90%）").warnings == ()
    assert resolve_chemical("甲醇").warnings == ()


def test_unknown_chemical_suggests_close_names():
    with pytest.raises(UnknownChemicalError, match=r"未能确定以下危险化学品：“甲笨”（是否为：") as raised:
        lookup_chemical("甲笨")
    error = raised.value
    assert error.names == ("甲笨",)
    assert "甲苯" in error.suggestions["甲笨"]
    assert "甲笨" in str(error) and "甲苯" in str(error)


def test_unknown_cas_suggests_the_nearby_cas_owner():
    with pytest.raises(UnknownChemicalError, match=r"未能确定以下危险化学品：“67-56-2”（是否为：") as raised:
        lookup_chemical("67-56-2")
    assert raised.value.suggestions["67-56-2"][0] == "甲醇"


def test_unknown_chemical_without_close_names():
    with pytest.raises(UnknownChemicalError, match=r"未能确定以下危险化学品：“xyz”（无近似名称）") as raised:
        lookup_chemical("xyz")
    assert raised.value.suggestions == {"xyz": ()}
    assert not isinstance(raised.value, AmbiguousChemicalError)
