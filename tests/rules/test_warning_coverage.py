"""The plans' public-coverage rule for warnings (≥90 %, 本政办发〔2022〕4号)."""

import pytest

from yingji.rules.warning_coverage import MET, NOT_MET, UNKNOWN, assess, percent_text


def test_exactly_ninety_percent_meets_the_target():
    verdict = assess(900, 1000)
    assert verdict.verdict == MET and verdict.label == "达标" and verdict.met is True
    assert "90.0%" in verdict.reason


def test_one_person_short_does_not_meet_it_and_says_how_many_are_missing():
    verdict = assess(8999, 10000)
    assert verdict.verdict == NOT_MET and verdict.label == "未达标"
    assert "还差 1 人" in verdict.reason and "89.9%" in verdict.reason


def test_without_population_the_rule_cannot_be_assessed():
    verdict = assess(5, 0)
    assert verdict.verdict == UNKNOWN and verdict.met is None and "未登记" in verdict.reason


def test_percent_is_truncated_never_rounded_up_across_the_target():
    assert percent_text(0.89996) == "89.9%"
    assert percent_text(1.0) == "100.0%"
    assert percent_text(None) == "—"


def test_negative_counts_are_refused():
    with pytest.raises(ValueError, match="negative"):
        assess(-1, 10)
