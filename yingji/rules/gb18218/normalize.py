"""Text normalisation for chemical names, CAS numbers and category symbols.

Users type names from SDS sheets, Excel files and old registers: full-width and
half-width characters, Chinese or ASCII brackets, stray spaces, ``>=`` for ``≥``.
:func:`normalize_key` maps all of these to one comparable key.
"""

from __future__ import annotations

import re
import unicodedata

_BRACKETS = str.maketrans({"[": "(", "]": ")", "{": "(", "}": ")", "【": "(", "】": ")",
                           "〔": "(", "〕": ")", "〈": "(", "〉": ")", "《": "(", "》": ")"})
_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-", "－": "-"})
_OPERATORS = ((">=", "≥"), ("<=", "≤"), ("≧", "≥"), ("≦", "≤"))
_WHITESPACE = re.compile(r"\s+")
CAS_PATTERN = re.compile(r"\b(\d{2,7})-(\d{2})-(\d)\b")


def normalize_key(text: str) -> str:
    """Return the comparison key of a name, alias, CAS number or symbol.

    NFKC folds full-width forms (``（`` → ``(``, ``Ｗ`` → ``W``, ``H₂`` → ``H2``);
    all bracket shapes become round brackets; dashes become ``-``; whitespace is
    dropped; Latin letters are lower-cased.
    """
    folded = unicodedata.normalize("NFKC", text)
    folded = folded.translate(_BRACKETS).translate(_DASHES)
    for ascii_operator, sign in _OPERATORS:
        folded = folded.replace(ascii_operator, sign)
    return _WHITESPACE.sub("", folded).lower()


def base_name(key: str) -> str:
    """Strip one trailing bracketed specification from a normalised key.

    ``"硝化纤维素(干的或含水(或乙醇)<25%)"`` → ``"硝化纤维素"``. Nested brackets are
    matched; a key without a trailing bracket is returned unchanged.
    """
    if not key.endswith(")"):
        return key
    depth = 0
    for index in range(len(key) - 1, -1, -1):
        if key[index] == ")":
            depth += 1
        elif key[index] == "(":
            depth -= 1
            if depth == 0:
                return key[:index]
    return key


def split_list(text: str) -> list[str]:
    """Split a data-file list cell (``；``, ``;`` or ``、`` separated) into items."""
    return [item.strip() for item in re.split(r"[；;、]", text) if item.strip()]


def cas_numbers_in(text: str) -> list[str]:
    """All CAS numbers written in ``text`` (annotations such as ``（甲烷）`` are ignored)."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return ["-".join(match.groups()) for match in CAS_PATTERN.finditer(folded)]


def cas_check_digit_ok(cas: str) -> bool:
    """Validate the CAS check digit: weighted sum of the other digits modulo 10."""
    match = CAS_PATTERN.fullmatch(cas)
    if not match:
        return False
    digits = (match.group(1) + match.group(2))[::-1]
    weighted = sum(position * int(digit) for position, digit in enumerate(digits, start=1))
    return weighted % 10 == int(match.group(3))
