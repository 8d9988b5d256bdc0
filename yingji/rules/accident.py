"""Grades of 生产安全事故 under 《生产安全事故报告和调查处理条例》(国务院令第493号) 第三条.

Source: the statute text; confirmed (docs/rules.md §3).

=========== ========== ===================== ======================
等级         死亡        重伤（含急性工业中毒）   直接经济损失
=========== ========== ===================== ======================
特别重大事故  30人以上    100人以上              1亿元以上
重大事故      10–<30     50–<100               5000万–<1亿元
较大事故      3–<10      10–<50                1000万–<5000万元
一般事故      3人以下     10人以下               1000万元以下
=========== ========== ===================== ======================

"以上"包括本数，"以下"不包括本数, so every band is half-open ``[lo, hi)``. The three
criteria are alternatives ("或者"): the grade is the most severe one reached by any
criterion, and every criterion that reaches that grade is named in ``reasons``.

Zero figures: 第三条 gives 一般事故 no lower bound ("3人以下死亡…1000万元以下直接经济损失"),
so an accident with no casualties and no loss still grades 一般事故. Whether an event is a
生产安全事故 at all (or, e.g., a 较大涉险事故) is decided elsewhere, not here.

>>> grade_accident(3, 0, 0).grade
'较大事故'
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Callable

from yingji.rules.bands import Band, classify, most_severe

SOURCE = "《生产安全事故报告和调查处理条例》（国务院令第493号）第三条"

GRADE_NAMES: dict[int, str] = {
    1: "特别重大事故",
    2: "重大事故",
    3: "较大事故",
    4: "一般事故",
}

WAN = Decimal(10_000)
YI = Decimal(100_000_000)


@dataclass(frozen=True)
class AccidentCriterion:
    """One alternative criterion of 第三条 with its four bands (band label = level)."""

    code: str
    name: str
    bands: tuple[Band, ...]
    describe_value: Callable[[Decimal], str]
    band_wording: dict[int, str]  # level -> the statute's own wording of the band


def _people(unit_word: str) -> Callable[[Decimal], str]:
    return lambda value: f"{unit_word}{value}人"


def format_yuan(amount: Decimal) -> str:
    """Chinese money wording, exact: ``1亿元``, ``1000万元``, ``9999999.99元``, ``0元``."""
    if amount >= YI and amount % YI == 0:
        return f"{_plain(amount / YI)}亿元"
    if amount >= WAN and amount % WAN == 0:
        return f"{_plain(amount / WAN)}万元"
    return f"{_plain(amount)}元"


def wan_yuan(amount: Decimal | int | str) -> str:
    """A loss as reports state it: in 万元 to two decimals, no trailing zeros (``3500000`` →
    ``350万元``, ``12345.67`` → ``1.23万元``)."""
    value = (Decimal(str(amount)) / WAN).quantize(Decimal("0.01"))
    return f"{_plain(value)}万元"


def _plain(value: Decimal) -> str:
    """Decimal without exponent and without trailing zeros (``1E+3`` → ``1000``)."""
    return format(value.normalize(), "f")


def _loss(value: Decimal) -> str:
    return f"直接经济损失{format_yuan(value)}"


CRITERIA: tuple[AccidentCriterion, ...] = (
    AccidentCriterion(
        code="deaths",
        name="死亡人数",
        bands=(
            Band(1, lo=30),
            Band(2, lo=10, hi=30),
            Band(3, lo=3, hi=10),
            Band(4, lo=0, hi=3),
        ),
        describe_value=_people("死亡"),
        band_wording={1: "30人以上", 2: "10人以上30人以下", 3: "3人以上10人以下", 4: "3人以下"},
    ),
    AccidentCriterion(
        code="serious_injuries",
        name="重伤人数（含急性工业中毒）",
        bands=(
            Band(1, lo=100),
            Band(2, lo=50, hi=100),
            Band(3, lo=10, hi=50),
            Band(4, lo=0, hi=10),
        ),
        describe_value=_people("重伤（含急性工业中毒）"),
        band_wording={1: "100人以上", 2: "50人以上100人以下", 3: "10人以上50人以下", 4: "10人以下"},
    ),
    AccidentCriterion(
        code="direct_loss_yuan",
        name="直接经济损失",
        bands=(
            Band(1, lo=YI),
            Band(2, lo=5000 * WAN, hi=YI),
            Band(3, lo=1000 * WAN, hi=5000 * WAN),
            Band(4, lo=Decimal(0), hi=1000 * WAN),
        ),
        describe_value=_loss,
        band_wording={
            1: "1亿元以上",
            2: "5000万元以上1亿元以下",
            3: "1000万元以上5000万元以下",
            4: "1000万元以下",
        },
    ),
)


@dataclass(frozen=True)
class AccidentGrade:
    grade: str
    level: int
    reasons: list[str]
    criterion_levels: dict[str, int] = field(default_factory=dict)
    source: str = SOURCE

    def to_json(self) -> dict:
        return {"grade": self.grade, "level": self.level, "reasons": list(self.reasons)}


def grade_accident(deaths: int, serious_injuries: int,
                   direct_loss_yuan: Decimal | int | str) -> AccidentGrade:
    """Grade a 生产安全事故 by 第三条; the most severe criterion wins.

    Raises ``ValueError`` (Chinese message) for negative, non-integer or malformed input.
    """
    figures = {
        "deaths": _count(deaths, "死亡人数"),
        "serious_injuries": _count(serious_injuries, "重伤人数"),
        "direct_loss_yuan": parse_yuan(direct_loss_yuan),
    }
    criterion_levels = {c.code: _criterion_level(c, figures[c.code]) for c in CRITERIA}
    level, _ = most_severe((lvl, code) for code, lvl in criterion_levels.items())
    reasons = [
        _reason(c, figures[c.code], level) for c in CRITERIA if criterion_levels[c.code] == level
    ]
    return AccidentGrade(GRADE_NAMES[level], level, reasons, criterion_levels)


def _criterion_level(criterion: AccidentCriterion, value: Decimal) -> int:
    band = classify(value, criterion.bands)
    assert band is not None, "bands cover every non-negative value"
    return band.label


def _reason(criterion: AccidentCriterion, value: Decimal, level: int) -> str:
    reached = "属于" if level == 4 else "达到"
    standard = "" if level == 4 else "标准"
    return (f"{criterion.describe_value(value)}，{reached}{GRADE_NAMES[level]}{standard}"
            f"（{criterion.band_wording[level]}）")


def _count(value: int, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"{what}必须为整数")
    if value < 0:
        raise ValueError(f"{what}不能为负数")
    return Decimal(value)


def parse_yuan(value: Decimal | int | str) -> Decimal:
    """Money in yuan as ``Decimal``; floats are refused (binary rounding near 1000万/1亿)."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValueError("直接经济损失请以整数、字符串或Decimal填写（不接受浮点数）")
    if isinstance(value, str):
        try:
            value = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"直接经济损失金额格式不正确：{value!r}") from None
    elif isinstance(value, int):
        value = Decimal(value)
    elif not isinstance(value, Decimal):
        raise ValueError("直接经济损失请以整数、字符串或Decimal填写")
    if not value.is_finite():
        raise ValueError("直接经济损失必须是有限的数值")
    if value < 0:
        raise ValueError("直接经济损失不能为负数")
    return value
