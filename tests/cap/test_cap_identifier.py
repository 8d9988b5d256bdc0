from datetime import datetime, timedelta, timezone

import pytest

from yingji.cap import make_identifier, make_sender_code, parse_identifier

BEIJING = timezone(timedelta(hours=8))


def test_identifier_layout_is_31_characters():
    identifier = make_identifier("210900", "416", datetime(2025, 7, 1, 8, 30, 5), 3)
    assert identifier == "21090041600000_20250701083005_3"
    assert len(identifier) == 31


def test_aware_times_are_written_in_beijing_time():
    sent = datetime(2025, 6, 30, 23, 59, 59, tzinfo=timezone.utc)
    assert make_identifier("210900", "416", sent, 0) == "21090041600000_20250701075959_0"


def test_unit_and_extension_codes():
    assert make_sender_code("210902", "123", "005", "01") == "21090212300501"
    assert make_identifier("210902", "123", datetime(2025, 1, 1), 0, unit_code3="005", extension2="01").startswith(
        "21090212300501_"
    )


@pytest.mark.parametrize(
    "args, message",
    [(("21090", "416", 0), "行政区划代码应为6位数字"), (("210900", "41", 0), "机构编码应为3位数字"),
     (("21090a", "416", 0), "行政区划代码应为6位数字"), (("210900", "416", 10), "同一秒内的顺序号应为 0–9"),
     (("210900", "416", -1), "同一秒内的顺序号应为 0–9")],
)
def test_bad_parts_are_refused(args, message):
    division, org, seq = args
    with pytest.raises(ValueError, match=message):
        make_identifier(division, org, datetime(2025, 1, 1), seq)


def test_parse_identifier_round_trip():
    parts = parse_identifier("21090041600000_20250701083005_3")
    assert parts.division6 == "210900" and parts.org_code3 == "416"
    assert parts.sender_code == "21090041600000"
    assert parts.sent_beijing == datetime(2025, 7, 1, 8, 30, 5, tzinfo=BEIJING)
    assert parts.seq == 3
    assert parse_identifier("13060041600000_20240712213138") is None  # Baoding form lacks _N
    assert parse_identifier("21090041600000_20251301083005_3") is None  # month 13
