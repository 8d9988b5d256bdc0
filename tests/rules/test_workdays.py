"""Working days follow the State Council's holiday notices: public holidays are not counted and
the make-up working days (调休上班) on a weekend are (docs/rules.md §4a)."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from yingji.rules import enforcement, workdays
from yingji.rules.deadlines import BEIJING, add_working_days as add_working_days_at
from yingji.rules.workdays import Calendar


def test_a_hearing_request_window_over_the_spring_festival_ends_after_the_holiday():
    # Notice served Friday 13 Feb 2026: Saturday 14 Feb is a 调休 working day (1), 15–23 Feb are
    # the Spring Festival, then 24, 25, 26 and 27 Feb: the five working days end on the 27th,
    # a week later than Monday–Friday counting (20 Feb) would have told the party.
    clocks = enforcement.case_clocks(filed_on=date(2026, 2, 2), notified_on=date(2026, 2, 13))
    statement = next(c for c in clocks if c.kind == "statement")
    assert statement.due_on == date(2026, 2, 27)


def test_publication_within_seven_working_days_over_national_day():
    # Decision on 30 Sep 2026: 1–7 Oct off; 8, 9, Saturday 10 Oct (调休), 12, 13, 14, 15 Oct.
    clocks = enforcement.case_clocks(filed_on=date(2026, 9, 1), decided_on=date(2026, 9, 30))
    assert next(c for c in clocks if c.kind == "publication").due_on == date(2026, 10, 15)


@pytest.mark.parametrize("day, working", [
    (date(2025, 1, 1), False),    # 元旦 2025, a Wednesday
    (date(2025, 1, 26), True),    # Sunday, 调休上班
    (date(2025, 10, 8), False),   # 国庆中秋 2025, eighth day
    (date(2025, 10, 11), True),   # Saturday, 调休上班
    (date(2026, 1, 4), True),     # Sunday, 调休上班
    (date(2026, 6, 19), False),   # 端午 2026, a Friday
    (date(2026, 9, 25), False),   # 中秋 2026, a Friday
    (date(2026, 9, 28), True),    # an ordinary Monday
    (date(2026, 9, 26), False),   # an ordinary Saturday... inside 中秋 anyway
    (date(2027, 1, 1), True),     # 2027: no notice shipped, Monday–Friday only
])
def test_national_calendar(day, working):
    assert workdays.is_working_day(day) is working


def test_a_report_due_in_working_days_ends_at_midnight_after_the_holiday():
    # Filed at 16:00 on Thursday 30 Apr 2026 (Beijing), 2 working days: 1–5 May off, Wed 6 May,
    # Thu 7 May; due at 24:00 of 7 May.
    start = datetime(2026, 4, 30, 16, 0, tzinfo=BEIJING)
    assert add_working_days_at(start, 2) == datetime(2026, 5, 8, 0, 0, tzinfo=BEIJING)


def test_a_deployment_adds_the_next_years_notice():
    calendar = Calendar()
    added = calendar.load('''
[2027]
source = "国务院办公厅关于2027年部分节假日安排的通知"
holidays = ["2027-01-01", "2027-02-05..2027-02-11"]
workdays = ["2027-02-14"]
''')
    assert added == [2027] and calendar.covered(2027) and not workdays.covered(2027)
    # Thursday 4 Feb 2027 + 3 working days: 5–11 Feb off, Friday 12, Sunday 14 (调休), Monday 15.
    assert calendar.add_working_days(date(2027, 2, 4), 3) == date(2027, 2, 15)


@pytest.mark.parametrize("text, words", [
    ("[2027\nsource=", "不是有效的 TOML"),
    ('[2027]\nholidays = ["2027-13-01"]\nsource = "x"', "日期无效"),
    ('[2027]\nholidays = ["2027-01-01"]', "缺少 source"),
    ('[2027]\nholidays = ["2028-01-01"]\nsource = "x"', "不属于该年"),
    ('[next]\nholidays = []\nsource = "x"', "不是年份"),
])
def test_a_holiday_file_that_cannot_be_used_says_why(text, words):
    with pytest.raises(ValueError, match=words):
        Calendar().load(text)


def test_the_self_check_reminds_of_a_missing_year():
    from yingji.core.checks import holiday_reminders

    assert holiday_reminders(date(2026, 6, 1)) == []
    reminders = holiday_reminders(date(2026, 12, 3))   # the 2027 notice is out by now
    assert len(reminders) == 1 and "2027 年" in reminders[0] and "YINGJI_HOLIDAY_FILE" in reminders[0]


def test_the_holiday_file_is_read_at_start(tmp_path):
    from django.core.exceptions import ImproperlyConfigured

    from yingji.core.apps import load_holiday_file

    path = tmp_path / "holidays.toml"
    path.write_text('[2027]\nsource = "国务院办公厅关于2027年部分节假日安排的通知"\nholidays = ["2027-01-01"]\n',
                    encoding="utf-8")
    try:
        assert load_holiday_file(str(path)) == [2027]
        assert not workdays.is_working_day(date(2027, 1, 1))
    finally:
        workdays.CALENDAR.years.pop(2027, None)
    with pytest.raises(ImproperlyConfigured, match="YINGJI_HOLIDAY_FILE 无法使用"):
        load_holiday_file(str(tmp_path / "missing.toml"))
