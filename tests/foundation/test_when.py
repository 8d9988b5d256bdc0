"""Dates and times in one form everywhere in the console: the ``when`` filter (Asia/Shanghai,
24 h, to the minute), and no template formats a date and time any other way."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from yingji.web.templatetags.labels import when

ROOT = Path(__file__).resolve().parents[2] / "yingji"


def test_when_shows_local_time_in_one_form():
    utc = dt.datetime(2026, 7, 14, 17, 5, 59, tzinfo=dt.timezone.utc)
    assert when(utc) == "2026-07-15 01:05"  # Beijing is UTC+8: past midnight, the next day
    assert when(dt.date(2026, 7, 15)) == "2026-07-15"
    assert when(None) == "" and when("") == ""
    # A time received from another installation arrives as ISO 8601 text and reads the same way.
    assert when("2026-07-14T17:05:59+00:00") == "2026-07-15 01:05"
    assert when("2026-07-15") == "2026-07-15" and when("not a time") == "not a time"


def test_no_template_formats_a_date_and_time_another_way():
    pattern = re.compile(r'\|date:"[^"]*[YmdjnFMN][^"]*[HGhgis][^"]*"')
    offenders = [f"{path.relative_to(ROOT)}: {m.group(0)}" for path in ROOT.rglob("*.html")
                 for m in pattern.finditer(path.read_text(encoding="utf-8"))]
    assert offenders == []
