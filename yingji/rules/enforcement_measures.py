"""Enforcement beyond the general procedure: the 简易程序 (on-the-spot penalty), the 行政强制
measures 查封 / 扣押 and the 先行登记保存 of evidence, each with its legal clock, and the decision
period of a general-procedure case by the departmental rule in force on the filing day (原安监总局
令第15号 until 2026-01-31, 应急管理部令第18号 from 2026-02-01).

Sources: docs/rules.md §14a (from rules-cn-2.md §3.1, §3.3). Pure module: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Iterable

from yingji.rules.enforcement import (COERCION_LAW, PENALTY_LAW, CaseClock, add_calendar_days,
                                      add_working_days)

# --- 简易程序 (行政处罚法 第五十一条 — 第五十二条, 第六十八条, 第七十一条) --------------------------------

SIMPLE_PENALTIES: dict[str, str] = {"warning": "警告", "fine": "罚款"}
# 第五十一条: facts certain, legal basis, a fine up to 200 元 (citizen) / 3,000 元 (organisation) or a warning.
SIMPLE_FINE_LIMIT = {"person": Decimal("200"), "unit": Decimal("3000")}
# 第六十八条(一): cash collected on the spot only for a fine of up to 100 元 (or where later collection
# is hard — (二)(三) are a matter of the officer's record, not a threshold).
ON_SPOT_CASH_LIMIT = Decimal("100")
CASH_HANDOVER_DAYS = 2   # 第七十一条: cash handed to the bureau within 2 days (工作日, 第八十五条)
RECORD_FILING_DAYS = 5   # on-the-spot decision reported to the bureau for the record within 5 days [B]
PAYMENT_DAYS = 15        # 第六十七条: otherwise paid within 15 days of receiving the decision


def simple_procedure_problem(party_kind: str, penalty: str, fine_yuan: Decimal | None) -> str | None:
    """Why this penalty may not be decided on the spot (None: it may)."""
    if party_kind not in SIMPLE_FINE_LIMIT:
        return "当事人类别应为单位或个人"
    if penalty not in SIMPLE_PENALTIES:
        return "简易程序只能当场作出警告或者罚款（行政处罚法第五十一条）"
    if penalty == "warning":
        return None
    if fine_yuan is None or Decimal(fine_yuan) <= 0:
        return "罚款须填写大于零的金额"
    limit = SIMPLE_FINE_LIMIT[party_kind]
    if Decimal(fine_yuan) > limit:
        who = "法人或者其他组织" if party_kind == "unit" else "公民"
        return (f"对{who}当场罚款不得超过 {limit:,.0f} 元（行政处罚法第五十一条），"
                f"拟罚 {Decimal(fine_yuan):,.2f} 元应适用一般程序立案")
    return None


def cash_on_spot_problem(fine_yuan: Decimal | None, hard_to_collect: bool = False) -> str | None:
    """Why the officer may not collect this fine in cash on the spot (第六十八条)."""
    if fine_yuan is None:
        return "警告不涉及罚款"
    if Decimal(fine_yuan) <= ON_SPOT_CASH_LIMIT or hard_to_collect:
        return None
    return f"当场收缴罚款限于 {ON_SPOT_CASH_LIMIT:,.0f} 元以下，或者不当场收缴事后难以执行的情形（行政处罚法第六十八条）"


def simple_clocks(*, decided_on: date, fine: bool, cash_collected: bool, recorded_on: date | None = None,
                  handed_over_on: date | None = None, paid_on: date | None = None,
                  holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> list[CaseClock]:
    clocks = [CaseClock("record", "当场处罚决定报所属机关备案", add_calendar_days(decided_on, RECORD_FILING_DAYS),
                        recorded_on, "安全生产执法实践：当场处罚决定书五日内报所属机关备案（执法实践，待核实条文）")]
    if fine and cash_collected:
        clocks.append(CaseClock("handover", "当场收缴的罚款交至机关",
                                add_working_days(decided_on, CASH_HANDOVER_DAYS, holidays, workdays), handed_over_on,
                                f"{PENALTY_LAW}第七十一条：执法人员当场收缴的罚款，应当自收缴之日起二日内交至行政机关",
                                working_days=True))
    elif fine:
        clocks.append(CaseClock("payment", "缴纳罚款", add_calendar_days(decided_on, PAYMENT_DAYS), paid_on,
                                f"{PENALTY_LAW}第六十七条：自收到处罚决定书之日起十五日内缴纳罚款"))
    return sorted(clocks, key=lambda c: c.due_on)


# --- 查封、扣押 and 先行登记保存 -------------------------------------------------------------------

MEASURES: dict[str, str] = {"seal": "查封", "seize": "扣押", "preserve": "先行登记保存"}
MEASURE_STATES: dict[str, str] = {"in_force": "实施中", "extended": "已延长期限", "released": "已解除",
                                  "disposed": "已作出处理决定"}
SEAL_DAYS = 30             # 行政强制法 第二十五条: at most 30 days
SEAL_EXTENSION_DAYS = 30   # extended once, with the head's approval, by at most 30 days
PRESERVE_DAYS = 7          # 行政处罚法 第五十六条: a decision on preserved evidence within 7 days (工作日)


@dataclass(frozen=True)
class MeasureFact:
    kind: str
    started_on: date
    extended: bool = False
    ended_on: date | None = None


def measure_problem_to_extend(fact: MeasureFact, on: date) -> str | None:
    """Why the measure may not be extended on ``on`` (None: it may)."""
    if fact.kind == "preserve":
        return "先行登记保存不能延长，应在七日内作出处理决定（行政处罚法第五十六条）"
    if fact.ended_on is not None:
        return "强制措施已解除或已处理，不能延长"
    if fact.extended:
        return f"{MEASURES[fact.kind]}期限只能延长一次，延长期限不得超过三十日（{COERCION_LAW}第二十五条）"
    due = add_calendar_days(fact.started_on, SEAL_DAYS)
    if on > due:
        return f"{MEASURES[fact.kind]}期限已于 {due.isoformat()} 届满，届满后不能延长，应当解除"
    return None


def measure_clock(fact: MeasureFact, holidays: Iterable[date] = (), workdays: Iterable[date] = ()) -> CaseClock:
    if fact.kind == "preserve":
        return CaseClock("preserve", "先行登记保存的证据作出处理决定",
                         add_working_days(fact.started_on, PRESERVE_DAYS, holidays, workdays), fact.ended_on,
                         f"{PENALTY_LAW}第五十六条：先行登记保存的，应当在七日内及时作出处理决定（第八十五条：工作日）",
                         working_days=True)
    days = SEAL_DAYS + (SEAL_EXTENSION_DAYS if fact.extended else 0)
    source = f"{COERCION_LAW}第二十五条：查封、扣押的期限不得超过三十日"
    if fact.extended:
        source += "；经行政机关负责人批准延长，延长期限不得超过三十日"
    return CaseClock(fact.kind, f"{MEASURES[fact.kind]}期限届满（解除或者作出处理决定）",
                     add_calendar_days(fact.started_on, days), fact.ended_on, source)


# --- the decision period, by the departmental rule in force on the filing day ----------------------

@dataclass(frozen=True)
class DecisionRegime:
    code: str
    name: str
    valid_from: date | None
    valid_to: date | None
    days: dict[str, int]  # "" (no extension) / "head" / "superior" -> days from filing
    source: str
    confidence: str


DECISION_EXTENSIONS: dict[str, str] = {"": "未延长", "head": "经本机关负责人批准延长",
                                       "superior": "经上一级机关批准延长"}
DECISION_REGIMES: tuple[DecisionRegime, ...] = (
    DecisionRegime(
        "mem15", "原国家安全生产监督管理总局令第15号（第77号令修正）", None, date(2026, 1, 31),
        {"": 30, "head": 90, "superior": 180},
        "原安监总局令第15号：立案之日起三十日内作出决定；情况复杂的，经本机关负责人批准延长至九十日；"
        "特殊情况经上一级机关批准延长至一百八十日", "B"),
    DecisionRegime(
        "mem18", "应急管理部令第18号（2026年2月1日起施行）", date(2026, 2, 1), None,
        {"": 90, "head": 90, "superior": 90},
        f"{PENALTY_LAW}第六十条：自立案之日起九十日内作出行政处罚决定（18号令条文期限待核实，按法律计算）",
        "A（法律）；18号令条文 C"),
)


def decision_regime(filed_on: date) -> DecisionRegime:
    for regime in DECISION_REGIMES:
        if (regime.valid_from is None or filed_on >= regime.valid_from) and (
                regime.valid_to is None or filed_on <= regime.valid_to):
            return regime
    raise ValueError(f"没有适用于 {filed_on.isoformat()} 的执法程序规定")


def decision_clock(filed_on: date, decided_on: date | None, extension: str = "") -> CaseClock:
    if extension not in DECISION_EXTENSIONS:
        raise ValueError(f"未知的延长方式：{extension!r}")
    regime = decision_regime(filed_on)
    days = regime.days[extension]
    label = "作出处罚决定" + (f"（{DECISION_EXTENSIONS[extension]}）" if extension else "")
    return CaseClock("decision", label, add_calendar_days(filed_on, days), decided_on, f"{regime.name}；{regime.source}")


def extension_problem(filed_on: date, current: str, wanted: str, on: date) -> str | None:
    """Why the decision period may not be extended to ``wanted`` on ``on``."""
    if wanted not in ("head", "superior"):
        return "请选择延长方式"
    regime = decision_regime(filed_on)
    order = ["", "head", "superior"]
    if order.index(wanted) <= order.index(current):
        return "办案期限已按该方式延长"
    if regime.days[wanted] <= regime.days[current]:
        return f"适用{regime.name}，办案期限不因延长而改变（{regime.days[current]} 日）"
    due = add_calendar_days(filed_on, regime.days[current])
    if on > due:
        return f"办案期限已于 {due.isoformat()} 届满，届满后不能再批准延长"
    return None
