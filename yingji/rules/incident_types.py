"""Classification of 突发事件 and table-driven grading for event types other than accidents.

Categories: 突发事件应对法 (2024) 第二条 — 自然灾害、事故灾难、公共卫生事件、社会安全事件
(confirmed); sub-types follow the 2005/2025 national 总体应急预案 wording (confirmed) plus the
categories of Fuxin's 22 专项应急指挥部 (阜政办发〔2022〕9号 第三部分, confirmed). Sources and
confidence: docs/rules.md §5.

Code scheme (our own, stable; GB/T 35561-2017 codes were not available to us, so
``gbt35561`` is left empty until the standard text is checked):

    <category>.<subtype>   lowercase ASCII, e.g. ``natural.earthquake``, ``accident.hazchem``

``category`` is one of ``natural``, ``accident``, ``public_health``, ``social_safety``.
Codes are never renamed or reused; retire a code by adding a new one.

The special HQ column names an HQ *category* (the 7 natural-disaster and 15 work-safety 专项指挥部
categories of Fuxin's plan, which cover every sub-type that has one). Which headquarters an
installation actually has, and what they are called, is configuration: its profile
(``yingji/profiles/<name>.toml``, docs/profiles.md) lists them by category code.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

from yingji.rules.bands import Band, classify, most_severe

WAN = 10_000

CATEGORIES: dict[str, str] = {
    "natural": "自然灾害",
    "accident": "事故灾难",
    "public_health": "公共卫生事件",
    "social_safety": "社会安全事件",
}


@dataclass(frozen=True)
class SpecialHQ:
    code: str
    name: str  # short name as the plan lists it
    kind: str  # "natural" (自然灾害类) or "work_safety" (安全生产类)

    @property
    def full_name(self) -> str:
        return f"{self.name}应急专项指挥部"


# The HQ categories (code scheme, generic names). The list follows the order of 阜政办发〔2022〕9号
# 第三部分, where it comes from; the Fuxin profile's own HQs are in yingji/profiles/fuxin.toml.
HQ_CATEGORY_TABLE: tuple[SpecialHQ, ...] = (
    # 自然灾害类 (7)
    SpecialHQ("earthquake", "地震灾害", "natural"),
    SpecialHQ("geological", "地质灾害", "natural"),
    SpecialHQ("flood_drought", "防汛抗旱", "natural"),
    SpecialHQ("meteorological", "气象灾害", "natural"),
    SpecialHQ("forest_grassland", "森林草原灾害", "natural"),
    SpecialHQ("agricultural", "农业灾害", "natural"),
    SpecialHQ("natural_disaster", "自然灾害", "natural"),
    # 安全生产类 (15)
    SpecialHQ("work_safety", "安全生产事故", "work_safety"),
    SpecialHQ("hazchem", "危险化学品事故", "work_safety"),
    SpecialHQ("coal_mine", "煤矿事故", "work_safety"),
    SpecialHQ("manufacturing", "制造业事故", "work_safety"),
    SpecialHQ("non_coal_mine", "非煤矿山事故", "work_safety"),
    SpecialHQ("major_fire", "重特大火灾事故", "work_safety"),
    SpecialHQ("construction", "建设工程事故", "work_safety"),
    SpecialHQ("grid_blackout", "电网大面积停电事故", "work_safety"),
    SpecialHQ("utilities", "供热供水供气事故", "work_safety"),
    SpecialHQ("major_traffic", "重特大交通事故", "work_safety"),
    SpecialHQ("environmental", "突发环境事件", "work_safety"),
    SpecialHQ("highway", "公路交通突发事件", "work_safety"),
    SpecialHQ("tourism", "旅游突发事件", "work_safety"),
    SpecialHQ("education", "教育突发事件", "work_safety"),
    SpecialHQ("communications", "通信保障突发事件", "work_safety"),
)

_HQ_BY_CODE = {hq.code: hq for hq in HQ_CATEGORY_TABLE}
HQ_CATEGORIES: dict[str, tuple[str, str]] = {hq.code: (hq.name, hq.kind) for hq in HQ_CATEGORY_TABLE}


@dataclass(frozen=True)
class IncidentType:
    code: str
    name: str
    category: str
    special_hq: str | None  # an HQ category code (HQ_CATEGORIES), None when no category handles it
    decree_493: bool = False  # graded and reported under 国务院令第493号
    examples: str = ""
    gbt35561: str | None = None

    @property
    def category_name(self) -> str:
        return CATEGORIES[self.category]


# Decree 493 第二条 excludes 环境污染事故、核设施事故、国防科研生产事故; 电网停电 is graded by
# its own regulation, so those rows are not ``decree_493``.
INCIDENT_TYPES: tuple[IncidentType, ...] = (
    # 自然灾害
    IncidentType("natural.earthquake", "地震灾害", "natural", "earthquake",
                 examples="破坏性地震、矿震引发的地面破坏"),
    IncidentType("natural.geological", "地质灾害", "natural", "geological",
                 examples="滑坡、崩塌、泥石流、地面塌陷、采空区塌陷"),
    IncidentType("natural.flood", "洪涝灾害", "natural", "flood_drought",
                 examples="江河洪水、山洪、城市内涝"),
    IncidentType("natural.drought", "干旱灾害", "natural", "flood_drought"),
    IncidentType("natural.meteorological", "气象灾害", "natural", "meteorological",
                 examples="暴雪、大风、寒潮、冰雹、低温冰冻、冻雨、高温、雷电"),
    IncidentType("natural.forest_grassland_fire", "森林草原火灾", "natural", "forest_grassland"),
    IncidentType("natural.agricultural", "农业灾害", "natural", "agricultural",
                 examples="农作物病虫害、农业生物灾害"),
    IncidentType("natural.other", "其他自然灾害", "natural", "natural_disaster"),
    # 事故灾难
    IncidentType("accident.work_safety", "其他生产安全事故", "accident", "work_safety",
                 decree_493=True, examples="工贸、商贸等行业领域的生产安全事故"),
    IncidentType("accident.hazchem", "危险化学品事故", "accident", "hazchem", decree_493=True,
                 examples="危险化学品生产、储存、使用、经营、运输中的泄漏、火灾、爆炸、中毒"),
    IncidentType("accident.coal_mine", "煤矿事故", "accident", "coal_mine", decree_493=True),
    IncidentType("accident.manufacturing", "制造业事故", "accident", "manufacturing",
                 decree_493=True),
    IncidentType("accident.non_coal_mine", "非煤矿山事故", "accident", "non_coal_mine",
                 decree_493=True, examples="金属非金属矿山、尾矿库事故"),
    IncidentType("accident.fire", "火灾事故", "accident", "major_fire", decree_493=True),
    IncidentType("accident.construction", "建设工程事故", "accident", "construction",
                 decree_493=True),
    IncidentType("accident.utilities", "供热供水供气事故", "accident", "utilities",
                 decree_493=True, examples="城镇燃气泄漏爆炸、供热供水管网事故"),
    IncidentType("accident.road_traffic", "道路交通事故", "accident", "major_traffic",
                 decree_493=True),
    IncidentType("accident.grid_blackout", "电网大面积停电事故", "accident", "grid_blackout"),
    IncidentType("accident.environmental", "突发环境事件", "accident", "environmental",
                 examples="水污染、大气污染、危险废物和放射源事件"),
    IncidentType("accident.highway", "公路交通突发事件", "accident", "highway",
                 examples="公路、桥梁、隧道阻断或损毁，车辆大量滞留"),
    IncidentType("accident.tourism", "旅游突发事件", "accident", "tourism",
                 examples="涉及游客的事故和安全事件"),
    IncidentType("accident.education", "教育突发事件", "accident", "education",
                 examples="学校及教育机构的安全事件"),
    IncidentType("accident.communications", "通信保障突发事件", "accident", "communications",
                 examples="公用通信网中断、应急通信保障"),
    # 公共卫生事件 (no special HQ category)
    IncidentType("public_health.infectious_disease", "传染病疫情", "public_health", None),
    IncidentType("public_health.unexplained_disease", "群体性不明原因疾病", "public_health", None),
    IncidentType("public_health.food_safety", "食品安全事件", "public_health", None),
    IncidentType("public_health.occupational_hazard", "职业危害事件", "public_health", None),
    IncidentType("public_health.animal_epidemic", "动物疫情", "public_health", None),
    # 社会安全事件 (no special HQ category)
    IncidentType("social_safety.terrorism", "恐怖袭击事件", "social_safety", None),
    IncidentType("social_safety.mass_incident", "群体性事件", "social_safety", None),
    IncidentType("social_safety.criminal_case", "重大刑事案件", "social_safety", None),
    IncidentType("social_safety.economic_security", "经济安全事件", "social_safety", None),
    IncidentType("social_safety.foreign_related", "涉外突发事件", "social_safety", None),
    IncidentType("social_safety.cyber_security", "网络与信息安全事件", "social_safety", None),
)

_TYPE_BY_CODE = {t.code: t for t in INCIDENT_TYPES}


def incident_type(code: str) -> IncidentType:
    """Look up a sub-type; unknown codes raise ``ValueError`` with a Chinese message."""
    try:
        return _TYPE_BY_CODE[code]
    except (KeyError, TypeError):
        raise ValueError(f"未知的突发事件类型代码：{code}") from None


def incident_type_names(codes) -> str:
    """A list of sub-type codes as people read it (危险化学品事故、火灾事故); an unknown code as
    itself, so nothing is hidden; an empty list as 全部类型 (a plan that applies to every type)."""
    if not codes:
        return "全部类型"
    return "、".join(_TYPE_BY_CODE[c].name if c in _TYPE_BY_CODE else str(c) for c in codes)


def all_incident_types(category: str | None = None) -> list[IncidentType]:
    """All sub-types in table order, optionally of one category."""
    if category is not None and category not in CATEGORIES:
        raise ValueError(f"未知的突发事件类别：{category}")
    return [t for t in INCIDENT_TYPES if category is None or t.category == category]


def is_work_safety_accident(code: str) -> bool:
    """True for sub-types graded and reported under 国务院令第493号."""
    return incident_type(code).decree_493


def special_hq(code: str) -> SpecialHQ | None:
    """The HQ category that handles an incident sub-type (``None`` if there is none)."""
    hq_code = incident_type(code).special_hq
    return None if hq_code is None else _HQ_BY_CODE[hq_code]


def special_hqs() -> list[SpecialHQ]:
    """All HQ categories (an installation's own HQs: its profile)."""
    return list(HQ_CATEGORY_TABLE)


# ---------------------------------------------------------------------------
# Table-driven grading for non-accident event types
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class GradingCriterion:
    """One alternative criterion: ``bands`` carry the level (1 = most severe) as label."""

    code: str
    name: str
    unit: str
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class GradingTable:
    code: str
    name: str
    source: str
    confidence: str  # "C" confirmed / "P" partly confirmed / "R" recalled (docs/rules.md, top)
    level_names: Mapping[int, str]
    criteria: tuple[GradingCriterion, ...]
    note: str = ""

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "GradingTable":
        """Build a table from JSON-like data::

            {"code": ..., "name": ..., "source": ..., "confidence": "P",
             "level_names": {"1": "一级", ...},
             "criteria": [{"code": "deaths", "name": "死亡", "unit": "人",
                           "bands": {"1": [200, null], "2": [100, 200]}}]}

        Each band is ``[lo, hi]`` meaning ``lo <= x < hi`` (以上含本数，以下不含本数);
        ``null`` leaves that end open.
        """
        criteria = tuple(
            GradingCriterion(
                code=c["code"], name=c["name"], unit=c.get("unit", ""),
                bands=tuple(
                    Band(int(level), lo=_decimal_or_none(lo), hi=_decimal_or_none(hi))
                    for level, (lo, hi) in sorted(c["bands"].items(), key=lambda kv: int(kv[0]))
                ),
            )
            for c in data["criteria"]
        )
        return cls(
            code=data["code"], name=data["name"], source=data.get("source", ""),
            confidence=data.get("confidence", "R"),
            level_names={int(k): v for k, v in data["level_names"].items()},
            criteria=criteria, note=data.get("note", ""),
        )


@dataclass(frozen=True)
class TableGrade:
    level: int | None  # None: no criterion reaches the lowest level of the table
    name: str
    reasons: list[str]
    table: str

    def to_json(self) -> dict:
        return {"level": self.level, "name": self.name, "reasons": list(self.reasons),
                "table": self.table}


def grade_by_table(table: GradingTable | Mapping[str, Any],
                   figures: Mapping[str, Decimal | int | str]) -> TableGrade:
    """Grade by any alternative criterion of ``table``; the most severe level wins.

    ``figures`` maps criterion code → value; criteria without a figure are not considered.
    Unknown criterion codes or negative values raise ``ValueError``.
    """
    if not isinstance(table, GradingTable):
        table = GradingTable.from_dict(table)
    by_code = {c.code: c for c in table.criteria}
    unknown = sorted(set(figures) - set(by_code))
    if unknown:
        raise ValueError(f"分级表“{table.name}”中没有以下指标：{'、'.join(unknown)}")
    hits = []
    for code, raw in figures.items():
        criterion = by_code[code]
        value = _figure(raw, criterion.name)
        band = classify(value, criterion.bands)
        if band is not None:
            hits.append((band.label, (criterion, value, band)))
    best = most_severe(hits)
    if best is None:
        return TableGrade(None, "未达到分级标准", [], table.code)
    level = best[0]
    reasons = [_table_reason(c, v, b, table.level_names[level])
               for lvl, (c, v, b) in hits if lvl == level]
    return TableGrade(level, table.level_names[level], reasons, table.code)


def _table_reason(criterion: GradingCriterion, value: Decimal, band: Band, level_name: str) -> str:
    return (f"{criterion.name}{_amount(value)}{criterion.unit}，达到{level_name}标准"
            f"（{_band_wording(band, criterion.unit)}）")


def _band_wording(band: Band, unit: str) -> str:
    lo = "" if band.lo is None else f"{_amount(Decimal(band.lo))}{unit}以上"
    hi = "" if band.hi is None else f"{_amount(Decimal(band.hi))}{unit}以下"
    return lo + hi


def _amount(value: Decimal) -> str:
    """Exact Chinese wording of a count: ``200万``, ``3000``, ``12.5``."""
    if value >= WAN and value % WAN == 0:
        return f"{_plain(value / WAN)}万"
    return _plain(value)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _decimal_or_none(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _figure(raw: Decimal | int | str, name: str) -> Decimal:
    if isinstance(raw, (bool, float)):
        raise ValueError(f"{name}请以整数、字符串或Decimal填写")
    try:
        value = Decimal(raw.strip() if isinstance(raw, str) else raw)
    except (InvalidOperation, TypeError):
        raise ValueError(f"{name}的数值格式不正确：{raw!r}") from None
    if not value.is_finite():
        raise ValueError(f"{name}必须是有限的数值")
    if value < 0:
        raise ValueError(f"{name}不能为负数")
    return value


# Default for 自然灾害: national relief-response levels of 《国家自然灾害救助应急预案》, one
# province, one disaster process (docs/rules.md §5). 一级 confirmed in the 2024 plan
# (国办函〔2024〕11号); 二–四级 confirmed in the 2016 plan and kept in 2024 by structure only.
# These are NATIONAL per-province thresholds: a city or county bureau must load its own
# provincial/local table (辽政办〔2024〕54号 and the local plans) — this is a configurable default.
NATURAL_DISASTER_NATIONAL_RESPONSE = GradingTable(
    code="natural_disaster.national_relief_response",
    name="国家自然灾害救助应急响应（单省一次灾害过程）",
    source="《国家自然灾害救助应急预案》国办函〔2024〕11号（一级）；国办函〔2016〕25号（二至四级）",
    confidence="P",
    level_names={1: "一级响应", 2: "二级响应", 3: "三级响应", 4: "四级响应"},
    criteria=(
        GradingCriterion("deaths_missing", "死亡和失踪", "人", (
            Band(1, lo=200), Band(2, lo=100, hi=200), Band(3, lo=50, hi=100), Band(4, lo=20, hi=50),
        )),
        GradingCriterion("relocated_or_needing_aid", "紧急转移安置和需紧急生活救助", "人", (
            Band(1, lo=200 * WAN), Band(2, lo=100 * WAN, hi=200 * WAN),
            Band(3, lo=50 * WAN, hi=100 * WAN), Band(4, lo=10 * WAN, hi=50 * WAN),
        )),
        GradingCriterion("houses_collapsed_rooms", "倒塌和严重损坏房屋", "间", (
            Band(1, lo=30 * WAN), Band(2, lo=20 * WAN, hi=30 * WAN),
            Band(3, lo=10 * WAN, hi=20 * WAN), Band(4, lo=1 * WAN, hi=10 * WAN),
        )),
        GradingCriterion("houses_collapsed_households", "倒塌和严重损坏房屋", "户", (
            Band(1, lo=10 * WAN), Band(2, lo=7 * WAN, hi=10 * WAN),
            Band(3, lo=3 * WAN, hi=7 * WAN), Band(4, lo=3000, hi=3 * WAN),
        )),
        GradingCriterion("drought_aid_people", "干旱需政府救助", "人", (
            Band(1, lo=400 * WAN), Band(2, lo=300 * WAN, hi=400 * WAN),
            Band(3, lo=200 * WAN, hi=300 * WAN), Band(4, lo=100 * WAN, hi=200 * WAN),
        )),
        GradingCriterion("drought_aid_share_pct", "干旱需政府救助人数占农牧业人口比例", "%", (
            Band(1, lo=30), Band(2, lo=25, hi=30), Band(3, lo=20, hi=25), Band(4, lo=15, hi=20),
        )),
    ),
    note="全国性默认值，仅供参考；市、县应按辽宁省及本地自然灾害救助应急预案配置本级分级表。",
)

DEFAULT_GRADING_TABLES: dict[str, GradingTable] = {
    "natural": NATURAL_DISASTER_NATIONAL_RESPONSE,
}


def default_grading_table(code: str) -> GradingTable | None:
    """The shipped default table for an incident sub-type's category, if any."""
    return DEFAULT_GRADING_TABLES.get(incident_type(code).category)
