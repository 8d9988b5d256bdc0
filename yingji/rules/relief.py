"""Natural-disaster relief response levels (自然灾害救助应急响应), table-driven.

National table: 《国家自然灾害救助应急预案》(国办函〔2024〕11号, 2024-01-20), chapter 5
(5.1–5.4 一级–四级). One province, one disaster process, **any one** condition starts the
level; "以上含本数，以下不含本数". Sources and confidence per threshold (see docs/disasters.md):

=====  ==========  ===================  ===========================  ==========================
级别    死亡和失踪    紧急转移安置和需紧急      倒塌和严重损坏房屋                干旱需政府救助人数
                    生活救助
=====  ==========  ===================  ===========================  ==========================
一级    ≥200人       ≥200万人               ≥30万间 或 ≥10万户              ≥农牧业人口30% 或 ≥400万人
二级    ≥100人       ≥100万人               ≥20万间 或 ≥7万户               ≥25% 或 ≥300万人
三级    ≥50人        ≥50万人                ≥10万间 或 ≥3万户               ≥20% 或 ≥200万人
四级    ≥20人        ≥10万人                ≥1万间 或 ≥3000户               ≥15% 或 ≥100万人
=====  ==========  ===================  ===========================  ==========================

一级: confirmed in the 2024 text (rules-cn.md §4.2 [C]). 二–四级: confirmed in the 2016 text
(国办函〔2016〕25号) and kept by the 2024 plan's structure (rules-cn.md §4.2 [C 2016 / P 2024]).

Each level's band in the plan is "X以上Y以下" with Y the next level's threshold, so "the
highest level whose threshold any condition reaches" is the same rule as the bands. The
adjacent-province linkage thresholds (相邻省联动) are not evaluated here.

A local table (辽宁省, a city or county plan) has the same shape with its own thresholds and
its document number (文号); :meth:`ReliefTable.from_dict` reads one entered by a bureau.

>>> relief_level(ReliefFigures(dead_missing=20)).label
'四级'
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

LEVEL_LABELS: dict[int, str] = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
WAN = 10_000


@dataclass(frozen=True)
class Condition:
    code: str
    name: str
    unit: str


CONDITIONS: tuple[Condition, ...] = (
    Condition("dead_missing", "死亡和失踪", "人"),
    Condition("relocated_or_needing_aid", "紧急转移安置和需紧急生活救助", "人"),
    Condition("collapsed_severe_rooms", "倒塌和严重损坏房屋", "间"),
    Condition("collapsed_severe_households", "倒塌和严重损坏房屋", "户"),
    Condition("drought_aid_people", "干旱需政府救助人数", "人"),
    Condition("drought_aid_share", "干旱需政府救助人数占农牧业人口比例", "%"),
)
CONDITION_BY_CODE = {c.code: c for c in CONDITIONS}


@dataclass(frozen=True)
class ReliefFigures:
    """The figures of one disaster process that the thresholds look at (all counts ≥ 0)."""

    dead_missing: int = 0
    relocated_or_needing_aid: int = 0
    collapsed_severe_rooms: int = 0
    collapsed_severe_households: int = 0
    drought_aid_people: int = 0
    agricultural_population: int = 0  # 农牧业人口: the denominator of the drought share

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, bool) or not isinstance(value, int):
                raise ValueError(f"{_FIGURE_NAMES[f.name]}必须为整数")
            if value < 0:
                raise ValueError(f"{_FIGURE_NAMES[f.name]}不能为负数")

    def value(self, code: str) -> Decimal | None:
        """The figure a condition compares, or None when it cannot be evaluated (share
        without an agricultural population)."""
        if code == "drought_aid_share":
            if self.agricultural_population == 0:
                return None
            return Decimal(self.drought_aid_people) * 100 / Decimal(self.agricultural_population)
        return Decimal(getattr(self, code))

    def reaches(self, code: str, threshold: Decimal) -> bool:
        """``figure >= threshold``, exact: the share is compared by cross-multiplication so
        that a quotient rounded to 28 digits can never cross a threshold."""
        if code == "drought_aid_share":
            if self.agricultural_population == 0:
                return False
            return Decimal(self.drought_aid_people) * 100 >= threshold * self.agricultural_population
        return Decimal(getattr(self, code)) >= threshold


_FIGURE_NAMES = {
    "dead_missing": "死亡和失踪人数", "relocated_or_needing_aid": "紧急转移安置和需紧急生活救助人数",
    "collapsed_severe_rooms": "倒塌和严重损坏房屋间数", "collapsed_severe_households": "倒塌和严重损坏房屋户数",
    "drought_aid_people": "干旱需政府救助人数", "agricultural_population": "农牧业人口",
}


@dataclass(frozen=True)
class ReliefTable:
    """A relief-response table: per level, the minimum figure of each condition (None: the
    condition does not apply at that level)."""

    code: str
    name: str
    document: str  # 文号, e.g. 国办函〔2024〕11号
    thresholds: Mapping[int, Mapping[str, Decimal | None]]
    source: str = ""
    confidence: Mapping[int, str] = field(default_factory=dict)  # level -> "C" / "P" / "R"
    note: str = ""

    def __post_init__(self):
        _check_table(self)

    def threshold(self, level: int, code: str) -> Decimal | None:
        return self.thresholds.get(level, {}).get(code)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReliefTable":
        """Read a table entered by a bureau: ``{"code", "name", "document", "thresholds":
        {"1": {"dead_missing": 10, ...}, ...}}``. Raises ``ValueError`` in Chinese."""
        try:
            code, name, document = (str(data[k]).strip() for k in ("code", "name", "document"))
            raw_levels = data["thresholds"]
        except (KeyError, TypeError):
            raise ValueError("救助响应分级表须包含 code、name、document（文号）和 thresholds") from None
        if not (code and name and document):
            raise ValueError("救助响应分级表的编码、名称和文号不能为空")
        if not isinstance(raw_levels, Mapping):
            raise ValueError("thresholds 须为“级别 → 条件阈值”的对象")
        thresholds: dict[int, dict[str, Decimal | None]] = {}
        for raw_level, conditions in raw_levels.items():
            try:
                level = int(raw_level)
            except (TypeError, ValueError):
                raise ValueError(f"响应级别“{raw_level}”无效，应为 1–4") from None
            if not isinstance(conditions, Mapping):
                raise ValueError(f"{LEVEL_LABELS.get(level, raw_level)}的条件须为对象")
            thresholds[level] = {c: _threshold(v, c) for c, v in conditions.items()}
        return cls(code=code, name=name, document=document, thresholds=thresholds,
                   source=str(data.get("source", "")), note=str(data.get("note", "")),
                   confidence={int(k): str(v) for k, v in (data.get("confidence") or {}).items()})

    def to_dict(self) -> dict:
        return {
            "code": self.code, "name": self.name, "document": self.document, "source": self.source,
            "note": self.note, "confidence": {str(k): v for k, v in self.confidence.items()},
            "thresholds": {str(level): {c: (None if v is None else _number(v)) for c, v in conds.items()}
                           for level, conds in sorted(self.thresholds.items())},
        }


def _threshold(value: Any, code: str) -> Decimal | None:
    if value is None or value == "":
        return None
    if code not in CONDITION_BY_CODE:
        raise ValueError(f"未知的启动条件“{code}”，可选：{'、'.join(CONDITION_BY_CODE)}")
    if isinstance(value, (bool, float)):
        raise ValueError(f"{CONDITION_BY_CODE[code].name}的阈值请以整数或字符串填写")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(f"{CONDITION_BY_CODE[code].name}的阈值格式不正确：{value!r}") from None
    if not number.is_finite() or number <= 0:
        raise ValueError(f"{CONDITION_BY_CODE[code].name}的阈值必须为正数")
    if code == "drought_aid_share" and number > 100:
        raise ValueError("干旱需救助人数占农牧业人口比例的阈值不能超过100%")
    return number


def _check_table(table: ReliefTable) -> None:
    """Levels 1–4 only; each condition's threshold must not rise from a higher level to a lower
    one (a 四级 threshold above the 三级 one would make 三级 unreachable by that condition)."""
    for level, conditions in table.thresholds.items():
        if level not in LEVEL_LABELS:
            raise ValueError(f"响应级别“{level}”无效，应为 1–4")
        for code in conditions:
            if code not in CONDITION_BY_CODE:
                raise ValueError(f"未知的启动条件“{code}”，可选：{'、'.join(CONDITION_BY_CODE)}")
    if not any(v is not None for conds in table.thresholds.values() for v in conds.values()):
        raise ValueError("救助响应分级表至少要有一个启动条件")
    for cond in CONDITIONS:
        previous = None
        for level in sorted(table.thresholds):
            value = table.threshold(level, cond.code)
            if value is None:
                continue
            if previous is not None and value > previous[1]:
                raise ValueError(
                    f"{cond.name}（{cond.unit}）：{LEVEL_LABELS[level]}阈值 {_number(value)} 高于"
                    f"{LEVEL_LABELS[previous[0]]}阈值 {_number(previous[1])}")
            previous = (level, value)


def _number(value: Decimal) -> int | str:
    """A threshold or figure for JSON: an int when integral, else a plain decimal string."""
    if value == value.to_integral_value():
        return int(value)
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class ConditionResult:
    code: str
    name: str
    unit: str
    figure: Decimal | None
    level: int | None  # highest level this condition reaches alone
    threshold: Decimal | None  # the threshold of that level
    next_level: int | None  # the next higher level this condition could reach
    next_threshold: Decimal | None

    def to_json(self) -> dict:
        data = {
            "code": self.code, "name": self.name, "unit": self.unit,
            "figure": None if self.figure is None else _figure_json(self.figure, self.code),
            "level": self.level, "label": LEVEL_LABELS.get(self.level) if self.level else None,
            "threshold": None if self.threshold is None else _number(self.threshold),
        }
        if self.next_level is not None:
            data["next_level"] = self.next_level
            data["next_label"] = LEVEL_LABELS[self.next_level]
            data["next_threshold"] = _number(self.next_threshold)
        return data

    @property
    def gap(self) -> Decimal | None:
        """How much the figure must still grow to reach ``next_level`` (what changes it)."""
        if self.next_threshold is None or self.figure is None:
            return None
        return self.next_threshold - self.figure

    def describe(self) -> str:
        if self.level is None:
            return f"{self.name}{_figure_text(self)}，未达到启动条件"
        return (f"{self.name}{_figure_text(self)}，达到{LEVEL_LABELS[self.level]}响应条件"
                f"（{_number(self.threshold)}{self.unit}以上）")


def _figure_json(value: Decimal, code: str):
    if code == "drought_aid_share":
        return format(value.quantize(Decimal("0.01")), "f")
    return _number(value)


def _figure_text(result: ConditionResult) -> str:
    if result.figure is None:
        return "（无农牧业人口，无法计算）"
    return f"{_figure_json(result.figure, result.code)}{result.unit}"


@dataclass(frozen=True)
class ReliefLevel:
    level: int | None
    label: str | None
    conditions: list[ConditionResult]  # those that reach ``level`` (what met it)
    evaluations: list[ConditionResult]  # every condition, with what would raise it
    table: str

    def to_json(self) -> dict:
        return {"level": self.level, "label": self.label,
                "conditions": [c.to_json() for c in self.conditions], "table": self.table}


def evaluate_condition(table: ReliefTable, figures: ReliefFigures, code: str) -> ConditionResult:
    cond = CONDITION_BY_CODE[code]
    figure = figures.value(code)
    reached = None
    if figure is not None:
        for level in sorted(table.thresholds):
            threshold = table.threshold(level, code)
            if threshold is not None and figures.reaches(code, threshold):
                reached = level
                break
    higher = [lvl for lvl in sorted(table.thresholds, reverse=True)
              if table.threshold(lvl, code) is not None and (reached is None or lvl < reached)]
    next_level = higher[0] if higher and figure is not None else None
    return ConditionResult(
        code=code, name=cond.name, unit=cond.unit, figure=figure, level=reached,
        threshold=table.threshold(reached, code) if reached else None,
        next_level=next_level, next_threshold=table.threshold(next_level, code) if next_level else None,
    )


def relief_level(figures: ReliefFigures, table: "ReliefTable | None" = None) -> ReliefLevel:
    """The response level: the highest level any one condition reaches ("以上含本数")."""
    table = table or NATIONAL_2024
    evaluations = [evaluate_condition(table, figures, c.code) for c in CONDITIONS
                   if any(table.threshold(lvl, c.code) is not None for lvl in table.thresholds)]
    levels = [e.level for e in evaluations if e.level is not None]
    level = min(levels) if levels else None
    met = [e for e in evaluations if level is not None and e.level == level]
    return ReliefLevel(level, LEVEL_LABELS.get(level) if level else None, met, evaluations, table.code)


def _levels(*rows: tuple[int, int, int, int, int, int]) -> dict[int, dict[str, Decimal]]:
    codes = [c.code for c in CONDITIONS]
    return {level: {code: Decimal(v) for code, v in zip(codes, row)} for level, *row in rows}


NATIONAL_2024 = ReliefTable(
    code="national-2024",
    name="国家自然灾害救助应急响应（单省一次灾害过程）",
    document="国办函〔2024〕11号",
    source="《国家自然灾害救助应急预案》（国办函〔2024〕11号）5.1–5.4；二至四级数值见国办函〔2016〕25号",
    confidence={1: "C", 2: "P", 3: "P", 4: "P"},
    # level, dead+missing, relocated+needing aid, rooms, households, drought people, drought share %
    thresholds=_levels(
        (1, 200, 200 * WAN, 30 * WAN, 10 * WAN, 400 * WAN, 30),
        (2, 100, 100 * WAN, 20 * WAN, 7 * WAN, 300 * WAN, 25),
        (3, 50, 50 * WAN, 10 * WAN, 3 * WAN, 200 * WAN, 20),
        (4, 20, 10 * WAN, 1 * WAN, 3000, 100 * WAN, 15),
    ),
    note="全国默认值（按省、一次灾害过程）；市、县应录入辽宁省及本地自然灾害救助应急预案的分级表。",
)

TABLES: dict[str, ReliefTable] = {NATIONAL_2024.code: NATIONAL_2024}


def mask_id_number(value: str) -> str:
    """An ID number as shown on a public notice (公示): the first 6 digits (the region) and the
    last 4, the birth date and sequence hidden (个人信息保护法 第五十一条: de-identify what is
    published). Short or empty values are hidden entirely."""
    text = (value or "").strip()
    if len(text) < 10:
        return "*" * len(text)
    return text[:6] + "*" * (len(text) - 10) + text[-4:]
