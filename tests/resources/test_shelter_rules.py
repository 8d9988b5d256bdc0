"""Shelter capacity from effective area: GB 21734-2008 §5.4, 人均居住面积应大于 1.5 m² (strict)."""

from decimal import Decimal

import pytest

from yingji.rules.shelters import (AREA_PER_PERSON_M2, ShelterRuleError, capacity_from_area, effective_capacity,
                                   site_area_notes)


@pytest.mark.parametrize("area,persons", [
    (0, 0), (1.5, 0), (1.6, 1), (3, 1), (3.01, 2), (2999.99, 1999), (3000, 1999), (3000.1, 2000), (15000, 9999),
    (Decimal("10000.5"), 6666), (Decimal("10000.6"), 6667),
])
def test_every_person_gets_more_than_the_standard_area(area, persons):
    assert capacity_from_area(area) == persons
    if persons:
        assert Decimal(str(area)) / persons > AREA_PER_PERSON_M2
        assert Decimal(str(area)) / (persons + 1) <= AREA_PER_PERSON_M2


def test_a_larger_per_capita_area_lowers_capacity():
    assert capacity_from_area(3000, 2) == 1499
    assert capacity_from_area(3000, "3") == 999


def test_override_wins_over_the_derived_figure():
    assert effective_capacity(3000) == 1999
    assert effective_capacity(3000, override=500) == 500
    assert effective_capacity(3000, override=0) == 0


@pytest.mark.parametrize("area,per_person,message", [
    (-1, 1.5, "有效避难面积不能为负数"), ("abc", 1.5, "有效避难面积必须是数字"), (100, 0, "人均有效避难面积必须大于 0"),
    (100, -2, "人均有效避难面积必须大于 0"), (float("nan"), 1.5, "有效避难面积必须是有限数值"),
])
def test_bad_input_is_refused_in_chinese(area, per_person, message):
    with pytest.raises(ShelterRuleError, match=message) as exc:
        capacity_from_area(area, per_person)
    assert any("\u4e00" <= ch <= "\u9fff" for ch in str(exc.value))


def test_site_area_advice():
    assert site_area_notes(2000) and "2000" in site_area_notes(2000)[0]
    assert site_area_notes(2000.5) == []
