"""统一社会信用代码 (Unified Social Credit Code, GB 32100-2015) validation.

18 characters: registration authority (1), entity type (1), 6-digit division code,
9-character organisation code, and a check character computed with weights
3^i mod 31 over the first 17 characters from the 31-symbol alphabet below (I, O, S, V, Z
are not used).
"""

from __future__ import annotations

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_VALUE = {ch: i for i, ch in enumerate(ALPHABET)}


class USCCError(ValueError):
    pass


def check_character(first17: str) -> str:
    total = sum(_VALUE[ch] * w for ch, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def validate_uscc(code: str) -> str:
    """Return the normalised code or raise :class:`USCCError` with a Chinese reason."""
    text = (code or "").strip().upper()
    if len(text) != 18:
        raise USCCError(f"统一社会信用代码应为18位，实际为{len(text)}位")
    bad = [ch for ch in text if ch not in _VALUE]
    if bad:
        raise USCCError(f"统一社会信用代码含有非法字符：{''.join(sorted(set(bad)))}")
    if not text[2:8].isdigit():
        raise USCCError("统一社会信用代码第3–8位应为行政区划代码数字")
    expected = check_character(text[:17])
    if text[17] != expected:
        raise USCCError(f"统一社会信用代码校验位错误：应为{expected}，实际为{text[17]}")
    return text


def make_uscc(authority: str, entity_type: str, division6: str, org9: str) -> str:
    """Build a valid code (used by the synthetic demo data)."""
    first17 = f"{authority}{entity_type}{division6}{org9}".upper()
    return first17 + check_character(first17)
