"""The serious-dishonesty list (安全生产严重失信主体名单) under 应急管理部令第11号 (2023): listing
conditions, notice and objection, decision, publication, the 3-year duration, early removal
after credit repair (12 months), revocation of an early removal, expiry.

Sources and confidence: docs/rules.md §15 (from rules-cn-2.md §4). The objection period,
the publication period and the time to decide a repair application are not confirmed in
the national text; they are the platform's defaults ([C]) and are constants here so a
deployment can change them in one place. Pure module: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Mapping

from yingji.rules.capabilities import holders
from yingji.rules.enforcement import add_working_days
from yingji.rules.statemachine import StateMachine, Transition

DECREE = "《安全生产严重失信主体名单管理办法》（应急管理部令第11号，2023年10月1日施行）"

# Listing conditions: (code, Chinese text, confidence). 1–5 with an accident, 6–9 without.
CONDITIONS: dict[str, tuple[str, str]] = {
    "1": ("发生特别重大、重大生产安全事故的生产经营单位及其主要负责人，以及经调查认定对该事故发生负有责任，"
          "应当列入名单的其他单位和人员", "B"),
    "2": ("12个月内累计发生2起以上较大生产安全事故的生产经营单位及其主要负责人", "B"),
    "3": ("发生生产安全事故，情节特别严重、影响特别恶劣，依照《安全生产法》第一百一十四条规定被处以罚款数额2倍以上5倍以下罚款的"
          "生产经营单位及其主要负责人", "B"),
    "4": ("瞒报、谎报生产安全事故的生产经营单位及其有关责任人员", "B"),
    "5": ("发生生产安全事故后，不立即组织抢救或者在事故调查处理期间擅离职守或者逃匿的生产经营单位主要负责人", "B"),
    "6": ("未依法取得安全生产相关许可或者许可被暂扣、吊销期间从事相关生产经营活动的生产经营单位及其主要负责人", "B"),
    "7": ("承担安全评价、认证、检测、检验职责的机构及其直接责任人员租借资质、挂靠、出具虚假报告或者证书的", "B"),
    "8": ("被责令停产停业整顿、关闭后仍继续从事生产经营活动的（未核实原文）", "C"),
    "9": ("拒绝、阻碍执法检查或者拒不执行重大事故隐患整改指令的（未核实原文）", "C"),
}

LISTING_YEARS = 3          # 期满移出: 3 years [B]
EARLY_REMOVAL_MONTHS = 12  # 提前移出: after 12 months on the list, on application [B]
OBJECTION_DAYS = 5         # 陈述申辩 (working days) [C: platform default]
PUBLICATION_DAYS = 7       # 公示 after the decision (working days) [C: platform default, cf. 安全生产法第七十八条]
REPAIR_DECISION_DAYS = 15  # deciding a repair application (working days) [C: platform default]

STATES: dict[str, str] = {
    "proposed": "拟列入（已告知）",
    "objection": "异议审查中",
    "decided": "已决定列入（待公示）",
    "listed": "公示中",
    "repair_requested": "信用修复申请审核中",
    "removed_early": "已提前移出",
    "expired": "期满移出",
    "dropped": "不予列入",
}
ON_LIST = frozenset({"decided", "listed", "repair_requested"})
REPAIR_CONDITIONS: tuple[tuple[str, str], ...] = (
    ("penalty_done", "行政处罚已履行完毕"),
    ("corrected", "违法行为已纠正、事故隐患已整改"),
    ("no_new_conduct", "列入后未再发生列入名单的失信行为"),
    ("pledge", "已作出信用承诺"),
    ("training", "已参加信用修复培训"),
)

MANAGERS = holders("credit.manage")
APPLICANTS = holders("credit.repair")


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)


@dataclass(frozen=True)
class ListingDates:
    objection_due: date | None
    publication_due: date | None
    early_removal_from: date | None
    expires_on: date | None


def listing_dates(notice_on: date | None, decided_on: date | None, holidays=(), workdays=()) -> ListingDates:
    """The dates that follow from the notice and the decision."""
    return ListingDates(
        objection_due=add_working_days(notice_on, OBJECTION_DAYS, holidays, workdays) if notice_on else None,
        publication_due=add_working_days(decided_on, PUBLICATION_DAYS, holidays, workdays) if decided_on else None,
        early_removal_from=add_months(decided_on, EARLY_REMOVAL_MONTHS) if decided_on else None,
        expires_on=add_years(decided_on, LISTING_YEARS) if decided_on else None,
    )


def _text(key: str, message: str):
    def guard(ctx: Mapping[str, Any]) -> str | None:
        return None if str(ctx.get(key) or "").strip() else message
    return guard


def _within_objection(ctx: Mapping[str, Any]) -> str | None:
    today, due = ctx.get("today"), ctx.get("objection_due")
    if today and due and today > due:
        return f"陈述申辩期已于 {due.isoformat()} 届满，不能再提出异议"
    return None


def _objection_over(ctx: Mapping[str, Any]) -> str | None:
    today, due = ctx.get("today"), ctx.get("objection_due")
    if today and due and today <= due:
        return f"陈述申辩期至 {due.isoformat()} 届满，届满前不能作出列入决定"
    return None


def _early_removal_due(ctx: Mapping[str, Any]) -> str | None:
    today, start = ctx.get("today"), ctx.get("early_removal_from")
    if today and start and today < start:
        return f"列入名单满12个月（{start.isoformat()}）后方可申请提前移出"
    return None


def _early_removal_allowed(ctx: Mapping[str, Any]) -> str | None:
    if refusal := _early_removal_due(ctx):
        return refusal
    missing = [label for key, label in REPAIR_CONDITIONS if not ctx.get(key)]
    if missing:
        return "不符合信用修复条件：" + "、".join(missing)
    return None


LISTING_MACHINE = StateMachine("dishonesty_listing", STATES, [
    Transition("object", frozenset({"proposed"}), "objection", MANAGERS | APPLICANTS, "提出陈述申辩（异议）",
               guards=(_within_objection, _text("objection", "请填写异议内容"))),
    Transition("accept_objection", frozenset({"objection"}), "dropped", MANAGERS, "异议成立，不予列入",
               guards=(_text("reply", "请填写异议复核意见"),)),
    Transition("decide", frozenset({"proposed", "objection"}), "decided", MANAGERS, "决定列入",
               guards=(_objection_over, lambda ctx: "请先填写异议复核意见" if ctx.get("needs_reply") else None)),
    Transition("drop", frozenset({"proposed"}), "dropped", MANAGERS, "不予列入", guards=(_text("reply", "请填写理由"),)),
    Transition("publish", frozenset({"decided"}), "listed", MANAGERS, "公示"),
    Transition("apply_repair", frozenset({"listed"}), "repair_requested", APPLICANTS | MANAGERS, "申请信用修复（提前移出）",
               guards=(_early_removal_allowed,)),
    Transition("approve_repair", frozenset({"repair_requested"}), "removed_early", MANAGERS, "同意提前移出"),
    Transition("reject_repair", frozenset({"repair_requested"}), "listed", MANAGERS, "不同意提前移出",
               guards=(_text("reply", "请填写不同意的理由"),)),
    Transition("revoke_repair", frozenset({"removed_early"}), "listed", MANAGERS, "撤销提前移出、恢复列入",
               guards=(_text("reply", "请写明申请隐瞒或虚构的事实"),)),
    Transition("expire", frozenset({"listed", "repair_requested"}), "expired", MANAGERS | frozenset({"system"}),
               "期满移出", guards=(lambda ctx: None if ctx.get("expired") else "尚未期满",)),
])

ENTERPRISE_ACTIONS = frozenset({"object", "apply_repair"})


# The guards that depend on the calendar alone, not on what the user types: the console asks them
# before offering an action (a 申请信用修复 button shown before the 12 months were up was refused).
CALENDAR_GUARDS = {"apply_repair": _early_removal_due, "decide": _objection_over, "object": _within_objection}


def calendar_refusal(action: str, ctx: Mapping[str, Any]) -> str | None:
    guard = CALENDAR_GUARDS.get(action)
    return guard(ctx) if guard else None
