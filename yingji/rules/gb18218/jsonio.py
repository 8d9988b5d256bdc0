"""JSON in, JSON out: the entry point for the CLI and the API (format in ``__init__``)."""

from __future__ import annotations

from typing import Any, Mapping, Sequence

from .grading import (
    DEFAULT_SETTINGS,
    ChemicalQuantity,
    ChemicalResult,
    GradingResult,
    GradingSettings,
    Unit,
    UnitGrade,
    as_people_count,
    as_quantity,
    decimal_text,
    grade_installation,
    truncate,
)
from .lookup import (
    AmbiguousChemicalError,
    Resolution,
    UnknownCategoryError,
    UnknownChemicalError,
    UnresolvedName,
    lookup_category,
    resolve_chemical,
    rows_for_key,
)
from .tables import STANDARD, HazardCategory

INSTALLATION_KEYS = frozenset({"units", "exposed_people"})
UNIT_KEYS = frozenset({"name", "chemicals"})
CHEMICAL_KEYS = frozenset({"name", "cas", "category", "categories", "quantity_t"})


class InputError(ValueError):
    """The JSON input is malformed; the message names the offending field."""

    def __init__(self, path: str, problem: str):
        self.path = path
        super().__init__(f"{path}：{problem}" if path else problem)


def _check_keys(entry: Any, allowed: frozenset[str], required: Sequence[str], path: str) -> Mapping[str, Any]:
    if not isinstance(entry, Mapping):
        raise InputError(path, "应为对象")
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise InputError(path, f"不认识的字段 {', '.join(unknown)}；可用字段：{', '.join(sorted(allowed))}")
    missing = [key for key in required if key not in entry]
    if missing:
        raise InputError(path, f"缺少字段 {', '.join(missing)}")
    return entry


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise InputError(path, "应为非空字符串")
    return value.strip()


def _categories(entry: Mapping[str, Any], path: str) -> tuple[HazardCategory, ...]:
    if "category" in entry and "categories" in entry:
        raise InputError(path, "category 与 categories 只能填一个")
    if "category" in entry:
        raw = [entry["category"]]
    elif "categories" in entry:
        raw = entry["categories"]
        if not isinstance(raw, list) or not raw:
            raise InputError(f"{path}.categories", "应为非空列表")
    else:
        return ()
    try:
        return tuple(lookup_category(_text(symbol, f"{path}.category")) for symbol in raw)
    except UnknownCategoryError as error:
        raise InputError(f"{path}.category", str(error)) from error


def _resolve_name_and_cas(name: str | None, cas: str | None, settings: GradingSettings, path: str) -> Resolution:
    """Resolve by name, falling back to CAS; when both resolve they must agree."""
    policy = settings.shared_key_policy
    if name is None:
        return resolve_chemical(cas, policy)
    if cas is None:
        return resolve_chemical(name, policy)
    try:
        by_name = resolve_chemical(name, policy)
    except UnknownChemicalError as name_error:
        if isinstance(name_error, AmbiguousChemicalError):
            raise
        try:
            by_cas = resolve_chemical(cas, policy)
        except UnknownChemicalError:
            raise name_error from None
        note = f"名称“{name}”不在表1，按CAS号 {cas} 对应的表1第{by_cas.chemical.row}项计"
        return Resolution(by_cas.chemical, cas, by_cas.matched_full_name, note=note)
    if by_name.chemical not in rows_for_key(cas):
        raise InputError(path, f"名称“{name}”（表1第{by_name.chemical.row}项）与CAS号“{cas}”不一致")
    return by_name


def _table2_fallback_warning(query: str, error: UnknownChemicalError, categories: Sequence[HazardCategory]) -> str:
    symbols = "、".join(c.symbol for c in categories)
    close = [s for item in error.unresolved for s in item.suggestions]
    hint = f"；近似的表1名称：{'、'.join(close)}，如属表1请改用表1名称" if close else ""
    return f"“{query}”不在表1，按表2 {symbols} 计{hint}"


def _chemical_from_json(entry: Any, settings: GradingSettings, path: str) -> ChemicalQuantity:
    entry = _check_keys(entry, CHEMICAL_KEYS, ["quantity_t"], path)
    try:
        quantity = as_quantity(entry["quantity_t"])
    except ValueError as error:
        raise InputError(f"{path}.quantity_t", str(error)) from error
    categories = _categories(entry, path)
    name = _text(entry["name"], f"{path}.name") if "name" in entry else None
    cas = _text(entry["cas"], f"{path}.cas") if "cas" in entry else None
    if name is None and cas is None:
        if not categories:
            raise InputError(path, "需填写 name、cas 或 category 之一")
        return ChemicalQuantity.of_category(categories, quantity)
    try:
        resolution = _resolve_name_and_cas(name, cas, settings, path)
    except UnknownChemicalError as error:
        if not categories or isinstance(error, AmbiguousChemicalError):
            raise
        label = name or cas or ""
        warning = _table2_fallback_warning(label, error, categories)
        return ChemicalQuantity(quantity_t=quantity, categories=categories, label=label, warnings=(warning,))
    return ChemicalQuantity(
        quantity_t=quantity,
        chemical=resolution.chemical,
        categories=categories,
        label=name or resolution.chemical.name,
        warnings=resolution.warnings,
    )


def _units_from_json(data: Mapping[str, Any], settings: GradingSettings) -> list[Unit]:
    units_data = data["units"]
    if not isinstance(units_data, list) or not units_data:
        raise InputError("units", "应为非空列表")
    unresolved: list[UnresolvedName] = []
    units = []
    for unit_index, unit_data in enumerate(units_data):
        unit_path = f"units[{unit_index}]"
        unit_data = _check_keys(unit_data, UNIT_KEYS, ["name", "chemicals"], unit_path)
        chemicals_data = unit_data["chemicals"]
        if not isinstance(chemicals_data, list):
            raise InputError(f"{unit_path}.chemicals", "应为列表")
        chemicals = []
        for index, entry in enumerate(chemicals_data):
            try:
                chemicals.append(_chemical_from_json(entry, settings, f"{unit_path}.chemicals[{index}]"))
            except UnknownChemicalError as error:
                unresolved.extend(error.unresolved)
        units.append(Unit(_text(unit_data["name"], f"{unit_path}.name"), tuple(chemicals)))
    if unresolved:
        unique = list({item.query: item for item in unresolved}.values())
        raise UnknownChemicalError(unique)
    return units


def grade_from_json(data: Mapping[str, Any], settings: GradingSettings | None = None) -> dict[str, Any]:
    """Grade an installation described as JSON; return a JSON-serialisable dict.

    Raises :class:`InputError` for malformed input and :class:`UnknownChemicalError`
    listing every name/CAS that is not (uniquely) in Table 1 and has no category.
    """
    settings = settings or DEFAULT_SETTINGS
    data = _check_keys(data, INSTALLATION_KEYS, ["units", "exposed_people"], "")
    try:
        people = as_people_count(data["exposed_people"])
    except ValueError as error:
        raise InputError("exposed_people", str(error)) from error
    units = _units_from_json(data, settings)
    try:
        result = grade_installation(units, people, settings)
    except ValueError as error:
        raise InputError("units", str(error)) from error
    return result_to_json(result)


def _number(value: Any, places: int) -> str:
    return decimal_text(truncate(value, places))


def _grade_fields(grade: Any) -> dict[str, Any]:
    return {"grade": grade.number if grade else None, "grade_name": grade.name if grade else None}


def chemical_to_json(chemical: ChemicalResult, places: int) -> dict[str, Any]:
    return {
        "name": chemical.name,
        "table1_row": chemical.table1_row,
        "table1_name": chemical.table1_name,
        "cas": list(chemical.cas_numbers),
        "quantity_t": decimal_text(chemical.quantity_t),
        "Q": decimal_text(chemical.critical_quantity_t),
        "Q_source": chemical.q_source,
        "q_over_Q": _number(chemical.ratio, places),
        "beta": decimal_text(chemical.beta),
        "beta_source": chemical.beta_source,
        "beta_category": chemical.beta_category,
        "warnings": list(chemical.warnings),
    }


def unit_to_json(unit: UnitGrade, places: int) -> dict[str, Any]:
    return {
        "name": unit.name,
        "S": _number(unit.identification.s_exact, places),
        "is_major_hazard": unit.is_major_hazard,
        "R": _number(unit.r_exact, places),
        "alpha": decimal_text(unit.alpha),
        **_grade_fields(unit.grade),
        "chemicals": [chemical_to_json(c, places) for c in unit.identification.chemicals],
    }


def result_to_json(result: GradingResult) -> dict[str, Any]:
    places = result.settings.decimal_places
    return {
        "standard": STANDARD,
        "exposed_people": result.exposed_people,
        "alpha": decimal_text(result.alpha),
        "S": _number(result.s_exact, places),
        "is_major_hazard": result.is_major_hazard,
        "R": _number(result.r_exact, places) if result.r_exact is not None else None,
        **_grade_fields(result.grade),
        "governing_unit": result.governing_unit,
        "settings": result.settings.as_dict(),
        "units": [unit_to_json(unit, places) for unit in result.units],
    }
