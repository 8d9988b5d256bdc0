"""Reporting deadlines from a per-jurisdiction rule table.

Sources (table with confidence: docs/rules.md §4):

* 国务院令第493号 第九条 — the unit head reports to the 县级以上 departments within 1 hour of
  receiving the report; 第十一条 — each level upward within 2 hours; 第十三条 — casualty changes
  within 30 days of the accident are 补报, 7 days for 道路交通 and 火灾 accidents [C].
* 阜政办发〔2022〕9号 — "突发事件发生后，20分钟内电话报告，1小时之内书面报送信息" [C]. The plan
  counts from the event; as a duty-desk SLA we count from 接报 (the bureau cannot report
  before it knows). A deployment that wants the plan's literal clock overrides the row with
  ``clock=CLOCK_OCCURRED``.
* 灾情初报 within 2 hours of a natural disaster [P: older national/provincial texts].

Rule selection: a row applies when the jurisdiction code starts with its prefix ("" is the
national default, "2109" is 阜新市 and everything below it), its event scope matches and its
reporter level matches. For each report kind the most specific row wins: longest jurisdiction
prefix first, then the narrowest event scope (type > decree493 > category > any); between equal
rows the later one wins, so a deployment appends its overrides to the defaults. A row with
``duration=None`` switches a kind off for its jurisdiction.

Day periods ("自事故发生之日起30日内") are counted the way 民法典 第二百零一、二百零三条 count
periods — our reading, not a rule of Decree 493: the start day is not counted and the period
ends at 24:00 of the last day, Beijing time (UTC+8, no DST); the public-holiday extension is
not applied. Hour and minute periods run from the exact instant.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from typing import Iterable, Mapping

from yingji.rules import workdays
from yingji.rules.incident_types import IncidentType, incident_type

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

CLOCK_RECEIVED = "received"
CLOCK_OCCURRED = "occurred"
CLOCK_STABILISED = "stabilised"  # 灾情稳定 of a disaster process (核报)
CLOCK_LABELS = {CLOCK_RECEIVED: "接报时间", CLOCK_OCCURRED: "事发时间", CLOCK_STABILISED: "灾情稳定时间"}

LEVEL_ANY = "any"
LEVEL_UNIT = "unit"  # the accident unit itself (level_from_unit == 0)
LEVEL_DEPARTMENT = "department"  # a government level above the unit (level_from_unit >= 1)

SCOPE_ANY = "*"
SCOPE_DECREE_493 = "decree493"

# 第十条: how far up the chain (levels above the unit: 1 county, 2 city, 3 province, 4 国务院
# departments) an accident of each grade must be reported.
DECREE_493_TOP_LEVEL = {1: 4, 2: 4, 3: 3, 4: 2}

DECREE_493 = "《生产安全事故报告和调查处理条例》（国务院令第493号）"
FUXIN_PLAN = "《阜新市“十四五”应急体系规划》（阜政办发〔2022〕9号）"


@dataclass(frozen=True)
class DeadlineRule:
    jurisdiction_prefix: str
    event_scope: str  # "*", a category code, "decree493" or an incident type code
    kind: str
    label: str
    duration: timedelta | None  # None: the kind does not apply in this jurisdiction
    clock: str
    source: str
    reporter_level: str = LEVEL_ANY
    calendar_days: bool = False  # count whole days (民法典 第二百零一条) instead of an exact span
    working_days: bool = False  # count working days (rules.workdays), ending at 24:00 of the last one
    window: bool = False  # a period in which something must be done if it happens, not a due report
    confidence: str = "C"


DEFAULT_DEADLINE_RULES: tuple[DeadlineRule, ...] = (
    DeadlineRule("2109", SCOPE_ANY, "phone_report", "电话报告", timedelta(minutes=20),
                 CLOCK_RECEIVED, f"{FUXIN_PLAN}：突发事件发生后，20分钟内电话报告"),
    DeadlineRule("2109", SCOPE_ANY, "written_report", "书面报告", timedelta(hours=1),
                 CLOCK_RECEIVED, f"{FUXIN_PLAN}：1小时之内书面报送信息"),
    DeadlineRule("", SCOPE_DECREE_493, "unit_report", "事故单位向县级以上有关部门报告",
                 timedelta(hours=1), CLOCK_RECEIVED,
                 f"{DECREE_493}第九条：单位负责人接到报告后，应当于1小时内报告",
                 reporter_level=LEVEL_UNIT),
    DeadlineRule("", SCOPE_DECREE_493, "upward_report", "向上一级部门报告",
                 timedelta(hours=2), CLOCK_RECEIVED,
                 f"{DECREE_493}第十一条：每级上报的时间不得超过2小时",
                 reporter_level=LEVEL_DEPARTMENT),
    DeadlineRule("", SCOPE_DECREE_493, "casualty_supplement", "伤亡人数变化补报期",
                 timedelta(days=30), CLOCK_OCCURRED,
                 f"{DECREE_493}第十三条：自事故发生之日起30日内，伤亡人数发生变化的，应当及时补报",
                 calendar_days=True, window=True),
    DeadlineRule("", "accident.road_traffic", "casualty_supplement", "伤亡人数变化补报期",
                 timedelta(days=7), CLOCK_OCCURRED,
                 f"{DECREE_493}第十三条：道路交通事故自发生之日起7日内伤亡人数发生变化的，应当及时补报",
                 calendar_days=True, window=True),
    DeadlineRule("", "accident.fire", "casualty_supplement", "伤亡人数变化补报期",
                 timedelta(days=7), CLOCK_OCCURRED,
                 f"{DECREE_493}第十三条：火灾事故自发生之日起7日内伤亡人数发生变化的，应当及时补报",
                 calendar_days=True, window=True),
    DeadlineRule("", "natural", "disaster_initial_report", "灾情初报",
                 timedelta(hours=2), CLOCK_OCCURRED,
                 "自然灾害情况统计调查制度及省级灾情报送办法：灾害发生后2小时内报告（部分确认，待核实现行文本）",
                 confidence="P"),
)


@dataclass(frozen=True)
class Deadline:
    kind: str
    label: str
    due_at: datetime
    source: str
    clock: str
    starts_at: datetime
    window: bool = False
    confidence: str = "C"

    @property
    def clock_label(self) -> str:
        return CLOCK_LABELS[self.clock]


def jurisdiction_prefix(code: str) -> str:
    """Rule prefix for a division code: the code without its empty lower levels.

    ``210000`` → ``21`` (province), ``210900`` → ``2109`` (city), ``210921`` → ``210921``,
    ``210921100000`` → ``210921100`` (township), ``210921000000`` → ``210921``.
    """
    code = _check_division_code(code)
    if len(code) == 12 and code.endswith("000"):
        code = code[:9]
    if len(code) == 9 and code.endswith("000"):
        code = code[:6]
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


def deadlines_for(jurisdiction_code: str, event_type_code: str, received_at: datetime,
                  occurred_at: datetime | None, level_from_unit: int = 0, *,
                  accident_level: int | None = None,
                  rules: Iterable[DeadlineRule] = DEFAULT_DEADLINE_RULES) -> list[Deadline]:
    """Every reporting deadline that applies, ordered by due time.

    ``received_at`` is when the reporting office (at ``level_from_unit`` levels above the
    accident unit: 0 the unit, 1 county, 2 city, 3 province) received the report;
    ``occurred_at`` may be ``None`` while unknown, which skips rules running from it.
    ``accident_level`` (1–4), when known, drops the 493 upward report once the level named
    by 第十条 for that grade is reached (一般 → city, 较大 → province, 重大/特别重大 → 国务院).
    """
    code = _check_division_code(jurisdiction_code)
    itype = incident_type(event_type_code)
    _require_aware(received_at, "接报时间")
    if occurred_at is not None:
        _require_aware(occurred_at, "事发时间")
    level = _check_level(level_from_unit)
    applicable = [r for r in rules
                  if code.startswith(r.jurisdiction_prefix)
                  and _scope_specificity(r.event_scope, itype) is not None
                  and _level_matches(r.reporter_level, level)]
    chosen = _most_specific_per_kind(applicable, itype)
    clocks = {CLOCK_RECEIVED: received_at, CLOCK_OCCURRED: occurred_at}
    result = []
    for rule in chosen:
        if rule.duration is None or clocks[rule.clock] is None:
            continue
        if rule.kind == "upward_report" and _chain_complete(level, accident_level):
            continue
        start = clocks[rule.clock]
        result.append(Deadline(rule.kind, rule.label, _due(start, rule), rule.source,
                               rule.clock, start, rule.window, rule.confidence))
    return sorted(result, key=lambda d: d.due_at)


def due_for(rule: DeadlineRule, start: datetime) -> datetime:
    """When ``rule`` falls due for a clock started at ``start`` (aware)."""
    _require_aware(start, "起算时间")
    if rule.duration is None:
        raise ValueError(f"“{rule.label}”在此不适用，没有截止时间")
    return _due(start, rule)


def deadline_from(rule: DeadlineRule, start: datetime) -> Deadline:
    """The :class:`Deadline` of ``rule`` for a clock started at ``start`` — for callers that
    pick their rule themselves (disaster reports by stage and level)."""
    return Deadline(rule.kind, rule.label, due_for(rule, start), rule.source, rule.clock, start, rule.window,
                    rule.confidence)


def add_working_days(start: datetime, days: int) -> datetime:
    """``days`` working days after ``start`` (Beijing time): the start day is not counted, the
    State Council's holiday calendar decides which days work (``rules.workdays``), ending at
    24:00 of the last one."""
    day = workdays.add_working_days(start.astimezone(BEIJING).date(), days)
    return datetime.combine(day + timedelta(days=1), time(0, 0), BEIJING).astimezone(start.tzinfo)


def overdue(deadline: Deadline, done_at: datetime | None, now: datetime) -> bool:
    """Late if done after ``due_at`` or still undone after it; exactly at ``due_at`` is on time.

    Windows (``deadline.window``) are never overdue: they only say until when a change
    must still be reported.
    """
    _require_aware(now, "当前时间")
    if deadline.window:
        return False
    if done_at is not None:
        _require_aware(done_at, "完成时间")
        return done_at > deadline.due_at
    return now > deadline.due_at


def remaining_seconds(deadline: Deadline, now: datetime) -> float:
    """Seconds left until ``due_at``; negative once it has passed."""
    _require_aware(now, "当前时间")
    return (deadline.due_at - now).total_seconds()


class ReportTimeError(ValueError):
    """Invalid report times; ``errors`` maps field name → Chinese message."""

    def __init__(self, errors: Mapping[str, str]):
        self.errors = dict(errors)
        super().__init__("；".join(self.errors.values()))


def validate_report_times(occurred_at: datetime | None, received_at: datetime | None,
                          report_at: datetime | None, now: datetime,
                          max_future: timedelta = timedelta(minutes=5)) -> None:
    """Raise :class:`ReportTimeError` (a ``ValueError``) when the times cannot be true.

    Checks: every time is timezone-aware; none lies more than ``max_future`` after ``now``
    (clock skew allowance); 接报 is not before 事发; the report is neither before 事发 nor
    before 接报 — compared to the whole second. ``None`` means "not known yet" and is skipped.
    """
    _require_aware(now, "当前时间")
    times = {"occurred_at": (occurred_at, "事发时间"), "received_at": (received_at, "接报时间"),
             "report_at": (report_at, "报告时间")}
    errors: dict[str, str] = {}
    for field, (value, label) in times.items():
        if value is None:
            continue
        if value.tzinfo is None or value.utcoffset() is None:
            errors[field] = f"{label}必须带时区"
        elif value > now + max_future:
            errors[field] = f"{label}晚于当前时间，请检查是否填错"
    if errors:
        raise ReportTimeError(errors)
    order = (("received_at", received_at, occurred_at, "接报时间不能早于事发时间"),
             ("report_at", report_at, occurred_at, "报告时间不能早于事发时间"),
             ("report_at", report_at, received_at, "报告时间不能早于接报时间"))
    for field, later, earlier, message in order:
        # To the whole second, the precision people enter times in: a report filed in the second
        # of its 接报 (stored to the microsecond) is not earlier than it.
        if later is not None and earlier is not None and later < earlier.replace(microsecond=0) and field not in errors:
            errors[field] = message
    if errors:
        raise ReportTimeError(errors)


# --- helpers ---------------------------------------------------------------

def _due(start: datetime, rule: DeadlineRule) -> datetime:
    if rule.working_days:
        return add_working_days(start, rule.duration.days)
    if not rule.calendar_days:
        return start + rule.duration
    local_day = start.astimezone(BEIJING).date()
    last_day = local_day + timedelta(days=rule.duration.days)
    end_of_last_day = datetime.combine(last_day + timedelta(days=1), time(0), BEIJING)
    return end_of_last_day.astimezone(start.tzinfo)


def _scope_specificity(scope: str, itype: IncidentType) -> int | None:
    """How narrowly ``scope`` names ``itype`` (higher is narrower); ``None`` if not at all."""
    if scope == SCOPE_ANY:
        return 0
    if scope == itype.category:
        return 1
    if scope == SCOPE_DECREE_493:
        return 2 if itype.decree_493 else None
    if scope == itype.code:
        return 3
    return None


def _most_specific_per_kind(rules: list[DeadlineRule],
                            itype: IncidentType) -> list[DeadlineRule]:
    best: dict[str, tuple[tuple[int, int], DeadlineRule]] = {}
    for rule in rules:
        rank = (len(rule.jurisdiction_prefix), _scope_specificity(rule.event_scope, itype))
        if rule.kind not in best or rank >= best[rule.kind][0]:  # equal rank: later row wins
            best[rule.kind] = (rank, rule)
    return [rule for _, rule in best.values()]


def _level_matches(reporter_level: str, level_from_unit: int) -> bool:
    if reporter_level == LEVEL_UNIT:
        return level_from_unit == 0
    if reporter_level == LEVEL_DEPARTMENT:
        return level_from_unit >= 1
    return True


def _chain_complete(level_from_unit: int, accident_level: int | None) -> bool:
    if accident_level is None:
        return False
    if accident_level not in DECREE_493_TOP_LEVEL:
        raise ValueError(f"事故等级应为1至4，收到：{accident_level}")
    return level_from_unit >= DECREE_493_TOP_LEVEL[accident_level]


def _check_level(level_from_unit: int) -> int:
    if isinstance(level_from_unit, bool) or not isinstance(level_from_unit, int) \
            or level_from_unit < 0:
        raise ValueError(f"上报层级应为不小于0的整数，收到：{level_from_unit!r}")
    return level_from_unit


def _check_division_code(code: str) -> str:
    if not isinstance(code, str) or not code.isascii() or not code.isdigit() \
            or len(code) not in (6, 9, 12):
        raise ValueError(f"行政区划代码应为6位、9位或12位数字，收到：{code!r}")
    return code


def _require_aware(value: datetime, label: str) -> None:
    if not isinstance(value, datetime):
        raise ValueError(f"{label}必须是日期时间")
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"{label}必须带时区")
