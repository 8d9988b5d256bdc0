"""Safety-production enforcement (监管执法): supervision grades, the annual plan's work-day
formula, reproducible 双随机 draws, the two-inspector rule, the inspection and case state
machines, hearing rights, the law-review gate and the procedure clocks of a case.

Sources: docs/rules.md §14 (from rules-cn-2.md §3). Pure module: no Django.

Day counting. 行政处罚法 (2021) 第八十五条: "本法中'二日''三日''五日''七日'的规定是指工作日，
不含法定节假日" — so the hearing request (5 days) and service (7 days) periods are working
days; 安全生产法 第七十八条 (publication within 7 working days) says so itself. Other periods
(90 days to decide, 15 days to pay) are calendar days counted as 民法典 第二百零一条 counts them:
the start day is not counted, the period ends at the end of its last day. Working days follow the
State Council's holiday notices (``rules.workdays``: public holidays off, 调休 weekend days on),
plus any ``holidays``/``workdays`` the caller passes.
"""

from __future__ import annotations

import hashlib
import random
import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable, Mapping, Sequence

from yingji.rules import workdays as workdays_calendar
from yingji.rules.capabilities import holders
from yingji.rules.statemachine import StateMachine, Transition

PENALTY_LAW = "《中华人民共和国行政处罚法》（2021）"
SAFETY_LAW = "《中华人民共和国安全生产法》（2021）"
COERCION_LAW = "《中华人民共和国行政强制法》"

# --- supervision grades (分类分级) ------------------------------------------------------------
# 安全生产法 第六十二条 requires the annual plan to follow 分类分级; the grade scale is local
# (no national code list, rules-cn-2.md §3.5). This platform's default, documented in
# docs/enforcement.md: A = 重点 (every enterprise inspected every year), B and C = 一般 (drawn at
# random with the plan's ratio for the grade).
GRADES: dict[str, str] = {"A": "A级（重点监管）", "B": "B级（一般监管）", "C": "C级（一般监管，风险较低）"}
KEY_GRADE = "A"
DEFAULT_RANDOM_RATIOS: dict[str, Decimal] = {"B": Decimal("0.30"), "C": Decimal("0.10")}


def suggested_grade(industry: str, major_hazard_grade: int | None, open_major_hidden_hazards: int,
                    recent_accidents: int) -> tuple[str, str]:
    """The grade the platform proposes (the bureau may set another, with its reason):
    A for mines, enterprises with a 一级 or 二级 major hazard source, an open 重大隐患 or an
    accident in the last year; B for a 三级/四级 major hazard source or another high-risk
    industry; C otherwise."""
    reasons = []
    if industry in ("coal_mine", "non_coal_mine"):
        reasons.append("矿山企业")
    if major_hazard_grade in (1, 2):
        reasons.append(f"{'一二'[major_hazard_grade - 1]}级重大危险源")
    if open_major_hidden_hazards:
        reasons.append(f"有未销号重大隐患 {open_major_hidden_hazards} 项")
    if recent_accidents:
        reasons.append(f"近一年发生生产安全事故 {recent_accidents} 起")
    if reasons:
        return "A", "；".join(reasons)
    if major_hazard_grade in (3, 4):
        return "B", f"{'三四'[major_hazard_grade - 3]}级重大危险源"
    if industry in ("hazchem", "metallurgy", "fireworks", "gas_station"):
        return "B", "高危行业，无重大危险源和重大隐患"
    return "C", "一般行业，无重大危险源和重大隐患"


# --- the annual plan's work-day formula (安监总政法〔2017〕150号, rules-cn-2.md §3.5) ---------------

@dataclass(frozen=True)
class PlanCapacity:
    national_workdays: int
    inspectors: int
    total_workdays: int
    other_enforcement_days: int
    non_enforcement_days: int
    inspection_days: int
    key_days: int
    general_days: int

    def formula(self) -> str:
        return (f"总法定工作日 {self.total_workdays} = 国家法定工作日 {self.national_workdays} × 执法人员 {self.inspectors}；"
                f"监督检查工作日 {self.inspection_days} = {self.total_workdays} − 其他执法工作日 "
                f"{self.other_enforcement_days} − 非执法工作日 {self.non_enforcement_days}；"
                f"其中重点检查 {self.key_days}、一般检查 {self.general_days}")


def plan_capacity(national_workdays: int, inspectors: int, other_enforcement_days: int,
                  non_enforcement_days: int, key_days: int) -> PlanCapacity:
    """监督检查工作日 = 国家法定工作日 × 人数 − 其他执法工作日 − 非执法工作日 = 重点 + 一般."""
    for value, label in ((national_workdays, "国家法定工作日"), (inspectors, "执法人员数"),
                         (other_enforcement_days, "其他执法工作日"), (non_enforcement_days, "非执法工作日"),
                         (key_days, "重点检查工作日")):
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise ValueError(f"{label}应为不小于0的整数")
    if national_workdays > 366:
        raise ValueError("国家法定工作日不能超过一年的天数")
    total = national_workdays * inspectors
    inspection = total - other_enforcement_days - non_enforcement_days
    if inspection < 0:
        raise ValueError(f"其他执法与非执法工作日合计 {other_enforcement_days + non_enforcement_days} 超过总法定工作日 {total}")
    if key_days > inspection:
        raise ValueError(f"重点检查工作日 {key_days} 超过监督检查工作日 {inspection}")
    return PlanCapacity(national_workdays, inspectors, total, other_enforcement_days, non_enforcement_days,
                        inspection, key_days, inspection - key_days)


# --- 双随机 draws -------------------------------------------------------------------------------

def new_seed() -> str:
    """A fresh seed for a draw (recorded with the draw so anyone can repeat it): 12 digits."""
    return f"{secrets.randbelow(10 ** 12):012d}"


def draw(candidates: Iterable[str], k: int, seed: str) -> list[str]:
    """Draw ``k`` of ``candidates`` without replacement, reproducibly: the candidates are
    sorted first, so the same seed and the same candidate set always give the same result,
    whatever order the register listed them in. The generator is Python's Mersenne Twister
    seeded with the SHA-256 of the seed text (stable across Python versions for
    ``random.Random.sample`` on a list)."""
    pool = sorted({str(c) for c in candidates})
    if not isinstance(k, int) or isinstance(k, bool) or k < 0:
        raise ValueError("抽取数量应为不小于0的整数")
    if k > len(pool):
        raise ValueError(f"抽取数量 {k} 超过候选数量 {len(pool)}")
    if not str(seed).strip():
        raise ValueError("随机种子不能为空")
    rng = random.Random(int.from_bytes(hashlib.sha256(str(seed).encode()).digest(), "big"))
    return rng.sample(pool, k)


def random_count(pool_size: int, ratio: Decimal) -> int:
    """How many of a grade's pool to draw: ``pool × ratio`` rounded half up, at least one when
    the pool is not empty and the ratio is positive."""
    if pool_size <= 0 or ratio <= 0:
        return 0
    count = int((Decimal(pool_size) * ratio).quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return min(pool_size, max(1, count))


# --- inspectors: two certified inspectors (处罚法 第五十五条、安全生产法 第六十七条) -------------------

@dataclass(frozen=True)
class InspectorFact:
    key: str
    name: str
    certificate_number: str
    valid_until: date | None
    active: bool = True


def certificate_problem(inspector: InspectorFact, on: date) -> str | None:
    """Why this inspector's enforcement certificate does not allow enforcement on ``on``."""
    if not inspector.active:
        return f"{inspector.name}的执法证已注销或暂停"
    if not inspector.certificate_number.strip():
        return f"{inspector.name}未取得执法证"
    if inspector.valid_until is None or inspector.valid_until < on:
        return f"{inspector.name}的执法证（{inspector.certificate_number}）在 {on.isoformat()} 已失效"
    return None


def inspector_problems(inspectors: Sequence[InspectorFact], on: date) -> list[str]:
    """Why these inspectors may not carry out an inspection on ``on`` (empty: they may).
    At least two different persons, each holding an enforcement certificate valid that day."""
    problems = []
    if len({i.key for i in inspectors}) < 2:
        problems.append("执法检查须由两名以上持证执法人员进行（行政处罚法第五十五条、安全生产法第六十七条）")
    problems += [p for p in (certificate_problem(i, on) for i in inspectors) if p]
    return problems


# --- the inspection (现场检查 → 责令限期整改 → 复查) ----------------------------------------------

INSPECTORS = holders("enforcement.inspect")

INSPECTION_STATES: dict[str, str] = {
    "planned": "待检查",
    "recorded": "已检查（现场检查记录）",
    "ordered": "责令限期整改",
    "no_findings": "未发现问题（已办结）",
    "review_failed": "复查未通过",
    "closed": "复查通过（已办结）",
}
INSPECTION_OPEN = frozenset({"planned", "recorded", "ordered", "review_failed"})


def _needs(key: str, message: str):
    def guard(ctx: Mapping[str, Any]) -> str | None:
        value = ctx.get(key)
        return None if value not in (None, "", 0, False, [], ()) else message
    return guard


def _no_problems(ctx: Mapping[str, Any]) -> str | None:
    problems = ctx.get("inspector_problems") or []
    return "；".join(problems) or None


INSPECTION_MACHINE = StateMachine("inspection", INSPECTION_STATES, [
    Transition("record", frozenset({"planned"}), "recorded", INSPECTORS, "填写现场检查记录",
               guards=(_no_problems, _needs("signed_by", "现场检查记录须有被检查单位负责人签字，拒绝签字的须注明情况"))),
    Transition("order", frozenset({"recorded"}), "ordered", INSPECTORS, "下达责令限期整改指令书",
               guards=(_needs("findings", "没有检查发现的问题，不能下达整改指令"),
                       _needs("deadline", "请填写整改期限"))),
    Transition("finish", frozenset({"recorded"}), "no_findings", INSPECTORS, "未发现问题，办结",
               guards=(lambda ctx: "已登记检查发现的问题，须下达整改指令" if ctx.get("findings") else None,)),
    Transition("pass_review", frozenset({"ordered", "review_failed"}), "closed", INSPECTORS, "复查通过",
               guards=(_no_problems, _needs("all_rectified", "仍有隐患未完成整改、未申请复查"))),
    Transition("fail_review", frozenset({"ordered", "review_failed"}), "review_failed", INSPECTORS, "复查未通过",
               guards=(_no_problems, _needs("reason", "请填写复查未通过的理由"))),
])

DEFAULT_REVIEW_DAYS = 10  # 复查 within 10 days of the deadline or the application [C, configurable]


# --- enforcement cases (一般程序) ---------------------------------------------------------------

HANDLERS = holders("enforcement.case")
REVIEWERS = holders("enforcement.law_review")
DECIDERS = holders("enforcement.decide")

CASE_STATES: dict[str, str] = {
    "filed": "已立案",
    "investigating": "调查取证",
    "reviewing": "案件审核",
    "notified": "已告知（陈述申辩、听证）",
    "hearing": "听证",
    "decided": "已作出处罚决定",
    "served": "已送达",
    "executed": "已执行",
    "closed": "已结案",
    "withdrawn": "已撤销立案",
}
CASE_OPEN = frozenset(CASE_STATES) - {"closed", "withdrawn"}
CASE_ORDER = ("filed", "investigating", "reviewing", "notified", "hearing", "decided", "served", "executed", "closed")

PENALTY_KINDS: dict[str, str] = {
    "warning": "警告",
    "fine": "罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "suspend": "责令停产停业整顿",
    "revoke": "暂扣或者吊销许可证",
    "close": "关闭",
    "restrict": "限制从业",
}
# Penalties with a hearing right whatever the amount (处罚法 第六十三条).
HEARING_PENALTIES = frozenset({"suspend", "revoke", "close", "restrict"})
# "较大数额罚款" for safety cases [B: 原安监总局令第15号, unless the province sets others].
LARGE_FINE = {"unit": Decimal("30000"), "person": Decimal("10000")}


def hearing_right(party_kind: str, penalty: str, fine_yuan: Decimal | None) -> bool:
    """Whether the intended penalty gives the party a right to a hearing (处罚法 第六十三条)."""
    if party_kind not in LARGE_FINE:
        raise ValueError(f"当事人类别应为单位或个人，收到：{party_kind!r}")
    if penalty not in PENALTY_KINDS:
        raise ValueError(f"未知处罚种类：{penalty!r}")
    if penalty in HEARING_PENALTIES:
        return True
    return penalty == "fine" and fine_yuan is not None and Decimal(fine_yuan) >= LARGE_FINE[party_kind]


def needs_law_review(*, major_public_interest: bool = False, hearing_held: bool = False,
                     complex_case: bool = False, other_law: bool = False) -> bool:
    """重大执法决定法制审核 (处罚法 第五十八条): any one of the four conditions. "Major rights and a
    hearing was held" is read from the hearing; the others are the handler's declaration."""
    return bool(major_public_interest or hearing_held or complex_case or other_law)


def _law_review_gate(ctx: Mapping[str, Any]) -> str | None:
    if ctx.get("needs_law_review") and not ctx.get("law_review_passed"):
        return "本案属于重大执法决定，未经法制审核或审核未通过，不得作出决定（行政处罚法第五十八条）"
    return None


def _notice_period_over(ctx: Mapping[str, Any]) -> str | None:
    """No decision while the party may still ask for a hearing, unless it waived (第六十二条)."""
    if ctx.get("waived"):
        return None
    today, ends = ctx.get("today"), ctx.get("statement_period_ends")
    if ends is not None and today is not None and today <= ends:
        return f"当事人陈述申辩、申请听证的期限至 {ends.isoformat()} 届满，届满前不得作出决定（当事人放弃的除外）"
    return None


def _hearing_allowed(ctx: Mapping[str, Any]) -> str | None:
    if not ctx.get("hearing_right"):
        return "拟作出的处罚不属于听证范围（行政处罚法第六十三条）"
    today, ends = ctx.get("today"), ctx.get("statement_period_ends")
    if today is not None and ends is not None and today > ends:
        return f"听证申请已超过期限（{ends.isoformat()} 届满，行政处罚法第六十四条：告知后五日内提出）"
    return None


CASE_MACHINE = StateMachine("enforcement_case", CASE_STATES, [
    Transition("investigate", frozenset({"filed"}), "investigating", HANDLERS, "开始调查取证"),
    Transition("submit_review", frozenset({"investigating"}), "reviewing", HANDLERS, "调查终结，提交案件审核",
               guards=(_needs("evidence_count", "调查终结须至少登记一项证据"),
                       _needs("findings", "请填写调查认定的违法事实"))),
    Transition("return_investigation", frozenset({"reviewing"}), "investigating", REVIEWERS | DECIDERS,
               "退回补充调查", guards=(_needs("note", "请填写退回理由"),)),
    Transition("notify", frozenset({"reviewing"}), "notified", HANDLERS, "送达行政处罚告知书",
               guards=(_needs("penalty", "请填写拟作出的行政处罚"),)),
    Transition("request_hearing", frozenset({"notified"}), "hearing", HANDLERS, "当事人申请听证",
               guards=(_hearing_allowed,)),
    Transition("decide", frozenset({"notified", "hearing"}), "decided", DECIDERS, "作出行政处罚决定",
               guards=(_notice_period_over, _law_review_gate,
                       lambda ctx: "听证尚未举行，不能作出决定" if ctx.get("hearing_pending") else None)),
    Transition("serve", frozenset({"decided"}), "served", HANDLERS, "送达行政处罚决定书",
               guards=(_needs("served_on", "请填写送达日期"),)),
    Transition("execute", frozenset({"served"}), "executed", HANDLERS, "执行完毕",
               guards=(_needs("executed_on", "请填写执行完毕日期"),)),
    Transition("close", frozenset({"executed"}), "closed", DECIDERS, "结案",
               guards=(lambda ctx: None if ctx.get("published") or not ctx.get("must_publish")
                       else "处罚决定尚未公示，不能结案（安全生产法第七十八条）",)),
    Transition("withdraw", frozenset({"filed", "investigating", "reviewing"}), "withdrawn", DECIDERS,
               "撤销立案", guards=(_needs("note", "请填写撤销理由"),)),
])


# --- day counting -------------------------------------------------------------------------------

def add_calendar_days(start: date, days: int) -> date:
    """The last day of a period of ``days`` days starting after ``start`` (民法典 第二百零一条)."""
    return start + timedelta(days=days)


def add_working_days(start: date, days: int, holidays: Iterable[date] = (),
                     workdays: Iterable[date] = ()) -> date:
    """The ``days``-th working day after ``start``: the national holiday calendar
    (``rules.workdays``), plus any further ``holidays`` and make-up ``workdays`` the caller passes."""
    return workdays_calendar.add_working_days(start, days, holidays, workdays)


# --- the clocks of a case -------------------------------------------------------------------------

@dataclass(frozen=True)
class CaseClock:
    kind: str
    label: str
    due_on: date
    done_on: date | None
    source: str
    working_days: bool = False
    window: bool = False  # a period the party has (to ask for a hearing), never overdue for the bureau

    def overdue(self, today: date) -> bool:
        if self.window:
            return False
        if self.done_on is not None:
            return self.done_on > self.due_on
        return today > self.due_on

    def state(self, today: date) -> str:
        if self.window:
            return "used" if self.done_on is not None else ("ended" if today > self.due_on else "open")
        if self.done_on is not None:
            return "late" if self.done_on > self.due_on else "done"
        return "overdue" if today > self.due_on else "open"


CLOCK_STATES = {"open": "进行中", "done": "按期完成", "late": "逾期完成", "overdue": "已逾期", "ended": "已届满",
                "used": "已申请"}
DECISION_DAYS = 90       # 处罚法 第六十条
STATEMENT_DAYS = 5       # 处罚法 第六十四条 (working days, 第八十五条)
SERVICE_DAYS = 7         # 处罚法 第六十一条 (working days, 第八十五条)
PUBLICATION_DAYS = 7     # 安全生产法 第七十八条 (working days)
PAYMENT_DAYS = 15        # 处罚法 第六十七条
HEARING_NOTICE_DAYS = 7  # 处罚法 第六十四条: notice at least 7 days before the hearing


def case_clocks(*, filed_on: date, decided_on: date | None = None, notified_on: date | None = None,
                hearing_requested_on: date | None = None, served_on: date | None = None,
                published_on: date | None = None, paid_on: date | None = None, fine: bool = False,
                holidays: Iterable[date] = (), workdays: Iterable[date] = (),
                decision: CaseClock | None = None) -> list[CaseClock]:
    """Every procedure clock that applies to a case with these dates, in order of due date.
    ``decision`` replaces the statute's 90-day decision clock by the one of the departmental rule
    in force (``enforcement_measures.decision_clock``)."""
    holidays, workdays = tuple(holidays), tuple(workdays)
    clocks = [decision or CaseClock("decision", "作出处罚决定", add_calendar_days(filed_on, DECISION_DAYS), decided_on,
                                    f"{PENALTY_LAW}第六十条：自立案之日起九十日内作出行政处罚决定")]
    if notified_on is not None:
        clocks.append(CaseClock(
            "statement", "陈述申辩、申请听证", add_working_days(notified_on, STATEMENT_DAYS, holidays, workdays),
            hearing_requested_on, f"{PENALTY_LAW}第六十四条：告知后五日内提出听证要求（第八十五条：工作日）",
            working_days=True, window=True))
    if decided_on is not None:
        clocks.append(CaseClock(
            "service", "送达处罚决定书", add_working_days(decided_on, SERVICE_DAYS, holidays, workdays), served_on,
            f"{PENALTY_LAW}第六十一条：当事人不在场的，七日内送达（第八十五条：工作日）", working_days=True))
        clocks.append(CaseClock(
            "publication", "公示处罚决定", add_working_days(decided_on, PUBLICATION_DAYS, holidays, workdays),
            published_on, f"{SAFETY_LAW}第七十八条：作出处罚决定之日起七个工作日内公开", working_days=True))
    if fine and served_on is not None:
        clocks.append(CaseClock("payment", "缴纳罚款", add_calendar_days(served_on, PAYMENT_DAYS), paid_on,
                                f"{PENALTY_LAW}第六十七条：收到处罚决定书之日起十五日内缴纳罚款"))
    return sorted(clocks, key=lambda c: c.due_on)


def late_payment_surcharge(fine_yuan: Decimal, due_on: date, paid_on: date) -> Decimal:
    """加处罚款 (处罚法 第七十二条): 3% of the fine per day late, never more than the fine."""
    days = (paid_on - due_on).days
    if days <= 0:
        return Decimal("0.00")
    surcharge = Decimal(fine_yuan) * Decimal("0.03") * days
    return min(surcharge, Decimal(fine_yuan)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
