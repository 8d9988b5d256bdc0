"""The seven core indicators of the Fuxin and Benxi 14th Five-Year emergency plans.

Source: 《阜新市“十四五”应急体系规划》(阜政办发〔2022〕9号) §三(三)2 "核心指标", all 约束性
(binding) [C: plan text, lines 114–162]; 本溪 (2022 gazette No. 3) lists the same seven with
the same targets, the last three as 预期性 (expected) [C: plan text, line 1497].

=== =========================================== ======== =====================================
#   指标                                         目标      formula (this module)
=== =========================================== ======== =====================================
1   生产安全事故死亡人数                          下降15%   (current − baseline) / baseline × 100
2   较大以上生产安全事故起数                      下降10%   same, on the count of 较大+ accidents
3   单位国内生产总值生产安全事故死亡率            下降33%   deaths / GDP(亿元); change vs baseline
4   工矿商贸就业人员十万人生产安全事故死亡率      下降20%   deaths / workers × 100 000; change
5   平均每百万人口因自然灾害死亡率                <1        deaths / population × 1 000 000
6   年均每十万人受灾人次                          <15000    affected person-times / pop × 100 000
7   年均因自然灾害直接经济损失占国内生产总值比例  <1%       loss(万元) / (GDP(亿元) × 10 000) × 100
=== =========================================== ======== =====================================

The plans give no formulas; the ones here are the standard definitions of these rates (the
national 14th FYP uses the same names) [C]. Choices we made, documented in docs/disasters.md:
"年均/平均" over several years is the ratio of sums (total deaths over total population-years),
i.e. the population-weighted mean; indicator 5 counts deaths only (``include_missing`` adds
the missing); reductions are measured against the baseline year's value (2020 for the 14th FYP).

All arithmetic is ``Decimal``; results are rounded half-up for display only via :func:`rounded`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Iterable

YI = Decimal(100_000_000)
WAN = Decimal(10_000)

TARGET_REDUCTION = "reduction"  # the change vs baseline must be ≤ −target %
TARGET_BELOW = "below"  # the value must be < target

PLAN_SOURCE = "《阜新市“十四五”应急体系规划》（阜政办发〔2022〕9号）核心指标"


@dataclass(frozen=True)
class Indicator:
    number: int
    code: str
    name: str
    unit: str
    target_kind: str
    target: Decimal
    binding: bool = True
    source: str = PLAN_SOURCE

    @property
    def target_text(self) -> str:
        if self.target_kind == TARGET_REDUCTION:
            return f"下降{_plain(self.target)}%"
        return f"<{_plain(self.target)}{'%' if self.unit == '%' else ''}"

    def met(self, value: Decimal) -> bool:
        """Whether ``value`` meets the target: for a reduction indicator ``value`` is the change
        in percent vs the baseline (−15 meets "下降15%"), otherwise the indicator itself."""
        if self.target_kind == TARGET_REDUCTION:
            return value <= -self.target
        return value < self.target


INDICATORS: tuple[Indicator, ...] = (
    Indicator(1, "accident_deaths", "生产安全事故死亡人数", "人", TARGET_REDUCTION, Decimal(15)),
    Indicator(2, "major_accidents", "较大以上生产安全事故起数", "起", TARGET_REDUCTION, Decimal(10)),
    Indicator(3, "deaths_per_gdp", "单位国内生产总值生产安全事故死亡率", "人/亿元", TARGET_REDUCTION, Decimal(33)),
    Indicator(4, "deaths_per_100k_workers", "工矿商贸就业人员十万人生产安全事故死亡率", "人/10万人",
              TARGET_REDUCTION, Decimal(20)),
    Indicator(5, "disaster_deaths_per_million", "平均每百万人口因自然灾害死亡率", "人/百万人", TARGET_BELOW, Decimal(1)),
    Indicator(6, "affected_per_100k", "年均每十万人受灾人次", "人次/10万人", TARGET_BELOW, Decimal(15000)),
    Indicator(7, "loss_share_of_gdp", "年均因自然灾害直接经济损失占国内生产总值比例", "%", TARGET_BELOW, Decimal(1)),
)
INDICATOR_BY_CODE = {i.code: i for i in INDICATORS}


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def as_decimal(value, what: str, *, positive: bool = False) -> Decimal:
    """A figure as ``Decimal``; floats are refused (binary rounding), negatives too."""
    if isinstance(value, (bool, float)):
        raise ValueError(f"{what}请以整数、字符串或Decimal填写（不接受浮点数）")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{what}的数值格式不正确：{value!r}") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{what}不能为负数")
    if positive and number == 0:
        raise ValueError(f"{what}必须大于0")
    return number


def change_percent(current, baseline) -> Decimal:
    """(current − baseline) / baseline × 100. A zero baseline has no relative change."""
    cur = as_decimal(current, "本期数值")
    base = as_decimal(baseline, "基期数值", positive=True)
    return (cur - base) * 100 / base


def deaths_per_gdp(deaths, gdp_yi) -> Decimal:
    """亿元国内生产总值生产安全事故死亡率: deaths per 100 million yuan of GDP (GDP in 亿元)."""
    return as_decimal(deaths, "死亡人数") / as_decimal(gdp_yi, "国内生产总值（亿元）", positive=True)


def deaths_per_100k_workers(deaths, workers) -> Decimal:
    return as_decimal(deaths, "死亡人数") * 100_000 / as_decimal(workers, "工矿商贸就业人员数", positive=True)


def disaster_deaths_per_million(deaths, population, missing=0, *, include_missing: bool = False) -> Decimal:
    dead = as_decimal(deaths, "因灾死亡人数") + (as_decimal(missing, "因灾失踪人数") if include_missing else 0)
    return dead * 1_000_000 / as_decimal(population, "人口数", positive=True)


def affected_per_100k(affected_person_times, population) -> Decimal:
    return (as_decimal(affected_person_times, "受灾人次") * 100_000
            / as_decimal(population, "人口数", positive=True))


def loss_share_of_gdp(loss_wan, gdp_yi) -> Decimal:
    """Direct economic loss (万元) as percent of GDP (亿元): 1亿元 = 10 000万元."""
    return (as_decimal(loss_wan, "直接经济损失（万元）") * 100
            / (as_decimal(gdp_yi, "国内生产总值（亿元）", positive=True) * WAN))


@dataclass(frozen=True)
class YearFigures:
    """One year's figures and baselines for one division (the inputs of all seven)."""

    year: int
    accident_deaths: int = 0
    major_accidents: int = 0
    gdp_yi: Decimal | None = None
    workers: int | None = None  # 工矿商贸就业人员
    population: int | None = None
    disaster_deaths: int = 0
    disaster_missing: int = 0
    affected_person_times: int = 0
    disaster_loss_wan: Decimal = Decimal(0)


def period_average(years: Iterable[YearFigures], indicator: str, *, include_missing: bool = False) -> Decimal:
    """"年均/平均" indicators 5–7 over several years: ratio of sums (population-weighted mean)."""
    rows = list(years)
    if not rows:
        raise ValueError("没有年度数据")
    if indicator == "disaster_deaths_per_million":
        return disaster_deaths_per_million(sum(r.disaster_deaths for r in rows), _total(rows, "population"),
                                           sum(r.disaster_missing for r in rows), include_missing=include_missing)
    if indicator == "affected_per_100k":
        return affected_per_100k(sum(r.affected_person_times for r in rows), _total(rows, "population"))
    if indicator == "loss_share_of_gdp":
        return loss_share_of_gdp(sum((Decimal(r.disaster_loss_wan) for r in rows), Decimal(0)), _total(rows, "gdp_yi"))
    raise ValueError(f"“{indicator}”不是年均指标")


def _total(rows: list[YearFigures], name: str) -> Decimal:
    values = [getattr(r, name) for r in rows]
    missing = [r.year for r, v in zip(rows, values) if v is None]
    if missing:
        raise ValueError(f"{'、'.join(map(str, missing))}年缺少基础数据（{name}）")
    return sum((Decimal(v) for v in values), Decimal(0))


def annual_value(row: YearFigures, indicator: str, *, include_missing: bool = False) -> Decimal:
    """The indicator's own value for one year (for 1–4 the level, not the change)."""
    if indicator == "accident_deaths":
        return Decimal(row.accident_deaths)
    if indicator == "major_accidents":
        return Decimal(row.major_accidents)
    if indicator == "deaths_per_gdp":
        return deaths_per_gdp(row.accident_deaths, _need(row, "gdp_yi"))
    if indicator == "deaths_per_100k_workers":
        return deaths_per_100k_workers(row.accident_deaths, _need(row, "workers"))
    return period_average([row], indicator, include_missing=include_missing)


def _need(row: YearFigures, name: str):
    value = getattr(row, name)
    if value is None:
        raise ValueError(f"{row.year}年缺少基础数据（{name}）")
    return value


def assess(indicator: str, current: YearFigures, baseline: YearFigures | None = None) -> dict:
    """Value, target and whether it is met, for one indicator and one year."""
    ind = INDICATOR_BY_CODE[indicator]
    value = annual_value(current, indicator)
    result = {"code": ind.code, "name": ind.name, "unit": ind.unit, "target": ind.target_text, "value": value}
    if ind.target_kind == TARGET_REDUCTION:
        if baseline is None:
            raise ValueError(f"{ind.name}须有基期数据")
        base = annual_value(baseline, indicator)
        change = change_percent(value, base)
        result.update(baseline=base, change_percent=change, met=ind.met(change))
    else:
        result["met"] = ind.met(value)
    return result


def rounded(value: Decimal, places: int = 2) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
