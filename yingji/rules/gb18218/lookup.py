"""Resolve chemical names, aliases and CAS numbers to Table 1 rows; symbols to categories.

Keys are normalised (see :mod:`.normalize`). Every Table 1 row answers to its full
name, its name without the bracketed specification, each alias, each CAS number and
the project's extra keys. Some keys belong to several rows — CAS 9004-70-0 (硝化纤维素,
rows 37–42), CAS 6484-52-2 (硝酸铵, rows 43–44), "硝化棉", "硝酸铵". The reference
(§1.3) says such rows must be told apart by name and specification, so by default
such a key raises :class:`AmbiguousChemicalError` listing the candidate rows;
:attr:`SharedKeyPolicy.LOWEST_Q` instead takes the candidate with the smallest Q
(the conservative choice) and says so in the resolution note.
"""

from __future__ import annotations

import difflib
import enum
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from typing import Iterable, Sequence

from .normalize import base_name, normalize_key
from .tables import Chemical, HazardCategory, categories, table1


class SharedKeyPolicy(str, enum.Enum):
    """What to do when a name or CAS number belongs to several Table 1 rows."""

    REQUIRE_SPECIFICATION = "require_specification"
    LOWEST_Q = "lowest_q"


@dataclass(frozen=True)
class UnresolvedName:
    """One name that did not resolve, with what the user probably meant."""

    query: str
    suggestions: tuple[str, ...]
    ambiguous: bool = False

    def describe(self) -> str:
        if self.ambiguous:
            return f"“{self.query}”对应表1多项，请写明规格：{'；'.join(self.suggestions)}"
        if self.suggestions:
            return f"“{self.query}”（是否为：{'、'.join(self.suggestions)}？）"
        return f"“{self.query}”（无近似名称）"


class UnknownChemicalError(LookupError):
    """One or more names/CAS numbers are not (uniquely) in GB 18218-2018 Table 1."""

    def __init__(self, unresolved: Sequence[UnresolvedName]):
        self.unresolved = tuple(unresolved)
        super().__init__(self.message())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(item.query for item in self.unresolved)

    @property
    def suggestions(self) -> dict[str, tuple[str, ...]]:
        return {item.query: item.suggestions for item in self.unresolved}

    def message(self) -> str:
        listed = "；".join(item.describe() for item in self.unresolved)
        return (
            f"GB 18218-2018 表1 中未能确定以下危险化学品：{listed}。"
            "不在表1 的危险化学品请按表2 填写类别，例如 {\"category\": \"W5.3\"}。"
        )


class AmbiguousChemicalError(UnknownChemicalError):
    """A name or CAS number belongs to several Table 1 rows (e.g. 硝化纤维素)."""


class UnknownCategoryError(LookupError):
    """A hazard category is neither a Table 2 symbol nor a single-symbol hazard class."""

    def __init__(self, query: str, suggestions: Sequence[str]):
        self.query = query
        self.suggestions = tuple(suggestions)
        hint = f"可选：{'、'.join(self.suggestions)}" if self.suggestions else "请填写表2 符号，如 J1、W2、W5.3"
        super().__init__(f"GB 18218-2018 表2 中没有类别“{query}”。{hint}")


@dataclass(frozen=True)
class Resolution:
    """The Table 1 row a query resolved to and how."""

    chemical: Chemical
    query: str
    matched_full_name: bool
    note: str = ""

    @property
    def warnings(self) -> tuple[str, ...]:
        notes = [self.note] if self.note else []
        if self.chemical.check_spec and not self.matched_full_name:
            notes.append(f"“{self.query}”按表1第{self.chemical.row}项“{self.chemical.name}”计，请核对规格是否相符")
        return tuple(notes)


def _keys_of(chemical: Chemical) -> Iterable[str]:
    full = normalize_key(chemical.name)
    yield full
    yield base_name(full)
    for alias in chemical.aliases:
        yield normalize_key(alias)
        yield base_name(normalize_key(alias))
    for text in (*chemical.cas_numbers, *chemical.extra_keys):
        yield normalize_key(text)


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[Chemical, ...]]:
    rows_by_key: dict[str, list[Chemical]] = defaultdict(list)
    for chemical in table1():
        for key in _keys_of(chemical):
            if chemical not in rows_by_key[key]:
                rows_by_key[key].append(chemical)
    return {key: tuple(rows) for key, rows in rows_by_key.items()}


def rows_for_key(name_or_cas: str) -> tuple[Chemical, ...]:
    """Every Table 1 row answering to a name, alias or CAS number (possibly none)."""
    return _index().get(normalize_key(name_or_cas), ())


def shared_keys() -> dict[str, tuple[int, ...]]:
    """Keys that belong to more than one Table 1 row, with the row numbers."""
    return {key: tuple(c.row for c in rows) for key, rows in _index().items() if len(rows) > 1}


def _closest(key: str, candidates: Iterable[str], cutoff: float) -> list[str]:
    """Candidates with a difflib ratio ≥ cutoff, best first; ties prefer similar length."""
    scored = []
    for candidate in candidates:
        ratio = difflib.SequenceMatcher(None, key, candidate).ratio()
        if ratio >= cutoff:
            scored.append((-ratio, abs(len(candidate) - len(key)), candidate))
    return [candidate for _, _, candidate in sorted(scored)]


def suggest(query: str, limit: int = 5) -> tuple[str, ...]:
    """Table 1 names close to ``query`` (difflib over all keys, then substring matches)."""
    key = normalize_key(query)
    index = _index()
    close = _closest(key, index, cutoff=0.5)
    containing = [k for k in index if len(key) >= 2 and (key in k or (len(k) >= 2 and k in key))]
    names: list[str] = []
    for candidate in (*close, *containing):
        for chemical in index[candidate]:
            if chemical.name not in names:
                names.append(chemical.name)
    return tuple(names[:limit])


def resolve_chemical(
    query: str, shared: SharedKeyPolicy = SharedKeyPolicy.REQUIRE_SPECIFICATION
) -> Resolution:
    """Resolve a name, alias or CAS number to one Table 1 row."""
    key = normalize_key(query)
    rows = _index().get(key, ())
    if not rows:
        raise UnknownChemicalError([UnresolvedName(query, suggest(query))])
    matched_full_name = any(normalize_key(c.name) == key for c in rows)
    if len(rows) == 1:
        return Resolution(rows[0], query, matched_full_name)
    if shared is SharedKeyPolicy.LOWEST_Q:
        chosen = min(rows, key=lambda c: (c.critical_quantity_t, c.row))
        candidates = "、".join(f"第{c.row}项" for c in rows)
        note = f"“{query}”对应表1{candidates}，按设置取临界量最小的第{chosen.row}项"
        return Resolution(chosen, query, matched_full_name=False, note=note)
    raise AmbiguousChemicalError(
        [UnresolvedName(query, tuple(f"第{c.row}项 {c.name}" for c in rows), ambiguous=True)]
    )


def lookup_chemical(
    name_or_cas: str, shared: SharedKeyPolicy = SharedKeyPolicy.REQUIRE_SPECIFICATION
) -> Chemical:
    """Return the Table 1 row for a name, alias or CAS number.

    Raises :class:`UnknownChemicalError` (with difflib suggestions) when nothing
    matches and :class:`AmbiguousChemicalError` when several rows share the key.
    """
    return resolve_chemical(name_or_cas, shared).chemical


@lru_cache(maxsize=1)
def _category_index() -> dict[str, tuple[HazardCategory, ...]]:
    index: dict[str, list[HazardCategory]] = defaultdict(list)
    for category in categories().values():
        index[normalize_key(category.symbol)].append(category)
        index[normalize_key(category.hazard_class)].append(category)
    return {key: tuple(found) for key, found in index.items()}


def lookup_category(symbol_or_class: str) -> HazardCategory:
    """Return a Table 2/4 category by symbol (``"W5.3"``, ``"ｊ４"``) or by hazard
    class when that class has a single symbol (``"易燃气体"`` → W2)."""
    found = _category_index().get(normalize_key(symbol_or_class), ())
    if len(found) == 1:
        return found[0]
    if found:
        raise UnknownCategoryError(symbol_or_class, [c.label for c in found])
    close = _closest(normalize_key(symbol_or_class), _category_index(), cutoff=0.5)[:5]
    symbols = [c.symbol for key in close for c in _category_index()[key]]
    raise UnknownCategoryError(symbol_or_class, list(dict.fromkeys(symbols)))
