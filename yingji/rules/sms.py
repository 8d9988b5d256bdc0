"""SMS segmentation (短信计费条数) for warning texts.

Two encodings, as on the GSM/3GPP air interface (3GPP TS 23.038 / 23.040):

* **UCS-2** — any text with a character outside the GSM-7 set below (so every Chinese text).
  Length is counted in UTF-16 code units: a character outside the Basic Multilingual Plane
  (most emoji, rare CJK extension characters) is a surrogate pair and counts as **2**.
  ≤ 70 units → 1 segment; longer → segments of at most **67** units (the other 3 units of each
  140-octet message carry the concatenation header). A surrogate pair is never split: if one
  would straddle a boundary, it starts the next segment.
* **GSM-7** — text made only of the ASCII characters that the GSM 7-bit default alphabet has.
  ≤ 160 septets → 1 segment; longer → segments of at most **153** septets. ``^ { } [ ] ~ | \\``
  live in the GSM extension table and count as 2 septets (escape + code) and are never split
  from their escape. Deliberately limited to ASCII: the non-ASCII letters of the GSM alphabet
  (é, ü, £, Greek capitals...) are treated as UCS-2, which may overcount, never undercount.

Segment counts are what carriers bill and what limits the length of a warning SMS; callers
must include the carrier signature (e.g. 【阜新市应急管理局】) in the text they measure.
An empty text has no segments.
"""

from __future__ import annotations

import string

UCS2 = "UCS-2"
GSM7 = "GSM-7"

UCS2_SINGLE_LIMIT = 70
UCS2_SEGMENT_LIMIT = 67
GSM7_SINGLE_LIMIT = 160
GSM7_SEGMENT_LIMIT = 153

# ASCII characters in the GSM 03.38 basic table (one septet each).
_GSM7_BASIC_ASCII = frozenset(
    string.ascii_letters + string.digits + " \n\r" + "@$!\"#%&'()*+,-./:;<=>?_"
)
# ASCII characters in the GSM 03.38 extension table (escape + code: two septets each).
_GSM7_EXTENSION_ASCII = frozenset("^{}[]~|\\")


def _is_gsm7(text: str) -> bool:
    return all(ch in _GSM7_BASIC_ASCII or ch in _GSM7_EXTENSION_ASCII for ch in text)


def sms_encoding(text: str) -> str:
    """``"GSM-7"`` when every character is in the (ASCII part of the) GSM-7 alphabet, else ``"UCS-2"``."""
    return GSM7 if _is_gsm7(text) else UCS2


def _unit_cost(ch: str, encoding: str) -> int:
    if encoding == GSM7:
        return 2 if ch in _GSM7_EXTENSION_ASCII else 1
    return 2 if ord(ch) > 0xFFFF else 1


def sms_length(text: str) -> int:
    """Length in the units that count: septets (GSM-7) or UTF-16 code units (UCS-2)."""
    encoding = sms_encoding(text)
    return sum(_unit_cost(ch, encoding) for ch in text)


def _limits(encoding: str) -> tuple[int, int]:
    if encoding == GSM7:
        return GSM7_SINGLE_LIMIT, GSM7_SEGMENT_LIMIT
    return UCS2_SINGLE_LIMIT, UCS2_SEGMENT_LIMIT


def sms_segments(text: str) -> list[str]:
    """Split ``text`` into the SMS segments a phone network would send."""
    if not text:
        return []
    encoding = sms_encoding(text)
    single_limit, segment_limit = _limits(encoding)
    if sms_length(text) <= single_limit:
        return [text]
    segments: list[str] = []
    current: list[str] = []
    used = 0
    for ch in text:
        cost = _unit_cost(ch, encoding)
        if used + cost > segment_limit:
            segments.append("".join(current))
            current, used = [], 0
        current.append(ch)
        used += cost
    segments.append("".join(current))
    return segments


def sms_segment_count(text: str) -> int:
    """How many SMS segments (billed messages) ``text`` takes."""
    return len(sms_segments(text))
