"""CAP date-time text ↔ aware ``datetime``.

CAP (both 1.1 and 1.2) writes times as ``YYYY-MM-DDThh:mm:ss±hh:mm`` with no fractional
seconds and an explicit offset; ``-00:00`` means UTC. Chinese messages use Beijing time, +08:00.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8), "Asia/Shanghai")

_CAP_TIME_PATTERN = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[-+]\d\d:\d\d$")


def is_strict_cap_time(text: str) -> bool:
    """True when ``text`` has exactly the form the CAP XSD allows."""
    return bool(_CAP_TIME_PATTERN.match(text.strip()))


def parse_cap_time(text: str) -> datetime:
    """Parse a CAP time leniently (also ``Z`` and fractional seconds); the result is aware.

    Raises ``ValueError`` with a Chinese reason when the text is not a date-time or has no offset.
    """
    cleaned = text.strip()
    try:
        value = datetime.fromisoformat(cleaned)
    except ValueError as exc:
        raise ValueError(f"时间格式错误：{cleaned!r} 不是 CAP 时间（应为 YYYY-MM-DDThh:mm:ss+08:00）") from exc
    if value.tzinfo is None:
        raise ValueError(f"时间缺少时区：{cleaned!r}（CAP 要求带 UTC 偏移，如 +08:00）")
    return value


def format_cap_time(value: datetime) -> str:
    """Format an aware datetime as CAP text, keeping its own offset, seconds precision.
    UTC is written ``-00:00`` as CAP 1.2 §3.3.2 requires (never ``+00:00`` or ``Z``)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("时间缺少时区：CAP 时间必须带 UTC 偏移")
    text = value.replace(microsecond=0).isoformat()
    return text[:-6] + "-00:00" if value.utcoffset() == timedelta(0) else text


def format_beijing_time(value: datetime) -> str:
    """Format an aware datetime in Beijing time, e.g. ``2024-07-12T21:31:38+08:00``."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("时间缺少时区：请传入带时区的时间")
    return value.astimezone(BEIJING).replace(microsecond=0).isoformat()
