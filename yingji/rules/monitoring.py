"""Alarm rules for sensor readings: graded thresholds with hysteresis, rate of change, stale.

Levels follow the warning scale: 1 = 一级/红色 (most severe) … 4 = 四级/蓝色. ``None`` means
no alarm. Readings are floats (sensor values are measurements, not amounts read from a
standard); times are seconds (e.g. UNIX epoch) in the hot path — the pure functions also
accept ``datetime`` pairs.

Semantics (the ≥ / > question, written down once):

* **Upper threshold** of level L is reached when ``value ≥ upper[L]`` (达到或超过报警值).
* **Lower threshold** of level L is reached when ``value ≤ lower[L]`` (达到或低于报警值).
* **Hysteresis**: a level that is raised (the current level, and every less severe level)
  holds while ``value ≥ upper[L] − deadband`` (resp. ``value ≤ lower[L] + deadband``) and
  clears only when the value goes past that point (``value < upper[L] − deadband``). With
  ``deadband = 0`` this is the plain threshold. Escalation to a more severe level is
  immediate and uses the plain threshold. So a value wobbling around a threshold by less
  than the deadband never flaps.
* **NaN** readings change nothing (a faulty sample must not clear an alarm).
* **Rate of change** triggers when ``|Δvalue / Δt| > limit_per_s`` (strictly above),
  Δt being measured from the oldest reading still inside the window (``t ≥ now − window_s``).
* **Stale/offline**: a sensor is stale when ``now − last_seen > n × interval_s`` (strictly;
  exactly n intervals of silence is not yet stale). A sensor never seen is stale.

:class:`Evaluator` keeps per-sensor state and returns :class:`AlarmChange` events only when a
level changes, so the caller writes to the database only on changes. Alarms are keyed by
``(sensor_id, rule_id)`` with rule ids :data:`RULE_THRESHOLD`, :data:`RULE_RATE`,
:data:`RULE_STALE` (see :mod:`yingji.rules.alarm_lifecycle` for deduplication).

>>> rule = ThresholdRule(upper={1: 50.0, 2: 40.0}, deadband=2.0)
>>> evaluate_threshold(rule, 41.0, None), evaluate_threshold(rule, 38.5, 2), evaluate_threshold(rule, 37.9, 2)
(2, 2, None)
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Hashable, Mapping, Sequence

import numpy as np

LEVELS = (1, 2, 3, 4)
LEVEL_NAMES: dict[int, str] = {1: "一级（红色）", 2: "二级（橙色）", 3: "三级（黄色）", 4: "四级（蓝色）"}

UPPER = "upper"
LOWER = "lower"

RULE_THRESHOLD = "threshold"
RULE_RATE = "rate"
RULE_STALE = "stale"
RULE_GAP = "gap"      # readings missing by sequence number (yingji.rules.sequence); a data-quality alarm
GAP_LEVEL = 4

_NO_LEVEL = 5  # sentinel "less severe than any level" for comparisons


def _check_level(level: object) -> int:
    if isinstance(level, bool) or level not in LEVELS:
        raise ValueError(f"报警级别必须为 1～4（一级～四级），收到：{level!r}")
    return int(level)  # type: ignore[arg-type]


def _finite(value: object, what: str) -> float:
    number = float(value)  # type: ignore[arg-type]
    if not math.isfinite(number):
        raise ValueError(f"{what}必须是有限数值，收到：{value!r}")
    return number


# --- thresholds -------------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdRule:
    """Graded upper and/or lower thresholds ``{level: value}`` with a deadband ≥ 0.

    More severe levels must lie further out: ``upper[1] > upper[2] > …`` and
    ``lower[1] < lower[2] < …``; every lower threshold must be below every upper one.
    """

    upper: Mapping[int, float] = field(default_factory=dict)
    lower: Mapping[int, float] = field(default_factory=dict)
    deadband: float = 0.0
    # (level, threshold) pairs, most severe first; derived, used in the hot path
    upper_pairs: tuple[tuple[int, float], ...] = field(init=False, repr=False, compare=False)
    lower_pairs: tuple[tuple[int, float], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        upper = tuple(sorted((_check_level(k), _finite(v, "上限报警值")) for k, v in self.upper.items()))
        lower = tuple(sorted((_check_level(k), _finite(v, "下限报警值")) for k, v in self.lower.items()))
        if not upper and not lower:
            raise ValueError("至少需要设置一个报警阈值")
        if any(a[1] <= b[1] for a, b in zip(upper, upper[1:])):
            raise ValueError("上限报警值必须随级别升高而增大（一级最高）")
        if any(a[1] >= b[1] for a, b in zip(lower, lower[1:])):
            raise ValueError("下限报警值必须随级别升高而减小（一级最低）")
        if upper and lower and max(v for _, v in lower) >= min(v for _, v in upper):
            raise ValueError("下限报警值必须全部小于上限报警值")
        deadband = _finite(self.deadband, "回差（死区）")
        if deadband < 0:
            raise ValueError("回差（死区）不能为负数")
        object.__setattr__(self, "deadband", deadband)
        object.__setattr__(self, "upper_pairs", upper)
        object.__setattr__(self, "lower_pairs", lower)


def evaluate_threshold_side(rule: ThresholdRule, value: float, current_level: int | None = None,
                            side: str | None = None) -> tuple[int | None, str | None]:
    """Like :func:`evaluate_threshold` but also returns the side (:data:`UPPER` /
    :data:`LOWER`) of the resulting level. Passing the current ``side`` limits hysteresis to
    that side; with ``side=None`` both sides hold (matters only when a reading jumps from one
    side to within the deadband of the other in one step)."""
    if value != value:  # NaN
        return current_level, side
    hold = current_level or _NO_LEVEL  # None (or 0 from an integer column) = no alarm
    deadband = rule.deadband
    up_level = _NO_LEVEL
    relax = side != LOWER
    for level, threshold in rule.upper_pairs:
        if value >= (threshold - deadband if relax and level >= hold else threshold):
            up_level = level
            break
    low_level = _NO_LEVEL
    relax = side != UPPER
    for level, threshold in rule.lower_pairs:
        if value <= (threshold + deadband if relax and level >= hold else threshold):
            low_level = level
            break
    if up_level == low_level == _NO_LEVEL:
        return None, None
    if up_level < low_level or (up_level == low_level and side != LOWER):
        return up_level, UPPER
    return low_level, LOWER


def evaluate_threshold(rule: ThresholdRule, value: float, current_level: int | None = None,
                       side: str | None = None) -> int | None:
    """The alarm level for ``value`` given the level currently raised (``None`` = none)."""
    return evaluate_threshold_side(rule, value, current_level, side)[0]


# --- rate of change ---------------------------------------------------------------------

RATE_DIRECTIONS = ("both", "rise", "fall")


@dataclass(frozen=True)
class RateRule:
    """Alarm ``level`` when the value changes faster than ``limit_per_s`` (units per second).

    ``direction`` is ``"both"``, ``"rise"`` or ``"fall"``. Pairs of readings further apart
    than ``window_s`` or closer than ``min_span_s`` are not judged (no alarm).
    """

    limit_per_s: float
    window_s: float
    level: int = 3
    direction: str = "both"
    min_span_s: float = 0.0

    def __post_init__(self) -> None:
        if _finite(self.limit_per_s, "变化率限值") < 0:
            raise ValueError("变化率限值不能为负数")
        if _finite(self.window_s, "变化率时间窗") <= 0:
            raise ValueError("变化率时间窗必须大于 0 秒")
        if not 0 <= _finite(self.min_span_s, "最短时间跨度") <= self.window_s:
            raise ValueError("最短时间跨度必须在 0 与时间窗之间")
        _check_level(self.level)
        if self.direction not in RATE_DIRECTIONS:
            raise ValueError("变化方向只能为 both（双向）、rise（上升）或 fall（下降）")


def _seconds(delta: float | timedelta) -> float:
    return delta if isinstance(delta, (int, float)) else delta.total_seconds()


def rate_per_s(prev_value: float, prev_time: float | datetime, value: float,
               time: float | datetime) -> float | None:
    """``Δvalue / Δt`` in units per second; ``None`` when Δt ≤ 0."""
    dt = _seconds(time - prev_time)
    if dt <= 0:
        return None
    return (value - prev_value) / dt


def evaluate_rate(rule: RateRule, prev_value: float, prev_time: float | datetime,
                  value: float, time: float | datetime) -> int | None:
    """``rule.level`` when ``|Δvalue/Δt| > rule.limit_per_s`` in the rule's direction."""
    dt = _seconds(time - prev_time)
    if dt <= 0 or dt > rule.window_s or dt < rule.min_span_s:
        return None
    rate = (value - prev_value) / dt
    direction = rule.direction
    if (rate > rule.limit_per_s and direction != "fall") or (
            -rate > rule.limit_per_s and direction != "rise"):
        return rule.level
    return None


# --- stale ------------------------------------------------------------------------------

def is_stale(last_seen: float | datetime | None, interval_s: float, n: int,
             now: float | datetime) -> bool:
    """No data for more than ``n × interval_s`` seconds (or never)."""
    if last_seen is None:
        return True
    return _seconds(now - last_seen) > n * interval_s


# --- stateful evaluator -----------------------------------------------------------------

@dataclass(frozen=True)
class SensorConfig:
    threshold: ThresholdRule | None = None
    rate: RateRule | None = None
    interval_s: float | None = None  # expected reporting interval; None = no stale check
    stale_after: int = 3  # stale after this many silent intervals
    stale_level: int = 4  # 四级（蓝色）for 离线/数据中断

    def __post_init__(self) -> None:
        _check_level(self.stale_level)
        if self.interval_s is not None and _finite(self.interval_s, "采集周期") <= 0:
            raise ValueError("采集周期必须大于 0 秒")
        if self.stale_after < 1:
            raise ValueError("离线判定周期数必须至少为 1")


@dataclass(frozen=True, slots=True)
class AlarmChange:
    """A change of one alarm, keyed ``(sensor_id, rule_id)``; ``level None`` = cleared."""

    sensor_id: Hashable
    rule_id: str
    previous: int | None
    level: int | None
    value: float | None
    time: float
    side: str | None = None
    detail: str = ""

    @property
    def key(self) -> tuple[Hashable, str]:
        return (self.sensor_id, self.rule_id)

    @property
    def kind(self) -> str:
        """``raised``, ``escalated`` (more severe), ``relieved`` (less severe) or ``cleared``."""
        if self.level is None:
            return "cleared"
        if self.previous is None:
            return "raised"
        return "escalated" if self.level < self.previous else "relieved"


class _SensorState:
    __slots__ = ("config", "level", "side", "rate_level", "last_time", "last_seen",
                 "window", "stale")

    def __init__(self, config: SensorConfig, seen_at: float | None):
        self.config = config
        self.level: int | None = None
        self.side: str | None = None
        self.rate_level: int | None = None
        self.last_time: float | None = None
        self.last_seen = seen_at
        self.window: deque[tuple[float, float]] = deque()
        self.stale = False


_NO_CHANGES: tuple[AlarmChange, ...] = ()


class Evaluator:
    """Per-sensor alarm state; :meth:`feed` costs a few microseconds per reading.

    Readings older than (or as old as) the sensor's last accepted reading are ignored and
    counted in :attr:`late_readings`. Rate alarms clear as soon as the rate over the window is
    back within the limit; when the window holds no earlier reading the rate alarm clears.
    """

    def __init__(self) -> None:
        self._sensors: dict[Hashable, _SensorState] = {}
        self.late_readings = 0

    def configure(self, sensor_id: Hashable, config: SensorConfig,
                  now: float | None = None) -> None:
        """(Re)configure a sensor. ``now`` starts its stale clock; without it the sensor is
        stale until it reports. Reconfiguring keeps the alarm levels already raised."""
        state = self._sensors.get(sensor_id)
        if state is None:
            self._sensors[sensor_id] = _SensorState(config, now)
        else:
            state.config = config

    def level(self, sensor_id: Hashable) -> int | None:
        return self._sensors[sensor_id].level

    def is_stale(self, sensor_id: Hashable) -> bool:
        state = self._sensors.get(sensor_id)
        return state is not None and state.stale

    def catch_up(self, sensor_id: Hashable, value: float, time: float) -> None:
        """Adopt a reading that another evaluator (another ingest process sharing the stream)
        has already evaluated: the state moves as with :meth:`feed`, the changes are not
        reported (the other process recorded them). Older readings are ignored as in feed."""
        if sensor_id in self._sensors:
            self.feed(sensor_id, value, time)

    def feed(self, sensor_id: Hashable, value: float, time: float) -> tuple[AlarmChange, ...]:
        try:
            state = self._sensors[sensor_id]
        except KeyError:
            raise KeyError(f"未配置的传感器：{sensor_id}") from None
        if state.last_time is not None and time <= state.last_time:
            self.late_readings += 1
            return _NO_CHANGES
        state.last_time = time
        state.last_seen = time
        changes = _NO_CHANGES
        if state.stale:
            state.stale = False
            changes = (AlarmChange(sensor_id, RULE_STALE, state.config.stale_level, None,
                                   value, time),)
        if value != value:  # NaN: the sensor is alive, the sample is unusable
            return changes
        config = state.config
        if config.threshold is not None:
            level, side = evaluate_threshold_side(config.threshold, value, state.level, state.side)
            if level != state.level:
                changes += (AlarmChange(sensor_id, RULE_THRESHOLD, state.level, level, value,
                                        time, side),)
            state.level, state.side = level, side
        if config.rate is not None:
            level = self._rate_level(state, config.rate, value, time)
            if level != state.rate_level:
                changes += (AlarmChange(sensor_id, RULE_RATE, state.rate_level, level, value,
                                        time),)
                state.rate_level = level
        return changes

    @staticmethod
    def _rate_level(state: _SensorState, rule: RateRule, value: float, time: float) -> int | None:
        window = state.window
        oldest_allowed = time - rule.window_s
        while window and window[0][0] < oldest_allowed:
            window.popleft()
        level = None
        if window:
            prev_time, prev_value = window[0]
            level = evaluate_rate(rule, prev_value, prev_time, value, time)
        window.append((time, value))
        return level

    def sweep_stale(self, now: float) -> list[AlarmChange]:
        """Mark sensors silent for too long; call periodically (not per reading)."""
        changes = []
        for sensor_id, state in self._sensors.items():
            config = state.config
            if config.interval_s is None or state.stale:
                continue
            if is_stale(state.last_seen, config.interval_s, config.stale_after, now):
                state.stale = True
                changes.append(AlarmChange(sensor_id, RULE_STALE, None, config.stale_level,
                                           None, now))
        return changes


# --- vectorised batch -------------------------------------------------------------------

@dataclass(frozen=True)
class ThresholdTable:
    """Thresholds of many sensors as arrays: ``upper``/``lower`` shape ``(n, 4)`` with column
    ``k`` = level ``k+1`` and NaN where a level is not set; ``deadband`` shape ``(n,)``."""

    upper: np.ndarray
    lower: np.ndarray
    deadband: np.ndarray

    @classmethod
    def from_rules(cls, rules: Sequence[ThresholdRule]) -> "ThresholdTable":
        n = len(rules)
        upper = np.full((n, 4), np.nan)
        lower = np.full((n, 4), np.nan)
        for row, rule in enumerate(rules):
            for level, threshold in rule.upper_pairs:
                upper[row, level - 1] = threshold
            for level, threshold in rule.lower_pairs:
                lower[row, level - 1] = threshold
        deadband = np.array([rule.deadband for rule in rules], dtype=float)
        return cls(upper, lower, deadband)


_LEVEL_COLUMNS = np.arange(1, 5)


def evaluate_threshold_batch(table: ThresholdTable, values: np.ndarray,
                             current_levels: np.ndarray) -> np.ndarray:
    """Vectorised :func:`evaluate_threshold` (with ``side=None``) for one reading per sensor.

    ``current_levels`` and the result are integer arrays with ``0`` meaning "no alarm".
    NaN values keep the current level.
    """
    values = np.asarray(values, dtype=float)
    current = np.asarray(current_levels, dtype=np.int64)
    held = (current[:, None] > 0) & (_LEVEL_COLUMNS[None, :] >= current[:, None])
    shift = np.where(held, table.deadband[:, None], 0.0)
    column_values = values[:, None]
    with np.errstate(invalid="ignore"):
        hit = (column_values >= table.upper - shift) | (column_values <= table.lower + shift)
    any_hit = hit.any(axis=1)
    levels = np.where(any_hit, hit.argmax(axis=1) + 1, 0)
    return np.where(np.isnan(values), current, levels)

