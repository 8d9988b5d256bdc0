import re
from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from yingji.rules.deadlines import (
    BEIJING,
    CLOCK_OCCURRED,
    DEFAULT_DEADLINE_RULES,
    DeadlineRule,
    ReportTimeError,
    deadlines_for,
    jurisdiction_prefix,
    overdue,
    remaining_seconds,
    validate_report_times,
)

UTC = timezone.utc
OCCURRED = datetime(2024, 7, 11, 9, 0, tzinfo=BEIJING)
RECEIVED = datetime(2024, 7, 11, 9, 30, tzinfo=BEIJING)


def by_kind(deadlines):
    return {d.kind: d for d in deadlines}


# --- Fuxin phone / written reports -------------------------------------------

@pytest.mark.parametrize("code", ["210900", "210902", "210921", "210922", "210921100", "210921100201"])
@pytest.mark.parametrize("event", ["natural.flood", "accident.hazchem", "public_health.food_safety",
                                   "social_safety.mass_incident"])
def test_fuxin_and_below_phone_20_min_written_1_h_from_receipt(code, event):
    d = by_kind(deadlines_for(code, event, RECEIVED, OCCURRED))
    assert d["phone_report"].due_at == RECEIVED + timedelta(minutes=20)
    assert d["phone_report"].label == "电话报告"
    assert d["written_report"].due_at == RECEIVED + timedelta(hours=1)
    assert d["written_report"].label == "书面报告"
    assert "阜政办发〔2022〕9号" in d["phone_report"].source
    assert d["phone_report"].clock == "received"
    assert d["phone_report"].clock_label == "接报时间"


@pytest.mark.parametrize("code", ["210500", "211282", "110000", "210000", "210800"])
def test_outside_fuxin_no_fuxin_rules(code):
    kinds = {d.kind for d in deadlines_for(code, "social_safety.mass_incident", RECEIVED, OCCURRED)}
    assert kinds == set()


# --- Decree 493 ----------------------------------------------------------------

def test_unit_reports_within_one_hour_of_receipt():
    d = by_kind(deadlines_for("210500", "accident.hazchem", RECEIVED, OCCURRED, level_from_unit=0))
    assert d["unit_report"].due_at == RECEIVED + timedelta(hours=1)
    assert "第九条" in d["unit_report"].source
    assert "upward_report" not in d


@pytest.mark.parametrize("level", [1, 2, 3, 4])
def test_each_level_up_within_two_hours(level):
    d = by_kind(deadlines_for("210500", "accident.coal_mine", RECEIVED, OCCURRED, level_from_unit=level))
    assert d["upward_report"].due_at == RECEIVED + timedelta(hours=2)
    assert "第十一条" in d["upward_report"].source
    assert "unit_report" not in d


@pytest.mark.parametrize("accident_level, level_from_unit, upward_due", [
    (4, 1, True), (4, 2, False), (4, 3, False),          # 一般 → 设区的市级
    (3, 1, True), (3, 2, True), (3, 3, False),           # 较大 → 省级
    (2, 3, True), (2, 4, False), (1, 3, True), (1, 4, False),  # 重大/特别重大 → 国务院
    (None, 4, True), (None, 9, True),
])
def test_upward_report_stops_at_the_level_named_by_article_10(accident_level, level_from_unit, upward_due):
    d = by_kind(deadlines_for("210900", "accident.fire", RECEIVED, OCCURRED, level_from_unit,
                              accident_level=accident_level))
    assert ("upward_report" in d) is upward_due


def test_invalid_accident_level():
    with pytest.raises(ValueError, match="事故等级应为1至4"):
        deadlines_for("210900", "accident.fire", RECEIVED, OCCURRED, 1, accident_level=5)


@pytest.mark.parametrize("event", ["natural.earthquake", "accident.environmental", "accident.grid_blackout",
                                   "public_health.infectious_disease"])
def test_decree_493_rules_only_for_work_safety_accidents(event):
    for level in (0, 1, 2):
        kinds = {d.kind for d in deadlines_for("210500", event, RECEIVED, OCCURRED, level)}
        assert not kinds & {"unit_report", "upward_report", "casualty_supplement"}


@pytest.mark.parametrize("event, days", [
    ("accident.hazchem", 30), ("accident.coal_mine", 30), ("accident.construction", 30),
    ("accident.work_safety", 30), ("accident.utilities", 30),
    ("accident.road_traffic", 7), ("accident.fire", 7),
])
def test_casualty_supplement_window_counts_calendar_days(event, days):
    # 2024-07-11 09:00 Beijing: the start day is not counted; window ends at 24:00 of day N.
    d = by_kind(deadlines_for("210900", event, RECEIVED, OCCURRED))["casualty_supplement"]
    assert d.due_at == datetime(2024, 7, 12, tzinfo=BEIJING) + timedelta(days=days)
    assert d.window is True
    assert d.clock == "occurred"
    assert "第十三条" in d.source


def test_calendar_days_use_beijing_date_even_for_utc_input():
    # 2024-07-10 17:00 UTC is 2024-07-11 01:00 in Beijing: the accident day is 11 July.
    occurred = datetime(2024, 7, 10, 17, 0, tzinfo=UTC)
    d = by_kind(deadlines_for("210900", "accident.fire", RECEIVED, occurred))["casualty_supplement"]
    assert d.due_at == datetime(2024, 7, 19, 0, 0, tzinfo=BEIJING)
    assert d.due_at.tzinfo is UTC


def test_unknown_occurrence_skips_rules_running_from_it():
    kinds = {d.kind for d in deadlines_for("210900", "accident.fire", RECEIVED, None)}
    assert kinds == {"phone_report", "written_report", "unit_report"}


def test_natural_disaster_initial_report_is_marked_partly_confirmed():
    d = by_kind(deadlines_for("210500", "natural.flood", RECEIVED, OCCURRED))
    assert d["disaster_initial_report"].due_at == OCCURRED + timedelta(hours=2)
    assert d["disaster_initial_report"].confidence == "P"


def test_result_sorted_by_due_time():
    result = deadlines_for("210902", "accident.road_traffic", RECEIVED, OCCURRED)
    assert [d.kind for d in result] == ["phone_report", "written_report", "unit_report",
                                        "casualty_supplement"]
    assert [d.due_at for d in result] == sorted(d.due_at for d in result)


# --- inheritance ------------------------------------------------------------------

LIAONING_PHONE = DeadlineRule("21", "*", "phone_report", "电话报告", timedelta(minutes=30),
                              "received", "示例：辽宁省规定")
FUMENG_PHONE = DeadlineRule("210921", "*", "phone_report", "电话报告", timedelta(minutes=15),
                            "received", "示例：阜蒙县规定")
FUXIN_NO_WRITTEN = DeadlineRule("2109", "*", "written_report", "书面报告", None, "received", "示例")
FUXIN_HAZCHEM_PHONE = DeadlineRule("2109", "accident.hazchem", "phone_report", "电话报告",
                                   timedelta(minutes=10), "received", "示例：危化品")
RULES = DEFAULT_DEADLINE_RULES + (LIAONING_PHONE, FUMENG_PHONE, FUXIN_HAZCHEM_PHONE)


@pytest.mark.parametrize("code, event, minutes", [
    ("210500", "natural.flood", 30),          # province rule, no city rule
    ("210900", "natural.flood", 20),          # Fuxin beats Liaoning
    ("210902", "natural.flood", 20),
    ("210921", "natural.flood", 15),          # county beats city
    ("210921100", "natural.flood", 15),       # township inherits its county
    ("210902", "accident.hazchem", 10),       # same prefix: narrower event scope wins
    ("210921", "accident.hazchem", 15),       # longer prefix beats narrower scope
])
def test_most_specific_rule_wins(code, event, minutes):
    d = by_kind(deadlines_for(code, event, RECEIVED, OCCURRED, rules=RULES))
    assert d["phone_report"].due_at == RECEIVED + timedelta(minutes=minutes)


def test_rule_with_no_duration_switches_a_kind_off():
    d = by_kind(deadlines_for("210902", "natural.flood", RECEIVED, OCCURRED,
                              rules=DEFAULT_DEADLINE_RULES + (FUXIN_NO_WRITTEN,)))
    assert "written_report" not in d and "phone_report" in d


def test_a_jurisdiction_can_run_the_clock_from_occurrence():
    literal = tuple(replace(r, clock=CLOCK_OCCURRED) if r.kind == "phone_report" else r
                    for r in DEFAULT_DEADLINE_RULES)
    d = by_kind(deadlines_for("210900", "natural.flood", RECEIVED, OCCURRED, rules=literal))
    assert d["phone_report"].due_at == OCCURRED + timedelta(minutes=20)
    assert d["phone_report"].starts_at == OCCURRED


@pytest.mark.parametrize("code, prefix", [
    ("210000", "21"), ("210900", "2109"), ("210921", "210921"), ("211282", "211282"),
    ("210921100", "210921100"), ("210921000", "210921"), ("210921100000", "210921100"),
    ("210921100201", "210921100201"), ("210900000000", "2109"),
])
def test_jurisdiction_prefix(code, prefix):
    assert jurisdiction_prefix(code) == prefix


# --- input validation ---------------------------------------------------------------

@pytest.mark.parametrize("code", ["2109", "21090", "2109000", "21090a", "", None, 210900, "２１０９００"])
def test_bad_division_code(code):
    with pytest.raises(ValueError, match="行政区划代码"):
        deadlines_for(code, "natural.flood", RECEIVED, OCCURRED)


def test_unknown_event_type():
    with pytest.raises(ValueError, match="未知的突发事件类型代码"):
        deadlines_for("210900", "accident.unknown", RECEIVED, OCCURRED)


@pytest.mark.parametrize("received, occurred, message", [
    (datetime(2024, 7, 11, 9, 30), OCCURRED, "接报时间必须带时区"),
    (RECEIVED, datetime(2024, 7, 11, 9, 0), "事发时间必须带时区"),
    ("2024-07-11 09:30", OCCURRED, "接报时间必须是日期时间"),
])
def test_naive_or_non_datetimes_refused(received, occurred, message):
    with pytest.raises(ValueError, match=message):
        deadlines_for("210900", "natural.flood", received, occurred)


@pytest.mark.parametrize("level", [-1, True, 1.0, "1"])
def test_bad_level_from_unit(level):
    with pytest.raises(ValueError, match="上报层级"):
        deadlines_for("210900", "accident.fire", RECEIVED, OCCURRED, level)


# --- overdue / remaining ----------------------------------------------------------------

def phone_deadline():
    return by_kind(deadlines_for("210900", "natural.flood", RECEIVED, OCCURRED))["phone_report"]


DUE = RECEIVED + timedelta(minutes=20)


@pytest.mark.parametrize("done_at, now, late", [
    (None, DUE - timedelta(seconds=1), False),
    (None, DUE, False),                               # exactly at the limit is on time
    (None, DUE + timedelta(seconds=1), True),
    (DUE - timedelta(minutes=5), DUE + timedelta(days=1), False),
    (DUE, DUE + timedelta(days=1), False),
    (DUE + timedelta(microseconds=1), DUE + timedelta(days=1), True),
    (DUE + timedelta(minutes=1), DUE, True),          # done late, judged by done_at
])
def test_overdue(done_at, now, late):
    assert overdue(phone_deadline(), done_at, now) is late


def test_overdue_compares_instants_across_time_zones():
    due_in_utc = DUE.astimezone(UTC)
    assert overdue(phone_deadline(), due_in_utc, due_in_utc + timedelta(hours=5)) is False
    assert overdue(phone_deadline(), None, due_in_utc + timedelta(seconds=1)) is True


def test_windows_are_never_overdue():
    window = by_kind(deadlines_for("210900", "accident.fire", RECEIVED, OCCURRED))["casualty_supplement"]
    assert overdue(window, None, window.due_at + timedelta(days=100)) is False


@pytest.mark.parametrize("now, seconds", [
    (RECEIVED, 1200.0), (DUE, 0.0), (DUE + timedelta(seconds=90), -90.0),
    (RECEIVED + timedelta(seconds=0.5), 1199.5),
])
def test_remaining_seconds(now, seconds):
    assert remaining_seconds(phone_deadline(), now) == seconds


def test_naive_now_refused():
    with pytest.raises(ValueError, match="当前时间必须带时区"):
        remaining_seconds(phone_deadline(), datetime(2024, 7, 11, 9, 40))
    with pytest.raises(ValueError, match="完成时间必须带时区"):
        overdue(phone_deadline(), datetime(2024, 7, 11, 9, 40), RECEIVED)


# --- validate_report_times -----------------------------------------------------------

NOW = datetime(2024, 7, 11, 12, 0, tzinfo=BEIJING)


@pytest.mark.parametrize("occurred, received, report", [
    (OCCURRED, RECEIVED, RECEIVED + timedelta(minutes=10)),
    (OCCURRED, OCCURRED, OCCURRED),                    # all equal is possible
    (None, RECEIVED, None),
    (OCCURRED, None, None),
    (OCCURRED, RECEIVED, NOW + timedelta(minutes=5)),   # within clock-skew allowance
    (OCCURRED.astimezone(UTC), RECEIVED, RECEIVED),
    # the form gives the report time to the second; 接报 was stored to the microsecond in that second
    (OCCURRED, RECEIVED + timedelta(microseconds=600_000), RECEIVED),
])
def test_valid_report_times(occurred, received, report):
    assert validate_report_times(occurred, received, report, NOW) is None


@pytest.mark.parametrize("occurred, received, report, errors", [
    (OCCURRED, OCCURRED - timedelta(seconds=1), None, {"received_at": "接报时间不能早于事发时间"}),
    (OCCURRED, None, OCCURRED - timedelta(minutes=1), {"report_at": "报告时间不能早于事发时间"}),
    (OCCURRED, RECEIVED, RECEIVED - timedelta(minutes=1), {"report_at": "报告时间不能早于接报时间"}),
    (OCCURRED, RECEIVED + timedelta(microseconds=600_000), RECEIVED - timedelta(seconds=1),
     {"report_at": "报告时间不能早于接报时间"}),
    (NOW + timedelta(minutes=5, seconds=1), None, None, {"occurred_at": "事发时间晚于当前时间，请检查是否填错"}),
    (OCCURRED, NOW + timedelta(hours=1), NOW + timedelta(days=1),
     {"received_at": "接报时间晚于当前时间，请检查是否填错",
      "report_at": "报告时间晚于当前时间，请检查是否填错"}),
    (datetime(2024, 7, 11, 9, 0), RECEIVED, None, {"occurred_at": "事发时间必须带时区"}),
])
def test_invalid_report_times(occurred, received, report, errors):
    with pytest.raises(ReportTimeError, match=f"^{re.escape('；'.join(errors.values()))}$") as info:
        validate_report_times(occurred, received, report, NOW)
    assert info.value.errors == errors
    assert isinstance(info.value, ValueError)
    assert str(info.value) == "；".join(errors.values())


def test_max_future_is_configurable():
    later = NOW + timedelta(minutes=3)
    validate_report_times(OCCURRED, later, None, NOW)
    with pytest.raises(ValueError, match="接报时间晚于当前时间"):
        validate_report_times(OCCURRED, later, None, NOW, max_future=timedelta(0))
