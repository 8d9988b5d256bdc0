"""Disaster loss reports (灾情报告): stages, their order, time limits, and the jump rule.

Sources (rules-cn-2.md §1.5, rules-cn.md §4.3):

* One 初报, several 续报, one 核报 per 一次灾害过程 [A: 辽宁省灾情统计报送和核查办法 (2023),
  reproduced on tiedong.gov.cn]. The 初报 opens, 续报 track changes, the 核报 closes.
* 初报 county → city within 2 h of the disaster; city and province each review and forward
  within 2 h of receipt [B: 2019 draft of the 制度 and older national/provincial texts].
* County with ≥10 dead (incl. missing) reports at the same time to province and ministry [B].
* 24-hour zero reporting during 特别重大/重大 disasters: county by 09:00, city by 10:00,
  province by 12:00, data to 24:00 the day before [daily reporting: A 条例第十七条; clock times: B].
* Drought: 续报 every 10 days [B].
* 核报 after 灾情稳定 (a declared state, ``stabilised_at``): county 2 working days, city 3,
  province 5 [B older texts; the 2020 values are unconfirmed — configuration, not law].
* Sharp jump or drop between reports needs a written explanation; cumulative values must not
  fall without one [A: 辽宁办法 第九条, via rules-cn-2.md §1.4]. What counts as "sharp" is not
  defined in the texts we read: :data:`DEFAULT_JUMP_RULE` is our documented, configurable choice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Mapping

from .deadlines import (CLOCK_OCCURRED, CLOCK_RECEIVED, CLOCK_STABILISED, Deadline, DeadlineRule,
                        deadline_from, due_for)

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

# Hazard types (灾种) of the 自然灾害情况统计调查制度 (应急〔2020〕19号) §一 [A: rules-cn-2.md §1.2].
# Codes are ours (stable ASCII); the GB/T 28921-2012 numeric codes were not available to check.
HAZARD_TYPES: dict[str, str] = {
    "flood": "洪涝", "drought": "干旱", "typhoon": "台风", "wind_hail": "风雹", "low_temperature": "低温冷冻",
    "snow": "雪灾", "sandstorm": "沙尘暴", "earthquake": "地震", "collapse": "崩塌", "landslide": "滑坡",
    "debris_flow": "泥石流", "storm_surge": "风暴潮", "tsunami": "海啸", "forest_grassland_fire": "森林草原火灾",
    "biological": "重大生物灾害", "other": "其他",
}

INITIAL, UPDATE, FINAL = "initial", "update", "final"
STAGES: dict[str, str] = {INITIAL: "初报", UPDATE: "续报", FINAL: "核报"}


class StageError(ValueError):
    pass


def next_stage_allowed(previous: list[str], stage: str, *, stabilised: bool) -> None:
    """Raise ``StageError`` (Chinese) unless ``stage`` may follow the stages already filed by
    one division for one event: 初报 first and once, 续报 after it, 核报 once after
    stabilisation, nothing after 核报."""
    if stage not in STAGES:
        raise StageError(f"未知的报告阶段“{stage}”，可选：初报、续报、核报")
    if FINAL in previous:
        raise StageError("该区划本次灾害过程已核报，不能再报送；如需更正请联系上级退回")
    if stage == INITIAL and previous:
        raise StageError("初报只能报送一次，后续变化请报送续报")
    if stage != INITIAL and INITIAL not in previous:
        raise StageError("须先报送初报")
    if stage == FINAL and not stabilised:
        raise StageError("灾情稳定后才能核报：请先标记本次灾害过程灾情稳定")


# Time limits by stage and reporting level, as rows of the deadline engine that incidents use
# (``rules.deadlines``: the same rule type, due-time arithmetic and overdue test).
OLD_RULES = "民政部门灾情报告旧规（fsou.com 174138/174152）"
STATS_SYSTEM_2019 = "《自然灾害情况统计调查制度》2019修订稿；辽宁省灾情统计报送和核查办法"
RELIEF_REGULATION = "《自然灾害救助条例》第十七条：灾情稳定前，每日逐级上报"


@dataclass(frozen=True)
class StageDeadline:
    stage: str
    level: str  # reporting division level: county / city / province
    rule: DeadlineRule

    @property
    def amount(self) -> int:
        return self.rule.duration.days if self.rule.working_days else int(self.rule.duration.total_seconds() // 3600)

    @property
    def unit(self) -> str:
        return "working_days" if self.rule.working_days else "hours"

    @property
    def clock(self) -> str:
        return self.rule.clock

    @property
    def source(self) -> str:
        return self.rule.source

    @property
    def confidence(self) -> str:
        return self.rule.confidence

    @property
    def text(self) -> str:
        unit = "小时" if self.unit == "hours" else "个工作日"
        start = {CLOCK_OCCURRED: "灾害发生后", CLOCK_RECEIVED: "收到下级报告后", CLOCK_STABILISED: "灾情稳定后"}[self.clock]
        return f"{start}{self.amount}{unit}内"


def _row(stage: str, level: str, amount: int, working: bool, clock: str, source: str, confidence: str) -> StageDeadline:
    label = f"{LEVEL_NAMES[level]}{STAGES[stage]}"
    duration = timedelta(days=amount) if working else timedelta(hours=amount)
    return StageDeadline(stage, level, DeadlineRule("", "natural", f"disaster_{stage}_{level}", label, duration, clock,
                                                    source, working_days=working, confidence=confidence))


LEVEL_NAMES = {"county": "县级", "city": "市级", "province": "省级"}
STAGE_DEADLINES: tuple[StageDeadline, ...] = (
    _row(INITIAL, "county", 2, False, CLOCK_OCCURRED, STATS_SYSTEM_2019, "B"),
    _row(INITIAL, "city", 2, False, CLOCK_RECEIVED, OLD_RULES, "B"),
    _row(INITIAL, "province", 2, False, CLOCK_RECEIVED, OLD_RULES, "B"),
    _row(FINAL, "county", 2, True, CLOCK_STABILISED, "旧版省级灾情报告规定；2020版未核实", "B"),
    _row(FINAL, "city", 3, True, CLOCK_RECEIVED, "旧版省级灾情报告规定；2020版未核实", "B"),
    _row(FINAL, "province", 5, True, CLOCK_RECEIVED, "旧版省级灾情报告规定；2020版未核实", "B"),
)

# 24-hour zero reporting (零报告) clock times, Beijing time, data to 24:00 of the previous day.
ZERO_REPORT_TIMES: dict[str, time] = {"county": time(9, 0), "city": time(10, 0), "province": time(12, 0)}
ZERO_REPORT_SOURCE = f"{RELIEF_REGULATION}（A）；县9时、市10时、省12时前报送前一日24时数据：旧规（B）"
DROUGHT_UPDATE_DAYS = 10
BYPASS_DEAD_MISSING = 10  # county reports to province and ministry at the same time


def stage_deadline(stage: str, level: str) -> StageDeadline | None:
    for row in STAGE_DEADLINES:
        if row.stage == stage and row.level == level:
            return row
    return None


def due_at(row: StageDeadline, start: datetime) -> datetime:
    """When the stage is due for a clock started at ``start`` (the engine's arithmetic)."""
    return due_for(row.rule, start)


def stage_deadline_for(row: StageDeadline, start: datetime) -> Deadline:
    return deadline_from(row.rule, start)


def zero_report_deadline(level: str, day: date) -> Deadline:
    """The daily report of ``day`` (data to 24:00 of the day before), due at the level's clock
    time that day; its clock starts at 00:00."""
    begin = datetime.combine(day, time(0, 0), BEIJING)
    return Deadline(f"disaster_daily_{level}", f"{LEVEL_NAMES[level]}每日灾情（零）报告",
                    datetime.combine(day, ZERO_REPORT_TIMES[level], BEIJING), ZERO_REPORT_SOURCE,
                    CLOCK_RECEIVED, begin, False, "B")


def next_zero_report(level: str, now: datetime) -> datetime:
    """The next daily zero-report time for ``level`` at or after ``now``."""
    local = now.astimezone(BEIJING)
    at = datetime.combine(local.date(), ZERO_REPORT_TIMES[level], BEIJING)
    return at if at >= local else at + timedelta(days=1)


@dataclass(frozen=True)
class JumpRule:
    """A figure "jumps sharply" when it falls at all (cumulative figures must not fall without
    an explanation) or when it rises by more than ``ratio`` of the previous value and by at
    least ``min_increase`` (so that 1 → 3 is not a jump)."""

    ratio: Decimal = Decimal(1)  # +100%: more than doubles
    min_increase: Decimal = Decimal(10)


DEFAULT_JUMP_RULE = JumpRule()


@dataclass(frozen=True)
class Jump:
    field: str
    previous: Decimal
    current: Decimal
    kind: str  # "decrease" or "increase"

    def to_json(self) -> dict:
        return {"field": self.field, "previous": str(self.previous), "current": str(self.current), "kind": self.kind}


def sharp_jumps(previous: Mapping[str, Decimal | int], current: Mapping[str, Decimal | int],
                rule: JumpRule = DEFAULT_JUMP_RULE) -> list[Jump]:
    """The figures of ``current`` that changed sharply against ``previous`` (same keys)."""
    jumps = []
    for name, now in current.items():
        before = Decimal(previous.get(name, 0) or 0)
        now = Decimal(now or 0)
        if now < before:
            jumps.append(Jump(name, before, now, "decrease"))
        elif now - before >= rule.min_increase and now > before * (1 + rule.ratio):
            jumps.append(Jump(name, before, now, "increase"))
    return jumps


# Relief logistics time targets (hours), each with its source.
@dataclass(frozen=True)
class TimeTarget:
    code: str
    name: str
    hours: int
    source: str
    confidence: str


RELIEF_TIME_TARGETS: dict[str, TimeTarget] = {t.code: t for t in (
    TimeTarget("load", "生活类救灾物资装运完毕", 4, "《辽宁省“十三五”应急体系建设规划》（2016）：4小时内能装运完毕", "C"),
    TimeTarget("deliver", "生活类救灾物资运抵灾区", 8, "《辽宁省“十三五”应急体系建设规划》（2016）：8小时内能运抵灾区", "C"),
    TimeTarget("basic_aid", "受灾人员基本生活得到有效救助", 10,
               "本溪市“十四五”应急体系规划（2022）：缩短至10小时以内；国家预案2024同为10小时（未核实）", "C"),
)}


def target_state(start: datetime, done: datetime | None, target: TimeTarget, now: datetime) -> tuple[str, float | None]:
    """("met" | "late" | "running" | "overdue", hours taken or None) for one time target."""
    due = start + timedelta(hours=target.hours)
    if done is not None:
        hours = (done - start).total_seconds() / 3600
        return ("met" if done <= due else "late"), round(hours, 1)
    return ("overdue" if now > due else "running"), None
