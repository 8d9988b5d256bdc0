"""Half-open bands for Chinese legal thresholds.

Chinese legal texts say "以上含本数，以下不含本数": "10 人以上" includes 10 and
"30 人以下" excludes 30. A :class:`Band` is therefore ``lo <= value < hi`` by default;
either end may be made explicit with ``lo_inclusive`` / ``hi_inclusive``.

>>> b = Band("较大", lo=3, hi=10)
>>> b.contains(3), b.contains(10)
(True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Iterable, Sequence

Number = int | float | Decimal


@dataclass(frozen=True)
class Band:
    """One band of a graded scale: ``label`` applies when ``value`` falls inside."""

    label: Any
    lo: Number | None = None
    hi: Number | None = None
    lo_inclusive: bool = True
    hi_inclusive: bool = False

    def contains(self, value: Number) -> bool:
        if self.lo is not None:
            if value < self.lo or (value == self.lo and not self.lo_inclusive):
                return False
        if self.hi is not None:
            if value > self.hi or (value == self.hi and not self.hi_inclusive):
                return False
        return True

    def describe(self, unit: str = "") -> str:
        """Human-readable range in Chinese legal style, e.g. ``3≤x<10 人``."""
        left = "" if self.lo is None else f"{self.lo}{'≤' if self.lo_inclusive else '<'}"
        right = "" if self.hi is None else f"{'≤' if self.hi_inclusive else '<'}{self.hi}"
        return f"{left}x{right}{(' ' + unit) if unit else ''}"


def classify(value: Number, bands: Sequence[Band]) -> Band | None:
    """Return the first band containing ``value``, or ``None``."""
    for band in bands:
        if band.contains(value):
            return band
    return None


def most_severe(candidates: Iterable[tuple[int, Any]]) -> tuple[int, Any] | None:
    """Pick the most severe of ``(level, payload)`` pairs where level 1 is the most severe."""
    best = None
    for level, payload in candidates:
        if best is None or level < best[0]:
            best = (level, payload)
    return best
