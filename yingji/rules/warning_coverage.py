"""The plans' coverage rule for public warnings: 预警信息公众覆盖率 ≥ 90 %.

Source: 《本溪市应急体系建设“十四五”规划》(本政办发〔2022〕4号), 主要目标, sub-target
"灾害预警信息公众覆盖率达到90%" (source plan line 1503; the warning-release system S9 names the
same KPI, line 1545). The Fuxin plan (阜政办发〔2022〕9号) asks to "raise warning-release coverage"
(预警发布覆盖率) of the meteorological release platform without a figure; the 90 % of the Benxi plan
is the only figure in the Liaoning plans, so it is the target here. See docs/rules.md §8.

The plans define no formula. Per warning we measure (our reading, docs/warnings.md):

    覆盖率 = 公众中已收到（网关已接收或已送达）预警短信的人数 ÷ 预警区域常住人口

Only messages the delivery records show as accepted or delivered count; emergency broadcast and the
web page reach "everyone in the area" in principle but nobody can count who heard them, so they are
listed beside the figure, not added to it. Without a population figure the rule cannot be assessed
(shown as such, never as met). Exact integer comparison: met when reached × 100 ≥ 90 × population.
"""

from __future__ import annotations

from dataclasses import dataclass

TARGET_PERCENT = 90
RULE_TEXT = "灾害预警信息公众覆盖率 ≥90%"
RULE_SOURCE = "《本溪市应急体系建设“十四五”规划》（本政办发〔2022〕4号）主要目标"

MET, NOT_MET, UNKNOWN = "met", "not_met", "unknown"
VERDICT_LABELS = {MET: "达标", NOT_MET: "未达标", UNKNOWN: "无法评估"}


@dataclass(frozen=True)
class CoverageVerdict:
    verdict: str  # met / not_met / unknown
    reached: int
    population: int
    ratio: float | None  # reached / population, for display only
    reason: str

    @property
    def label(self) -> str:
        return VERDICT_LABELS[self.verdict]

    @property
    def met(self) -> bool | None:
        return None if self.verdict == UNKNOWN else self.verdict == MET


def percent_text(ratio: float | None) -> str:
    """A ratio as a bureau writes it: one decimal, never rounded up across the target."""
    if ratio is None:
        return "—"
    tenths = int(ratio * 1000)  # truncate: 89.96 % shows as 89.9 %, not 90.0 %
    return f"{tenths // 10}.{tenths % 10}%"


def assess(reached: int, population: int) -> CoverageVerdict:
    """Check one warning's public reach against the plans' 90 % target."""
    if reached < 0 or population < 0:
        raise ValueError("counts cannot be negative")
    if population == 0:
        return CoverageVerdict(UNKNOWN, reached, 0, None, "未登记预警区域的常住人口，无法计算公众覆盖率")
    ratio = reached / population
    shown = percent_text(ratio)
    if reached * 100 >= TARGET_PERCENT * population:
        return CoverageVerdict(MET, reached, population, ratio,
                               f"已覆盖 {reached:,} 人 ÷ 常住人口 {population:,} 人 = {shown}，达到 {TARGET_PERCENT}% 的目标")
    short = -(-(TARGET_PERCENT * population) // 100) - reached  # ceil(0.9 × population) − reached
    return CoverageVerdict(NOT_MET, reached, population, ratio,
                           f"已覆盖 {reached:,} 人 ÷ 常住人口 {population:,} 人 = {shown}，"
                           f"低于 {TARGET_PERCENT}% 的目标（还差 {short:,} 人）")
