"""Administrative division codes (GB/T 2260 and the 12-digit statistical form).

All codes are stored in the 12-digit form: 2 province + 2 city + 2 county + 3 township +
3 village. ``210922`` (彰武县) is stored as ``210922000000``. A user's regional scope is the
*prefix* of the code that identifies the division: everything below 彰武县 starts with
``210922``.

>>> normalise("210922")
'210922000000'
>>> scope_prefix("210922000000")
'210922'
>>> level_of("210900000000")
'city'
"""

from __future__ import annotations

import re

LEVELS = ("province", "city", "county", "township", "village")
LEVEL_LABELS = {"province": "省", "city": "市", "county": "县区", "township": "乡镇街道", "village": "村社区"}
_PREFIX_LENGTHS = (("province", 2), ("city", 4), ("county", 6), ("township", 9), ("village", 12))
_CODE_RE = re.compile(r"^\d{6}(\d{3}(\d{3})?)?$")


class DivisionCodeError(ValueError):
    pass


def normalise(code: str | int) -> str:
    """Return the 12-digit form of a 6-, 9- or 12-digit division code."""
    text = str(code).strip()
    if not _CODE_RE.match(text):
        raise DivisionCodeError(f"行政区划代码“{text}”格式不正确：应为6、9或12位数字")
    return text.ljust(12, "0")


def level_of(code: str) -> str:
    code = normalise(code)
    for level, length in _PREFIX_LENGTHS:
        if set(code[length:]) <= {"0"}:
            return level
    return "village"


def scope_prefix(code: str) -> str:
    """The significant prefix of a code: all its descendants start with it."""
    code = normalise(code)
    length = dict(_PREFIX_LENGTHS)[level_of(code)]
    return code[:length]


def parent_code(code: str) -> str | None:
    code = normalise(code)
    level = level_of(code)
    index = LEVELS.index(level)
    if index == 0:
        return None
    parent_len = _PREFIX_LENGTHS[index - 1][1]
    return code[:parent_len].ljust(12, "0")


def is_within(code: str, scope_code: str) -> bool:
    """True when ``code`` is ``scope_code`` itself or lies below it."""
    return normalise(code).startswith(scope_prefix(scope_code))


def ancestors(code: str) -> list[str]:
    """``code`` and every division it lies within, the widest first: the codes ``c`` for which
    ``is_within(code, c)`` holds, as a list a query can take (``division_code__in``).

    >>> ancestors("210922100000")
    ['210000000000', '210900000000', '210922000000', '210922100000']
    """
    prefix = scope_prefix(code)
    return list(dict.fromkeys(prefix[:length].ljust(12, "0") for _, length in _PREFIX_LENGTHS
                              if length <= len(prefix)))


class WithinIndex:
    """``is_within`` against many scopes at once: ``containing(code)`` lists the scopes that
    ``code`` is or lies below (the widest first), by looking up the code's few possible prefixes
    instead of testing every scope — a thousand reported divisions tested against each other, or
    thousands of reports against every county, is millions of ``is_within`` calls.

    >>> WithinIndex(["210922000000", "210900000000", "210902000000"]).containing("210922100200")
    ['210900000000', '210922000000']
    """

    def __init__(self, scopes):
        self._by_prefix: dict[str, list[str]] = {}
        for scope in scopes:
            self._by_prefix.setdefault(scope_prefix(scope), []).append(scope)
        self._lengths = sorted({len(prefix) for prefix in self._by_prefix})

    def containing(self, code: str) -> list[str]:
        normal = normalise(code)
        return [scope for length in self._lengths for scope in self._by_prefix.get(normal[:length], ())]


def short_code(code: str) -> str:
    """The customary short form: 6 digits down to county level, else 9 or 12."""
    code = normalise(code)
    level = level_of(code)
    if level in ("province", "city", "county"):
        return code[:6]
    return code[:9] if level == "township" else code
