"""Identification (S) and grading (R) of major hazard sources per GB 18218-2018.

* Identification, per unit: S = Σ qᵢ/Qᵢ; the unit is a major hazard source iff S ≥ 1.
* Grading, per unit: R = α · Σ βᵢ·qᵢ/Qᵢ, banded by Table 6; only a unit that is a
  major hazard source receives a grade (R is reported for every unit).
* Q: Table 1 row if the chemical is named there (even when it also falls in a Table 2
  category); otherwise the lowest Q of its Table 2 categories (docs/rules.md §2.1).
* β: Table 3 for the 14 named toxic gases; otherwise Table 4 by category. When a
  chemical has several categories the choice is :attr:`GradingSettings.beta_choice`.

Arithmetic is exact: quantities and table values are ``Decimal``; q/Q is kept as a
``fractions.Fraction`` because Q = 0.3 or 0.75 makes q/Q non-terminating in decimal
(three lots of 0.1 t 碳酰氯 must give S = 1 exactly, not 0.999…). Thresholds are
compared on the exact value. The ``Decimal`` figures on results are the exact values
truncated (rounded toward zero) to ``settings.decimal_places`` places, so a shown
value never crosses a threshold that the exact value has not reached.
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from typing import Sequence

from yingji.rules.bands import classify

from .lookup import SharedKeyPolicy, lookup_category, resolve_chemical
from .normalize import CAS_PATTERN, normalize_key
from .tables import Chemical, Grade, HazardCategory, alpha_bands, grade_bands, toxic_gas_betas

MAJOR_HAZARD_THRESHOLD = Fraction(1)


class BetaChoice(str, enum.Enum):
    """Which β applies when a chemical (not in Table 3) has several Table 4 categories.

    The standard does not say (docs/rules.md §2.2, open choices).
    MAXIMUM: the largest β of its categories — never understates the grade (default).
    PRIMARY: the β of its primary category — for a Table 2 chemical the category that
    gave Q (the first listed among equal Q), for a Table 1 chemical the first listed one.
    """

    MAXIMUM = "maximum"
    PRIMARY = "primary"


@dataclass(frozen=True)
class GradingSettings:
    """Choices the standard leaves open; every result records the settings used."""

    beta_choice: BetaChoice = BetaChoice.MAXIMUM
    # β for a chemical outside Table 3 that has no Table 4 category (e.g. 三氧化硫,
    # only corrosive). Default 1 = the "其他" value of 原安监总局令第40号 附件1.
    beta_without_category: Decimal = Decimal("1")
    # A name/CAS shared by several Table 1 rows (硝化纤维素, 硝酸铵): error or lowest Q.
    shared_key_policy: SharedKeyPolicy = SharedKeyPolicy.REQUIRE_SPECIFICATION
    # Places kept when exact S and R are shown as Decimal (truncated, never rounded up).
    decimal_places: int = 6

    def __post_init__(self) -> None:
        object.__setattr__(self, "beta_choice", BetaChoice(self.beta_choice))
        object.__setattr__(self, "shared_key_policy", SharedKeyPolicy(self.shared_key_policy))
        object.__setattr__(self, "beta_without_category", Decimal(self.beta_without_category))
        if self.decimal_places < 0:
            raise ValueError("decimal_places 不能为负数")

    def as_dict(self) -> dict[str, str | int]:
        return {
            "beta_choice": self.beta_choice.value,
            "beta_without_category": decimal_text(self.beta_without_category),
            "shared_key_policy": self.shared_key_policy.value,
            "decimal_places": self.decimal_places,
        }


DEFAULT_SETTINGS = GradingSettings()


def as_quantity(value: Decimal | int | str | float) -> Decimal:
    """A non-negative finite quantity in tonnes; floats go through ``repr`` (0.1 → 0.1)."""
    if isinstance(value, bool):
        raise ValueError("数量必须是数字")
    try:
        quantity = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    except (ArithmeticError, ValueError, TypeError) as error:
        raise ValueError(f"数量“{value}”不是有效数字") from error
    if not quantity.is_finite() or quantity < 0:
        raise ValueError(f"数量“{value}”必须是非负有限数")
    return quantity


@dataclass(frozen=True)
class ChemicalQuantity:
    """A quantity q (t) of one chemical in a unit (design maximum per 4.2.2).

    Either ``chemical`` is a Table 1 row, or ``categories`` classifies a chemical that
    is not in Table 1 (Table 2). For a Table 1 chemical, ``categories`` overrides the
    default Table 4 categories used for β (Q still comes from Table 1).
    """

    quantity_t: Decimal
    chemical: Chemical | None = None
    categories: tuple[HazardCategory, ...] = ()
    label: str = ""
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity_t", as_quantity(self.quantity_t))
        object.__setattr__(self, "categories", tuple(_as_category(c) for c in self.categories))
        if self.chemical is None and not self.categories:
            raise ValueError("不在表1 的危险化学品必须给出表2 类别")

    @classmethod
    def named(
        cls,
        name_or_cas: str,
        quantity_t: Decimal | int | str,
        categories: Sequence[str | HazardCategory] = (),
        shared: SharedKeyPolicy = SharedKeyPolicy.REQUIRE_SPECIFICATION,
    ) -> ChemicalQuantity:
        """A Table 1 chemical by name, alias or CAS (raises UnknownChemicalError)."""
        resolution = resolve_chemical(name_or_cas, shared)
        is_cas = CAS_PATTERN.fullmatch(normalize_key(name_or_cas)) is not None
        return cls(
            quantity_t=quantity_t,
            chemical=resolution.chemical,
            categories=tuple(categories),
            label=resolution.chemical.name if is_cas else name_or_cas.strip(),
            warnings=resolution.warnings,
        )

    @classmethod
    def of_category(
        cls, categories: Sequence[str | HazardCategory], quantity_t: Decimal | int | str, label: str = ""
    ) -> ChemicalQuantity:
        """A chemical not in Table 1, classified by Table 2 symbols (e.g. ``["W5.3"]``)."""
        return cls(quantity_t=quantity_t, categories=tuple(categories), label=label)

    @property
    def display_name(self) -> str:
        if self.label:
            return self.label
        if self.chemical is not None:
            return self.chemical.name
        return "、".join(c.symbol for c in self.categories)


def _as_category(value: str | HazardCategory) -> HazardCategory:
    return value if isinstance(value, HazardCategory) else lookup_category(value)


@dataclass(frozen=True)
class ChemicalResult:
    """One chemical's contribution to a unit."""

    name: str
    table1_row: int | None
    table1_name: str | None
    cas_numbers: tuple[str, ...]
    quantity_t: Decimal
    critical_quantity_t: Decimal
    q_source: str
    ratio: Fraction
    beta: Decimal
    beta_source: str
    beta_category: str | None
    warnings: tuple[str, ...] = ()

    @property
    def weighted_ratio(self) -> Fraction:
        return Fraction(self.beta) * self.ratio


@dataclass(frozen=True)
class UnitResult:
    """Identification of one unit: S and whether it is a major hazard source."""

    chemicals: tuple[ChemicalResult, ...]
    s_exact: Fraction
    s: Decimal
    is_major_hazard: bool
    weighted_sum_exact: Fraction


@dataclass(frozen=True)
class Unit:
    """A production or storage unit (生产单元 / 储存单元) and what it holds."""

    name: str
    chemicals: tuple[ChemicalQuantity, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        object.__setattr__(self, "chemicals", tuple(self.chemicals))


@dataclass(frozen=True)
class UnitGrade:
    """Grading of one unit; ``grade`` is None unless the unit is a major hazard source."""

    name: str
    identification: UnitResult
    alpha: Decimal
    r_exact: Fraction
    r: Decimal
    grade: Grade | None

    @property
    def is_major_hazard(self) -> bool:
        return self.identification.is_major_hazard


@dataclass(frozen=True)
class GradingResult:
    """Grading of an installation (enterprise site) made of units.

    The standard identifies and grades each unit. The installation figures summarise
    them: ``s`` is the largest unit S; ``is_major_hazard`` is true iff any unit is;
    ``r`` and ``grade`` are those of the governing unit — the major-hazard unit with
    the largest R, hence the most severe grade — and are None when no unit is a major
    hazard source. ``alpha`` is common to all units (people around the site).
    """

    units: tuple[UnitGrade, ...]
    exposed_people: int
    alpha: Decimal
    s_exact: Fraction
    s: Decimal
    is_major_hazard: bool
    r_exact: Fraction | None
    r: Decimal | None
    grade: Grade | None
    governing_unit: str | None
    settings: GradingSettings


def truncate(value: Fraction | Decimal, places: int) -> Decimal:
    """Exact non-negative value shown with ``places`` decimals, rounded toward zero."""
    scaled = Fraction(value) * 10**places
    return Decimal(math.floor(scaled)).scaleb(-places)


def decimal_text(value: Decimal) -> str:
    """Plain decimal text without exponent or trailing zeros: 100, 1.25, 0.5."""
    text = format(value.normalize(), "f")
    return "0" if text in ("-0", "") else text


def _critical_quantity(item: ChemicalQuantity) -> tuple[Decimal, str, HazardCategory | None]:
    """Q, where it came from, and the Table 2 category that gave it (if any)."""
    if item.chemical is not None:
        return item.chemical.critical_quantity_t, f"表1第{item.chemical.row}项", None
    lowest = min(item.categories, key=lambda c: c.critical_quantity_t)
    return lowest.critical_quantity_t, f"表2 {lowest.symbol}", lowest


def _toxic_gas_name(chemical: Chemical) -> str:
    return next(entry.name for entry in toxic_gas_betas() if entry.table1_row == chemical.row)


def _beta_categories(item: ChemicalQuantity) -> tuple[tuple[HazardCategory, ...], str]:
    if item.categories:
        return item.categories, "所填类别"
    if item.chemical is not None and item.chemical.beta_categories:
        return tuple(lookup_category(s) for s in item.chemical.beta_categories), "表1项默认类别，项目推定待核对"
    return (), ""


def _beta(
    item: ChemicalQuantity, q_category: HazardCategory | None, settings: GradingSettings
) -> tuple[Decimal, str, str | None]:
    """β, where it came from, and the Table 4 category used (if any)."""
    if item.chemical is not None and item.chemical.toxic_gas_beta is not None:
        return item.chemical.toxic_gas_beta, f"表3 {_toxic_gas_name(item.chemical)}", None
    candidates, origin = _beta_categories(item)
    if not candidates:
        return settings.beta_without_category, "未归入表4类别，按设置取值", None
    if settings.beta_choice is BetaChoice.MAXIMUM:
        chosen = max(candidates, key=lambda c: c.beta)  # first listed among equal β
        rule = "取最大β" if len(candidates) > 1 else ""
    else:
        chosen = q_category or candidates[0]
        rule = "取主类别β" if len(candidates) > 1 else ""
    source = f"表4 {chosen.symbol}（{origin}{'，' + rule if rule else ''}）"
    return chosen.beta, source, chosen.symbol


def evaluate_chemical(item: ChemicalQuantity, settings: GradingSettings = DEFAULT_SETTINGS) -> ChemicalResult:
    """Q, q/Q and β of one chemical quantity."""
    critical, q_source, q_category = _critical_quantity(item)
    beta, beta_source, beta_category = _beta(item, q_category, settings)
    return ChemicalResult(
        name=item.display_name,
        table1_row=item.chemical.row if item.chemical else None,
        table1_name=item.chemical.name if item.chemical else None,
        cas_numbers=item.chemical.cas_numbers if item.chemical else (),
        quantity_t=item.quantity_t,
        critical_quantity_t=critical,
        q_source=q_source,
        ratio=Fraction(item.quantity_t) / Fraction(critical),
        beta=beta,
        beta_source=beta_source,
        beta_category=beta_category,
        warnings=item.warnings,
    )


def identify_unit(
    chemicals: Sequence[ChemicalQuantity], settings: GradingSettings | None = None
) -> UnitResult:
    """S = Σ q/Q for one unit; major hazard source iff S ≥ 1."""
    settings = settings or DEFAULT_SETTINGS
    results = tuple(evaluate_chemical(item, settings) for item in chemicals)
    s_exact = sum((r.ratio for r in results), Fraction(0))
    return UnitResult(
        chemicals=results,
        s_exact=s_exact,
        s=truncate(s_exact, settings.decimal_places),
        is_major_hazard=s_exact >= MAJOR_HAZARD_THRESHOLD,
        weighted_sum_exact=sum((r.weighted_ratio for r in results), Fraction(0)),
    )


def as_people_count(value: int | str) -> int:
    """Exposed people: a non-negative whole number."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("暴露人数必须是非负整数")
    text = str(value).strip()
    if not text.isdigit():
        raise ValueError(f"暴露人数“{value}”必须是非负整数")
    return int(text)


def alpha_for(exposed_people: int) -> Decimal:
    """Table 5: α from the number of people exposed within 500 m outside the plant."""
    band = classify(as_people_count(exposed_people), alpha_bands())
    if band is None:
        raise ValueError(f"暴露人数 {exposed_people} 不在表5 范围内")
    return band.label


def grade_for(r: Fraction | Decimal) -> Grade:
    """Table 6: grade (一级…四级) of a major hazard source from R."""
    band = classify(Fraction(r), grade_bands())
    if band is None:
        raise ValueError(f"R = {r} 不在表6 范围内")
    return band.label


def grade_unit(
    name: str, chemicals: Sequence[ChemicalQuantity], alpha: Decimal, settings: GradingSettings | None = None
) -> UnitGrade:
    """R = α · Σ β·q/Q for one unit; graded only if it is a major hazard source."""
    settings = settings or DEFAULT_SETTINGS
    identification = identify_unit(chemicals, settings)
    r_exact = Fraction(alpha) * identification.weighted_sum_exact
    return UnitGrade(
        name=name,
        identification=identification,
        alpha=alpha,
        r_exact=r_exact,
        r=truncate(r_exact, settings.decimal_places),
        grade=grade_for(r_exact) if identification.is_major_hazard else None,
    )


def grade_installation(
    units: Sequence[Unit], exposed_people: int, settings: GradingSettings | None = None
) -> GradingResult:
    """Identify and grade every unit of an installation; summarise (see GradingResult)."""
    settings = settings or DEFAULT_SETTINGS
    if not units:
        raise ValueError("至少需要一个单元")
    names = [unit.name for unit in units]
    if len(set(names)) != len(names):
        raise ValueError("单元名称不能重复")
    people = as_people_count(exposed_people)
    alpha = alpha_for(people)
    graded = tuple(grade_unit(unit.name, unit.chemicals, alpha, settings) for unit in units)
    s_exact = max(unit.identification.s_exact for unit in graded)
    majors = [unit for unit in graded if unit.is_major_hazard]
    governing = max(majors, key=lambda unit: unit.r_exact) if majors else None
    return GradingResult(
        units=graded,
        exposed_people=people,
        alpha=alpha,
        s_exact=s_exact,
        s=truncate(s_exact, settings.decimal_places),
        is_major_hazard=bool(majors),
        r_exact=governing.r_exact if governing else None,
        r=governing.r if governing else None,
        grade=governing.grade if governing else None,
        governing_unit=governing.name if governing else None,
        settings=settings,
    )


__all__ = [
    "BetaChoice",
    "ChemicalQuantity",
    "ChemicalResult",
    "GradingResult",
    "GradingSettings",
    "Unit",
    "UnitGrade",
    "UnitResult",
    "alpha_for",
    "as_quantity",
    "decimal_text",
    "evaluate_chemical",
    "grade_for",
    "grade_installation",
    "grade_unit",
    "identify_unit",
    "truncate",
]
