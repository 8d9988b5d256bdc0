"""GB/T 35965.1-2018 (Chinese CAP profile) identifiers, Annex A.1.

``ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N`` — 31 characters:

* ``ZZZZZZ`` 6-digit administrative division code (GB/T 2260), e.g. 210900 阜新市;
* ``DDD`` 3-digit organisation/industry code (GB/T 4657);
* ``UUU`` internal second-level unit code, default ``000``;
* ``XX`` extension, default ``00`` — the first 14 characters are the 发布单位代码 (sender code);
* ``YYYYMMDDhhmmss`` entry time in Beijing time;
* ``N`` sequence 0–9 for messages of the same unit within the same second.

The real Baoding message (``13060041600000_20240712213138``) shows the same sender-code and
time layout without the ``_N`` suffix.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import NamedTuple

from .times import BEIJING

_IDENTIFIER = re.compile(r"^(\d{6})(\d{3})(\d{3})(\d{2})_(\d{14})_(\d)$")
_SENDER_CODE = re.compile(r"^\d{14}$")


class IdentifierParts(NamedTuple):
    division6: str
    org_code3: str
    unit_code3: str
    extension2: str
    sent_beijing: datetime
    seq: int

    @property
    def sender_code(self) -> str:
        return self.division6 + self.org_code3 + self.unit_code3 + self.extension2


def _require_digits(value: str, length: int, label: str) -> str:
    if not (isinstance(value, str) and len(value) == length and value.isascii() and value.isdigit()):
        raise ValueError(f"{label}应为{length}位数字：{value!r}")
    return value


def make_sender_code(division6: str, org_code3: str, unit_code3: str = "000", extension2: str = "00") -> str:
    """The 14-digit 发布单位代码 ``ZZZZZZDDDUUUXX``."""
    return (
        _require_digits(division6, 6, "行政区划代码")
        + _require_digits(org_code3, 3, "机构编码")
        + _require_digits(unit_code3, 3, "内部单位编码")
        + _require_digits(extension2, 2, "扩展码")
    )


def to_beijing(value: datetime) -> datetime:
    """Aware datetimes are converted to Beijing time; naive ones are taken as Beijing time."""
    if value.tzinfo is None:
        return value.replace(tzinfo=BEIJING)
    return value.astimezone(BEIJING)


def check_sender_code(sender_code: str) -> None:
    """Raise ``ValueError`` unless ``sender_code`` is 14 digits (ZZZZZZDDDUUUXX)."""
    if not (isinstance(sender_code, str) and _SENDER_CODE.match(sender_code)):
        raise ValueError(f"发布单位代码应为14位数字（ZZZZZZDDDUUUXX）：{sender_code!r}")


def check_seq(seq: int) -> None:
    """Raise ``ValueError`` unless ``seq`` is an integer 0–9."""
    if isinstance(seq, bool) or not (isinstance(seq, int) and 0 <= seq <= 9):
        raise ValueError(f"同一秒内的顺序号应为 0–9：{seq!r}")


def identifier_from_sender_code(sender_code: str, sent: datetime, seq: int = 0) -> str:
    """``sender_code`` + ``_YYYYMMDDhhmmss`` (Beijing time) + ``_N``."""
    check_sender_code(sender_code)
    check_seq(seq)
    return f"{sender_code}_{to_beijing(sent):%Y%m%d%H%M%S}_{seq}"


def make_identifier(
    division6: str,
    org_code3: str,
    sent_beijing: datetime,
    seq: int = 0,
    unit_code3: str = "000",
    extension2: str = "00",
) -> str:
    """Build ``ZZZZZZDDDUUUXX_YYYYMMDDhhmmss_N``.

    >>> from datetime import datetime
    >>> make_identifier("210900", "416", datetime(2025, 7, 1, 8, 30, 0), 0)
    '21090041600000_20250701083000_0'
    """
    sender_code = make_sender_code(division6, org_code3, unit_code3, extension2)
    return identifier_from_sender_code(sender_code, sent_beijing, seq)


def parse_identifier(identifier: str) -> IdentifierParts | None:
    """Split a GB/T 35965.1 identifier into its parts; None when it does not follow the pattern."""
    match = _IDENTIFIER.match(identifier or "")
    if not match:
        return None
    division, org, unit, extension, stamp, seq = match.groups()
    try:
        sent = datetime.strptime(stamp, "%Y%m%d%H%M%S").replace(tzinfo=BEIJING)
    except ValueError:
        return None
    return IdentifierParts(division, org, unit, extension, sent, int(seq))
