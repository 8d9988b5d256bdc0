"""Working days as the State Council's holiday notices define them (pure: no Django).

Periods in working days (行政处罚法 第八十五条: "不含法定节假日"; 安全生产法 第七十八条's
"七个工作日"; the filing period of a plan) skip Saturdays, Sundays and the public holidays, and
count the make-up working days (调休上班) that fall on a weekend. Each year's days are set by
that year's notice of 国务院办公厅, published in November of the year before:

- 2025: 国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号，2024年11月12日）,
  the first under the 2024 revision of 《全国年节及纪念日放假办法》;
- 2026: 国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日，新华社全文）.

A year no notice covers here counts Monday–Friday only, and says so (``covered``): the
deployment adds the next year's notice in its holiday file (``YINGJI_HOLIDAY_FILE``,
docs/rules.md "Working days") as soon as it is published, without waiting for a release.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from typing import Iterable


def _days(first: str, last: str | None = None) -> set[dt.date]:
    start = dt.date.fromisoformat(first)
    end = dt.date.fromisoformat(last) if last else start
    return {start + dt.timedelta(days=k) for k in range((end - start).days + 1)}


@dataclass(frozen=True)
class YearCalendar:
    year: int
    holidays: frozenset[dt.date]       # 放假 days (the weekend days inside a holiday included)
    workdays: frozenset[dt.date]       # 调休上班: weekend days that are working days
    source: str

    def __post_init__(self) -> None:
        for day in self.holidays | self.workdays:
            if day.year != self.year:
                raise ValueError(f"{self.year} 年节假日安排中的日期 {day} 不属于该年")
        if self.holidays & self.workdays:
            raise ValueError(f"{self.year} 年节假日安排中有日期既放假又上班")


NATIONAL: dict[int, YearCalendar] = {
    2025: YearCalendar(2025, frozenset(
        _days("2025-01-01") | _days("2025-01-28", "2025-02-04") | _days("2025-04-04", "2025-04-06")
        | _days("2025-05-01", "2025-05-05") | _days("2025-05-31", "2025-06-02") | _days("2025-10-01", "2025-10-08")),
        frozenset(_days("2025-01-26") | _days("2025-02-08") | _days("2025-04-27") | _days("2025-09-28")
                  | _days("2025-10-11")),
        "国务院办公厅关于2025年部分节假日安排的通知（国办发明电〔2024〕12号）"),
    2026: YearCalendar(2026, frozenset(
        _days("2026-01-01", "2026-01-03") | _days("2026-02-15", "2026-02-23") | _days("2026-04-04", "2026-04-06")
        | _days("2026-05-01", "2026-05-05") | _days("2026-06-19", "2026-06-21") | _days("2026-09-25", "2026-09-27")
        | _days("2026-10-01", "2026-10-07")),
        frozenset(_days("2026-01-04") | _days("2026-02-14") | _days("2026-02-28") | _days("2026-05-09")
                  | _days("2026-09-20") | _days("2026-10-10")),
        "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"),
}


@dataclass
class Calendar:
    """The national notices plus the years a deployment adds (a later notice, a local day off)."""
    years: dict[int, YearCalendar] = field(default_factory=lambda: dict(NATIONAL))

    def covered(self, year: int) -> bool:
        return year in self.years

    def is_working_day(self, day: dt.date, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> bool:
        if day in set(workdays):
            return True
        if day in set(holidays):
            return False
        year = self.years.get(day.year)
        if year is not None:
            if day in year.workdays:
                return True
            if day in year.holidays:
                return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, days: int, holidays: Iterable[dt.date] = (),
                         workdays: Iterable[dt.date] = ()) -> dt.date:
        """The ``days``-th working day after ``start`` (the start day is not counted)."""
        off, on = set(holidays), set(workdays)
        day, counted = start, 0
        while counted < days:
            day += dt.timedelta(days=1)
            if self.is_working_day(day, off, on):
                counted += 1
        return day

    def load(self, text: str, source_name: str = "节假日文件") -> list[int]:
        """Add years from a TOML holiday file; returns the years added. Each year::

            [2027]
            source = "国务院办公厅关于2027年部分节假日安排的通知"
            holidays = ["2027-01-01", "2027-02-05..2027-02-11"]   # a day or first..last
            workdays = ["2027-02-14"]
        """
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"{source_name}不是有效的 TOML：{exc}") from exc
        added = []
        for key, entry in data.items():
            if not (isinstance(key, str) and key.isdigit() and isinstance(entry, dict)):
                raise ValueError(f"{source_name}中的“{key}”不是年份（应为 [2027] 这样的小节）")
            try:
                holidays = set().union(*(_days(*item.split("..")) for item in entry.get("holidays", [])))
                workdays = set().union(*(_days(*item.split("..")) for item in entry.get("workdays", [])))
            except (TypeError, ValueError) as exc:
                raise ValueError(f"{source_name} {key} 年的日期无效（应为 2027-01-01 或 2027-02-05..2027-02-11）：{exc}") from exc
            source = str(entry.get("source", "")).strip()
            if not source:
                raise ValueError(f"{source_name} {key} 年缺少 source（依据的通知）")
            self.years[int(key)] = YearCalendar(int(key), frozenset(holidays), frozenset(workdays), source)
            added.append(int(key))
        return sorted(added)


CALENDAR = Calendar()


def is_working_day(day: dt.date, holidays: Iterable[dt.date] = (), workdays: Iterable[dt.date] = ()) -> bool:
    return CALENDAR.is_working_day(day, holidays, workdays)


def add_working_days(start: dt.date, days: int, holidays: Iterable[dt.date] = (),
                     workdays: Iterable[dt.date] = ()) -> dt.date:
    return CALENDAR.add_working_days(start, days, holidays, workdays)


def covered(year: int) -> bool:
    return CALENDAR.covered(year)
