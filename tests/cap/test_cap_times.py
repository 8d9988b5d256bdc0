"""CAP times: UTC is written -00:00 (CAP 1.2 §3.3.2), other offsets are kept (issue 14)."""

from datetime import datetime, timedelta, timezone

import pytest

from yingji.cap.build import format_references
from yingji.cap.model import CapReference
from yingji.cap.times import BEIJING, format_cap_time, parse_cap_time


def test_utc_is_written_minus_zero():
    assert format_cap_time(datetime(2025, 7, 1, 2, 3, 4, 999, tzinfo=timezone.utc)) == "2025-07-01T02:03:04-00:00"


def test_other_offsets_are_kept():
    assert format_cap_time(datetime(2025, 7, 1, 10, 3, 4, tzinfo=BEIJING)) == "2025-07-01T10:03:04+08:00"
    assert format_cap_time(datetime(2025, 7, 1, 10, 3, 4, tzinfo=timezone(timedelta(hours=-5)))) == "2025-07-01T10:03:04-05:00"


def test_minus_zero_reads_back_as_utc_and_naive_is_refused():
    assert parse_cap_time("2025-07-01T02:03:04-00:00") == datetime(2025, 7, 1, 2, 3, 4, tzinfo=timezone.utc)
    with pytest.raises(ValueError, match="时区"):
        format_cap_time(datetime(2025, 7, 1))


def test_references_to_a_utc_message_use_minus_zero():
    ref = CapReference("w-nws.webmaster@noaa.gov", "NWS-1", datetime(2025, 7, 1, 2, 3, 4, tzinfo=timezone.utc))
    assert format_references([ref]) == "w-nws.webmaster@noaa.gov,NWS-1,2025-07-01T02:03:04-00:00"
