import math
import random
from datetime import datetime, timedelta

import numpy as np
import pytest

from yingji.rules.monitoring import (
    LOWER, RULE_RATE, RULE_STALE, RULE_THRESHOLD, UPPER, AlarmChange, Evaluator, RateRule,
    SensorConfig, ThresholdRule, ThresholdTable, evaluate_rate, evaluate_threshold,
    evaluate_threshold_batch, evaluate_threshold_side, is_stale, rate_per_s,
)

# A tank level gauge: 4 upper and 4 lower levels, 1.0 deadband.
RULE = ThresholdRule(upper={1: 90.0, 2: 80.0, 3: 70.0, 4: 60.0},
                     lower={1: 5.0, 2: 10.0, 3: 15.0, 4: 20.0}, deadband=1.0)


@pytest.mark.parametrize("value, level", [
    (95.0, 1), (90.0, 1), (89.99, 2), (80.0, 2), (79.9, 3), (70.0, 3), (69.9, 4), (60.0, 4),
    (59.99, None), (40.0, None), (20.01, None),
    (20.0, 4), (15.01, 4), (15.0, 3), (10.0, 2), (5.01, 2), (5.0, 1), (-3.0, 1),
])
def test_each_level_upper_and_lower_with_inclusive_thresholds(value, level):
    assert evaluate_threshold(RULE, value, None) == level


def test_side_is_reported():
    assert evaluate_threshold_side(RULE, 85.0) == (2, UPPER)
    assert evaluate_threshold_side(RULE, 8.0) == (2, LOWER)
    assert evaluate_threshold_side(RULE, 40.0) == (None, None)


def test_escalation_is_immediate_and_uses_the_plain_threshold():
    assert evaluate_threshold(RULE, 79.99, 3) == 3
    assert evaluate_threshold(RULE, 80.0, 3) == 2
    assert evaluate_threshold(RULE, 90.0, 4) == 1
    assert evaluate_threshold(RULE, 5.0, 4) == 1


@pytest.mark.parametrize("current, value, expected", [
    (4, 59.5, 4), (4, 59.0, 4), (4, 58.99, None),        # upper hold at 60 − 1
    (2, 79.0, 2), (2, 78.99, 3), (2, 69.0, 3), (2, 68.99, 4), (2, 58.99, None),
    (1, 89.0, 1), (1, 88.9, 2),
    (4, 21.0, 4), (4, 21.01, None),                       # lower hold at 20 + 1
    (2, 11.0, 2), (2, 11.01, 3), (1, 6.0, 1), (1, 6.5, 2),
])
def test_hysteresis_holds_until_past_threshold_minus_deadband(current, value, expected):
    side = UPPER if value > 40 else LOWER
    assert evaluate_threshold(RULE, value, current, side) == expected
    assert evaluate_threshold(RULE, value, current) == expected


def run(rule, values, level=None, side=None):
    levels = []
    for v in values:
        level, side = evaluate_threshold_side(rule, v, level, side)
        levels.append(level)
    return levels


def test_no_flapping_when_wobbling_around_a_threshold():
    wobble = [59.8, 60.1, 59.7, 60.3, 59.2, 60.0, 59.5, 59.1]
    assert run(RULE, wobble) == [None, 4, 4, 4, 4, 4, 4, 4]
    assert run(RULE, wobble + [58.9, 59.5, 59.9, 60.0]) [-4:] == [None, None, None, 4]


def test_without_deadband_the_same_wobble_flaps():
    plain = ThresholdRule(upper={4: 60.0})
    assert run(plain, [59.8, 60.1, 59.7, 60.3]) == [None, 4, None, 4]


def test_lower_side_hysteresis_sequence():
    assert run(RULE, [25, 20, 20.5, 21, 14.9, 15.9, 16.0, 16.1, 21.2]) == [
        None, 4, 4, 4, 3, 3, 3, 4, None]


def test_hold_applies_only_on_the_side_of_the_raised_level():
    # Level 4 raised on the upper side; a jump to 20.5 (within lower 4's deadband, not past 20)
    level, side = evaluate_threshold_side(RULE, 20.5, 4, UPPER)
    assert (level, side) == (None, None)
    # Without a side both hold (documented behaviour)
    assert evaluate_threshold(RULE, 20.5, 4) == 4


def test_zero_current_level_means_no_alarm():
    assert evaluate_threshold(RULE, 59.5, 0) is None
    assert evaluate_threshold(RULE, 60.0, 0) == 4


def test_nan_keeps_the_current_level():
    assert evaluate_threshold(RULE, math.nan, 2) == 2
    assert evaluate_threshold(RULE, math.nan, None) is None


def test_upper_only_and_lower_only_rules():
    up = ThresholdRule(upper={1: 25.0, 3: 10.0}, deadband=0.5)
    assert [evaluate_threshold(up, v) for v in (9.9, 10.0, 24.9, 25.0, -100.0)] == [None, 3, 3, 1, None]
    low = ThresholdRule(lower={2: 0.2})
    assert [evaluate_threshold(low, v) for v in (0.21, 0.2, -1.0)] == [None, 2, 2]


@pytest.mark.parametrize("kwargs, fragment", [
    ({}, "至少需要设置一个报警阈值"),
    ({"upper": {1: 50, 2: 60}}, "上限报警值必须随级别升高而增大"),
    ({"upper": {1: 50, 2: 50}}, "上限报警值必须随级别升高而增大"),
    ({"lower": {1: 5, 2: 3}}, "下限报警值必须随级别升高而减小"),
    ({"upper": {4: 10}, "lower": {4: 10}}, "下限报警值必须全部小于上限报警值"),
    ({"upper": {5: 10}}, "报警级别必须为 1～4"),
    ({"upper": {0: 10}}, "报警级别必须为 1～4"),
    ({"upper": {1: math.nan}}, "有限数值"),
    ({"upper": {1: 10}, "deadband": -1}, "回差（死区）不能为负数"),
])
def test_threshold_rule_validation(kwargs, fragment):
    with pytest.raises(ValueError, match=fragment):
        ThresholdRule(**kwargs)


RATE = RateRule(limit_per_s=0.5, window_s=60.0, level=2)


@pytest.mark.parametrize("prev, prev_t, value, t, expected", [
    (10.0, 0.0, 15.0, 10.0, None),     # exactly 0.5/s is not above
    (10.0, 0.0, 15.1, 10.0, 2),
    (10.0, 0.0, 4.9, 10.0, 2),         # falling fast
    (10.0, 0.0, 5.0, 10.0, None),
    (10.0, 0.0, 100.0, 60.0, 2),       # Δt exactly the window
    (10.0, 0.0, 100.0, 60.1, None),    # outside the window
    (10.0, 5.0, 100.0, 5.0, None),     # Δt = 0
    (10.0, 6.0, 100.0, 5.0, None),     # out of order
])
def test_rate_rule(prev, prev_t, value, t, expected):
    assert evaluate_rate(RATE, prev, prev_t, value, t) == expected


def test_rate_direction_and_min_span():
    rise = RateRule(limit_per_s=1.0, window_s=30.0, direction="rise")
    fall = RateRule(limit_per_s=1.0, window_s=30.0, direction="fall", level=1)
    assert evaluate_rate(rise, 0.0, 0.0, 20.0, 10.0) == 3
    assert evaluate_rate(rise, 20.0, 0.0, 0.0, 10.0) is None
    assert evaluate_rate(fall, 20.0, 0.0, 0.0, 10.0) == 1
    assert evaluate_rate(fall, 0.0, 0.0, 20.0, 10.0) is None
    span = RateRule(limit_per_s=1.0, window_s=30.0, min_span_s=5.0)
    assert evaluate_rate(span, 0.0, 0.0, 20.0, 4.9) is None
    assert evaluate_rate(span, 0.0, 0.0, 20.0, 5.0) == 3


def test_rate_with_datetimes():
    t0 = datetime(2025, 6, 1, 8, 0, 0)
    assert rate_per_s(1.0, t0, 4.0, t0 + timedelta(seconds=2)) == 1.5
    assert evaluate_rate(RATE, 1.0, t0, 4.0, t0 + timedelta(seconds=2)) == 2
    assert rate_per_s(1.0, t0, 4.0, t0) is None


@pytest.mark.parametrize("kwargs, message", [
    ({"limit_per_s": -1, "window_s": 10}, "变化率限值不能为负数"),
    ({"limit_per_s": 1, "window_s": 0}, "变化率时间窗必须大于 0 秒"),
    ({"limit_per_s": 1, "window_s": 10, "direction": "up"}, "变化方向只能为 both"),
    ({"limit_per_s": 1, "window_s": 10, "level": 0}, "报警级别必须为 1～4"),
    ({"limit_per_s": 1, "window_s": 10, "min_span_s": 11}, "最短时间跨度必须在 0 与时间窗之间"),
])
def test_rate_rule_validation(kwargs, message):
    with pytest.raises(ValueError, match=message):
        RateRule(**kwargs)


def test_stale():
    assert not is_stale(100.0, 10.0, 3, 130.0)      # exactly 3 intervals: not yet
    assert is_stale(100.0, 10.0, 3, 130.001)
    assert not is_stale(100.0, 10.0, 3, 100.0)
    assert is_stale(None, 10.0, 3, 0.0)
    t = datetime(2025, 6, 1, 8, 0)
    assert not is_stale(t, 60, 5, t + timedelta(minutes=5))
    assert is_stale(t, 60, 5, t + timedelta(minutes=5, seconds=1))


# --- evaluator -------------------------------------------------------------------------

def make_evaluator(**config):
    ev = Evaluator()
    ev.configure("S1", SensorConfig(**config), now=0.0)
    return ev


def test_evaluator_reports_only_changes():
    ev = make_evaluator(threshold=RULE)
    assert ev.feed("S1", 40.0, 1.0) == ()
    (raised,) = ev.feed("S1", 61.0, 2.0)
    assert raised == AlarmChange("S1", RULE_THRESHOLD, None, 4, 61.0, 2.0, UPPER)
    assert raised.kind == "raised" and raised.key == ("S1", RULE_THRESHOLD)
    assert ev.feed("S1", 59.5, 3.0) == ()            # held by the deadband
    (up,) = ev.feed("S1", 91.0, 4.0)
    assert (up.previous, up.level, up.kind) == (4, 1, "escalated")
    (down,) = ev.feed("S1", 75.0, 5.0)
    assert (down.previous, down.level, down.kind) == (1, 3, "relieved")
    (cleared,) = ev.feed("S1", 50.0, 6.0)
    assert (cleared.level, cleared.kind) == (None, "cleared")
    assert ev.level("S1") is None


def test_evaluator_tracks_side_for_hysteresis():
    ev = make_evaluator(threshold=RULE)
    ev.feed("S1", 61.0, 1.0)
    (change,) = ev.feed("S1", 20.5, 2.0)   # jumped across: upper clears, lower 4 not reached
    assert change.level is None


def test_evaluator_ignores_late_and_duplicate_readings():
    ev = make_evaluator(threshold=RULE)
    ev.feed("S1", 61.0, 10.0)
    assert ev.feed("S1", 95.0, 10.0) == ()
    assert ev.feed("S1", 95.0, 9.0) == ()
    assert ev.late_readings == 2
    assert ev.level("S1") == 4


def test_evaluator_nan_keeps_levels():
    ev = make_evaluator(threshold=RULE, rate=RATE)
    ev.feed("S1", 85.0, 1.0)
    assert ev.feed("S1", math.nan, 2.0) == ()
    assert ev.level("S1") == 2


def test_evaluator_rate_over_the_window():
    ev = make_evaluator(rate=RateRule(limit_per_s=0.5, window_s=10.0, level=2))
    assert ev.feed("S1", 0.0, 0.0) == ()
    assert ev.feed("S1", 2.0, 5.0) == ()              # 0.4/s from t=0
    (raised,) = ev.feed("S1", 6.0, 10.0)              # 0.6/s from t=0 (t=0 still in window)
    assert (raised.rule_id, raised.level) == (RULE_RATE, 2)
    assert ev.feed("S1", 8.0, 12.0) == ()             # oldest in window t=5: 6/7 ≈ 0.86/s
    (cleared,) = ev.feed("S1", 8.0, 30.0)             # window empty before this reading
    assert (cleared.rule_id, cleared.level) == (RULE_RATE, None)


def test_evaluator_stale_and_recovery():
    ev = Evaluator()
    ev.configure("A", SensorConfig(threshold=RULE, interval_s=10.0, stale_after=3), now=0.0)
    ev.configure("B", SensorConfig(threshold=RULE, interval_s=10.0, stale_after=3), now=0.0)
    ev.configure("C", SensorConfig(threshold=RULE), now=0.0)        # no stale check
    ev.configure("D", SensorConfig(threshold=RULE, interval_s=10.0))  # never seen
    ev.feed("A", 40.0, 25.0)
    changes = ev.sweep_stale(30.0)
    assert [(c.sensor_id, c.rule_id, c.level) for c in changes] == [("D", RULE_STALE, 4)]
    changes = ev.sweep_stale(30.5)
    assert [c.sensor_id for c in changes] == ["B"]
    assert ev.sweep_stale(100.0) == [AlarmChange("A", RULE_STALE, None, 4, None, 100.0)]
    assert ev.sweep_stale(200.0) == []                               # already stale
    (back,) = ev.feed("B", 40.0, 201.0)
    assert (back.rule_id, back.previous, back.level, back.kind) == (RULE_STALE, 4, None, "cleared")
    changes = ev.feed("A", 95.0, 202.0)
    assert [(c.rule_id, c.level) for c in changes] == [(RULE_STALE, None), (RULE_THRESHOLD, 1)]


def test_evaluator_unknown_sensor_and_reconfigure():
    ev = Evaluator()
    with pytest.raises(KeyError, match="未配置的传感器"):
        ev.feed("X", 1.0, 1.0)
    ev.configure("X", SensorConfig(threshold=ThresholdRule(upper={3: 10.0})), now=0.0)
    ev.feed("X", 12.0, 1.0)
    ev.configure("X", SensorConfig(threshold=ThresholdRule(upper={3: 10.0, 1: 11.0})))
    assert ev.level("X") == 3
    (change,) = ev.feed("X", 12.0, 2.0)
    assert change.level == 1


def test_sensor_config_validation():
    with pytest.raises(ValueError, match=r"采集周期必须大于 0 秒"):
        SensorConfig(interval_s=0)
    with pytest.raises(ValueError, match=r"离线判定周期数必须至少为 1"):
        SensorConfig(stale_after=0)
    with pytest.raises(ValueError, match=r"报警级别必须为 1～4（一级～四级），收到：7"):
        SensorConfig(stale_level=7)


# --- batch -----------------------------------------------------------------------------

def test_batch_matches_the_scalar_function_on_random_data():
    rng = random.Random(2025)
    rules = [
        RULE,
        ThresholdRule(upper={1: 25.0, 3: 10.0}, deadband=0.5),
        ThresholdRule(lower={2: 0.2, 4: 1.0}, deadband=0.1),
        ThresholdRule(upper={2: 80.0}, lower={2: 10.0}, deadband=3.0),
    ]
    n = 4000
    sensor_rules = [rules[i % len(rules)] for i in range(n)]
    values = np.array([rng.uniform(-5, 100) for _ in range(n)])
    values[::97] = np.nan
    current = np.array([rng.choice([0, 1, 2, 3, 4]) for _ in range(n)])
    got = evaluate_threshold_batch(ThresholdTable.from_rules(sensor_rules), values, current)
    for i in range(n):
        expected = evaluate_threshold(sensor_rules[i], float(values[i]), int(current[i]) or None)
        assert got[i] == (expected or 0), (i, values[i], current[i])


def test_batch_boundaries_and_nan():
    table = ThresholdTable.from_rules([RULE] * 5)
    values = np.array([60.0, 59.0, 58.99, np.nan, 5.0])
    current = np.array([0, 4, 4, 2, 0])
    assert evaluate_threshold_batch(table, values, current).tolist() == [4, 4, 0, 2, 1]
