import json
import re
from decimal import Decimal

import pytest

from yingji.rules.bands import Band
from yingji.rules.incident_types import (
    CATEGORIES,
    HQ_CATEGORY_TABLE,
    NATURAL_DISASTER_NATIONAL_RESPONSE,
    GradingCriterion,
    GradingTable,
    all_incident_types,
    default_grading_table,
    grade_by_table,
    incident_type,
    is_work_safety_accident,
    special_hq,
    special_hqs,
)

# The 22 专项应急指挥部 categories exactly as 阜政办发〔2022〕9号 lists them (the Fuxin profile's own
# HQs, by these codes: tests/foundation/test_profiles.py).
FUXIN_NATURAL_HQ_NAMES = ["地震灾害", "地质灾害", "防汛抗旱", "气象灾害", "森林草原灾害", "农业灾害", "自然灾害"]
FUXIN_WORK_SAFETY_HQ_NAMES = [
    "安全生产事故", "危险化学品事故", "煤矿事故", "制造业事故", "非煤矿山事故", "重特大火灾事故",
    "建设工程事故", "电网大面积停电事故", "供热供水供气事故", "重特大交通事故", "突发环境事件",
    "公路交通突发事件", "旅游突发事件", "教育突发事件", "通信保障突发事件",
]


def test_four_statutory_categories():
    assert CATEGORIES == {"natural": "自然灾害", "accident": "事故灾难",
                          "public_health": "公共卫生事件", "social_safety": "社会安全事件"}


def test_hq_categories_are_fuxins_7_natural_and_15_work_safety_in_plan_order():
    assert [hq.name for hq in special_hqs() if hq.kind == "natural"] == FUXIN_NATURAL_HQ_NAMES
    assert [hq.name for hq in special_hqs() if hq.kind == "work_safety"] == FUXIN_WORK_SAFETY_HQ_NAMES
    assert len({hq.code for hq in HQ_CATEGORY_TABLE}) == 22


def test_every_special_hq_handles_at_least_one_subtype():
    covered = {t.special_hq for t in all_incident_types()}
    assert {hq.code for hq in HQ_CATEGORY_TABLE} <= covered


def test_every_subtype_hq_exists_and_hq_kind_fits_category():
    for t in all_incident_types():
        hq = special_hq(t.code)
        if t.category in ("natural",):
            assert hq is not None and hq.kind == "natural", t.code
        elif t.category == "accident":
            assert hq is not None and hq.kind == "work_safety", t.code
        else:
            assert hq is None, t.code


def test_special_hq_full_name():
    assert special_hq("accident.hazchem").full_name == "危险化学品事故应急专项指挥部"


def test_every_category_has_subtypes():
    for category in CATEGORIES:
        assert all_incident_types(category), category


def test_codes_are_unique_and_follow_the_scheme():
    codes = [t.code for t in all_incident_types()]
    assert len(codes) == len(set(codes))
    for t in all_incident_types():
        assert re.fullmatch(r"[a-z_]+\.[a-z_0-9]+", t.code)
        assert t.code.split(".")[0] == t.category
        assert t.category_name == CATEGORIES[t.category]


def test_names_are_unique():
    names = [t.name for t in all_incident_types()]
    assert len(names) == len(set(names))


def test_all_incident_types_filters_by_category():
    assert {t.category for t in all_incident_types("natural")} == {"natural"}
    assert len(all_incident_types()) == sum(len(all_incident_types(c)) for c in CATEGORIES)


def test_unknown_category_raises():
    with pytest.raises(ValueError, match="未知的突发事件类别"):
        all_incident_types("weather")


def test_lookup():
    t = incident_type("natural.earthquake")
    assert (t.name, t.category, t.special_hq) == ("地震灾害", "natural", "earthquake")


@pytest.mark.parametrize("code", ["", "earthquake", "natural.EARTHQUAKE", None, "accident.nuclear"])
def test_unknown_code_raises_chinese_error(code):
    with pytest.raises(ValueError, match="未知的突发事件类型代码"):
        incident_type(code)


@pytest.mark.parametrize("code, expected", [
    ("accident.work_safety", True),
    ("accident.hazchem", True),
    ("accident.coal_mine", True),
    ("accident.manufacturing", True),
    ("accident.non_coal_mine", True),
    ("accident.fire", True),
    ("accident.construction", True),
    ("accident.utilities", True),
    ("accident.road_traffic", True),
    ("accident.environmental", False),  # 493 第二条: 环境污染事故 excluded
    ("accident.grid_blackout", False),
    ("accident.highway", False),
    ("accident.tourism", False),
    ("accident.education", False),
    ("accident.communications", False),
    ("natural.earthquake", False),
    ("public_health.food_safety", False),
    ("social_safety.terrorism", False),
])
def test_is_work_safety_accident(code, expected):
    assert is_work_safety_accident(code) is expected


def test_only_accidents_are_work_safety():
    for t in all_incident_types():
        if t.decree_493:
            assert t.category == "accident"


# --- grading tables ------------------------------------------------------------

T = NATURAL_DISASTER_NATIONAL_RESPONSE
WAN = 10_000


@pytest.mark.parametrize("criterion, value, level", [
    ("deaths_missing", 19, None), ("deaths_missing", 20, 4), ("deaths_missing", 49, 4),
    ("deaths_missing", 50, 3), ("deaths_missing", 99, 3), ("deaths_missing", 100, 2),
    ("deaths_missing", 199, 2), ("deaths_missing", 200, 1), ("deaths_missing", 5000, 1),
    ("relocated_or_needing_aid", 10 * WAN - 1, None), ("relocated_or_needing_aid", 10 * WAN, 4),
    ("relocated_or_needing_aid", 50 * WAN - 1, 4), ("relocated_or_needing_aid", 50 * WAN, 3),
    ("relocated_or_needing_aid", 100 * WAN - 1, 3), ("relocated_or_needing_aid", 100 * WAN, 2),
    ("relocated_or_needing_aid", 200 * WAN - 1, 2), ("relocated_or_needing_aid", 200 * WAN, 1),
    ("houses_collapsed_rooms", 9999, None), ("houses_collapsed_rooms", 1 * WAN, 4),
    ("houses_collapsed_rooms", 10 * WAN, 3), ("houses_collapsed_rooms", 20 * WAN, 2),
    ("houses_collapsed_rooms", 30 * WAN - 1, 2), ("houses_collapsed_rooms", 30 * WAN, 1),
    ("houses_collapsed_households", 2999, None), ("houses_collapsed_households", 3000, 4),
    ("houses_collapsed_households", 3 * WAN, 3), ("houses_collapsed_households", 7 * WAN, 2),
    ("houses_collapsed_households", 10 * WAN, 1),
    ("drought_aid_people", 100 * WAN - 1, None), ("drought_aid_people", 100 * WAN, 4),
    ("drought_aid_people", 200 * WAN, 3), ("drought_aid_people", 300 * WAN, 2),
    ("drought_aid_people", 400 * WAN, 1),
    ("drought_aid_share_pct", "14.99", None), ("drought_aid_share_pct", 15, 4),
    ("drought_aid_share_pct", "19.99", 4), ("drought_aid_share_pct", 20, 3),
    ("drought_aid_share_pct", 25, 2), ("drought_aid_share_pct", "29.999", 2),
    ("drought_aid_share_pct", 30, 1),
])
def test_natural_disaster_default_boundaries(criterion, value, level):
    assert grade_by_table(T, {criterion: value}).level == level


def test_not_reaching_any_level():
    result = grade_by_table(T, {"deaths_missing": 0})
    assert result.to_json() == {"level": None, "name": "未达到分级标准", "reasons": [],
                                "table": T.code}


def test_any_criterion_most_severe_wins_with_reasons():
    result = grade_by_table(T, {"deaths_missing": 20, "houses_collapsed_households": 7 * WAN,
                                "drought_aid_share_pct": "25"})
    assert result.level == 2
    assert result.name == "二级响应"
    assert result.reasons == [
        "倒塌和严重损坏房屋7万户，达到二级响应标准（7万户以上10万户以下）",
        "干旱需政府救助人数占农牧业人口比例25%，达到二级响应标准（25%以上30%以下）",
    ]


def test_top_band_reason_has_no_upper_bound():
    assert grade_by_table(T, {"deaths_missing": 200}).reasons == [
        "死亡和失踪200人，达到一级响应标准（200人以上）"]


def test_empty_figures_grade_nothing():
    assert grade_by_table(T, {}).level is None


def test_natural_default_is_marked_as_partly_confirmed_configurable_default():
    assert T.confidence == "P"
    assert "国办函〔2024〕11号" in T.source and "国办函〔2016〕25号" in T.source
    assert "配置" in T.note


def test_default_grading_table_per_category():
    assert default_grading_table("natural.flood") is T
    assert default_grading_table("social_safety.terrorism") is None


@pytest.mark.parametrize("figures, message", [
    ({"deaths": 1}, "没有以下指标：deaths"),
    ({"deaths_missing": -1}, "不能为负数"),
    ({"deaths_missing": "abc"}, "数值格式不正确"),
    ({"deaths_missing": 1.5}, "请以整数、字符串或Decimal填写"),
    ({"deaths_missing": "NaN"}, "有限的数值"),
])
def test_invalid_figures(figures, message):
    with pytest.raises(ValueError, match=message):
        grade_by_table(T, figures)


COUNTY_TABLE_JSON = """
{
  "code": "example.county", "name": "示例县级自然灾害救助响应", "source": "示例",
  "confidence": "R",
  "level_names": {"1": "一级", "2": "二级", "3": "三级", "4": "四级"},
  "criteria": [
    {"code": "deaths_missing", "name": "死亡（含失踪）", "unit": "人",
     "bands": {"2": [5, 10], "1": [10, null], "4": [1, 3], "3": [3, 5]}},
    {"code": "relocated", "name": "紧急转移安置和需紧急生活救助", "unit": "人",
     "bands": {"1": ["2000", null], "2": [1200, 2000]}}
  ]
}
"""


@pytest.mark.parametrize("figures, level", [
    ({"deaths_missing": 0}, None),
    ({"deaths_missing": 1}, 4),
    ({"deaths_missing": 3}, 3),
    ({"deaths_missing": 5}, 2),
    ({"deaths_missing": 9}, 2),
    ({"deaths_missing": 10}, 1),
    ({"relocated": 1199}, None),
    ({"relocated": 1200}, 2),
    ({"relocated": 2000, "deaths_missing": 1}, 1),
])
def test_table_loaded_from_json_data(figures, level):
    table = json.loads(COUNTY_TABLE_JSON)
    assert grade_by_table(table, figures).level == level
    assert grade_by_table(GradingTable.from_dict(table), figures).level == level


def test_from_dict_orders_bands_and_uses_decimals():
    table = GradingTable.from_dict(json.loads(COUNTY_TABLE_JSON))
    bands = table.criteria[0].bands
    assert [b.label for b in bands] == [1, 2, 3, 4]
    assert bands[0] == Band(1, lo=Decimal(10), hi=None)


def test_decimal_thresholds_without_float_error():
    table = GradingTable("t", "测试", "", "R", {1: "一级"},
                         (GradingCriterion("ratio", "比例", "", (Band(1, lo=Decimal("0.3")),)),))
    assert grade_by_table(table, {"ratio": "0.3"}).level == 1
    assert grade_by_table(table, {"ratio": Decimal("0.29999")}).level is None
