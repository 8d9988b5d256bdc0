"""GB 18218-2018《危险化学品重大危险源辨识》: identification (S) and grading (R).

Pure Python, no Django. Tables 1–6 live in ``data/*.csv`` (provenance in
``data/sources.json``), transcribed row by row from the standard's tables;
values, sources and confidence in docs/rules.md §2.

Python API
----------
``lookup_chemical(name_or_cas) -> Chemical``
    Table 1 row by Chinese name, alias or CAS number. Full-width/half-width
    characters, bracket shapes and whitespace are normalised; the name without its
    bracketed specification also resolves (``"氯化氢"`` → row 11, with a warning to
    check the specification when the row restricts it). Raises
    ``UnknownChemicalError`` (``.unresolved`` / ``.suggestions`` from difflib) or
    ``AmbiguousChemicalError`` for keys shared by several rows (CAS 9004-70-0 →
    rows 37–42, CAS 6484-52-2 / "硝酸铵" → rows 43–44): give the full name with its
    specification, or choose ``SharedKeyPolicy.LOWEST_Q``.
``lookup_category(symbol_or_class) -> HazardCategory``
    Table 2/4 category by symbol (J1–J5, W1.1–W11) or by a hazard class that has a
    single symbol (``"易燃气体"`` → W2).
``identify_unit(chemicals: Sequence[ChemicalQuantity], settings=None) -> UnitResult``
    S = Σ q/Q (exact), ``is_major_hazard`` iff S ≥ 1, and per chemical Q and β.
``grade_installation(units: Sequence[Unit], exposed_people: int, settings=None) -> GradingResult``
    Per unit S, R = α·Σβq/Q and grade (1–4, only for major-hazard units); overall
    S (largest unit S), is_major_hazard (any unit), R and grade of the governing
    unit (the major-hazard unit with the largest R), α from Table 5.
``grade_from_json(data: dict, settings=None) -> dict``
    The same, JSON in and out (below).

Build inputs with ``ChemicalQuantity.named("甲醇", "300")`` or
``ChemicalQuantity.of_category(["W5.3"], "100", label="某溶剂")`` and
``Unit("罐区", (...))``. Open choices are in ``GradingSettings`` (default:
``beta_choice=MAXIMUM``, ``beta_without_category=1``,
``shared_key_policy=REQUIRE_SPECIFICATION``, ``decimal_places=6``); every result
records the settings used and, per chemical, where Q and β came from.

JSON input (``grade_from_json``)
--------------------------------
::

    {
      "exposed_people": 35,                       # people within 500 m outside the plant, integer ≥ 0
      "units": [
        {"name": "罐区", "chemicals": [
          {"name": "甲醇", "quantity_t": 300},          # Table 1 by name or alias
          {"cas": "7782-50-5", "quantity_t": "2.5"},     # Table 1 by CAS
          {"name": "氯", "cas": "7782-50-5", "quantity_t": 1},   # both: must agree
          {"category": "W5.3", "quantity_t": 100},       # not in Table 1: Table 2 symbol
          {"name": "某混合溶剂", "categories": ["J5", "W5.1"], "quantity_t": 1},
          {"name": "甲醇", "category": "W5.1", "quantity_t": 10}  # Table 1 Q, β of the given category
        ]}
      ]
    }

* Keys are exactly these; unknown keys are rejected (``InputError``).
* ``quantity_t``: tonnes (design maximum), number or decimal string; JSON floats are
  read through their shortest text (0.1 → Decimal("0.1")).
* ``category`` / ``categories``: Table 2 symbols (``"J4"``, ``"W5.3"``; full-width
  accepted) or a single-symbol hazard class name (``"易燃气体"``). Several
  categories: Q is the lowest of them (docs/rules.md §2.1, Q lookup order); β per
  ``settings.beta_choice``. For a Table 1 chemical the categories replace the
  project's default categories for β only; Table 3 gases always take their Table 3 β.
* A name/CAS not in Table 1 *with* categories is a Table 2 chemical (a warning lists
  close Table 1 names); *without* categories it is an error: ``grade_from_json``
  raises one ``UnknownChemicalError`` listing every such name with suggestions.

JSON output
-----------
All decimal figures are **strings** (exact, no exponent, no trailing zeros:
``"100"``, ``"1.25"``). Table values (Q, β, α, quantities) are exact; computed S, R
and q/Q are exact values truncated toward zero to ``decimal_places`` places, so a
shown value never crosses 1/10/50/100 unless the exact value does. Booleans, integers
and null are native JSON.

::

    {"standard": "GB 18218-2018", "exposed_people": 35, "alpha": "1.2",
     "S": "1.3", "is_major_hazard": true, "R": "3.42", "grade": 4, "grade_name": "四级",
     "governing_unit": "罐区", "settings": {...},
     "units": [{"name": "罐区", "S": ..., "is_major_hazard": ..., "R": ..., "alpha": ...,
                "grade": 1..4 | null, "grade_name": "一级".."四级" | null,
                "chemicals": [{"name", "table1_row", "table1_name", "cas": [...], "quantity_t", "Q",
                               "Q_source", "q_over_Q", "beta", "beta_source",
                               "beta_category", "warnings": [...]}]}]}

Overall ``R``/``grade``/``governing_unit`` are null when no unit is a major hazard.

Caveat: β of Table 1 chemicals outside Table 3 depends on their hazard categories,
which Table 1 does not give; ``data/table1.csv`` carries project-assigned default
categories (confidence R, to be checked against the 危险化学品目录/SDS) and every
result says when such a default was used.
"""

from .grading import (
    BetaChoice,
    ChemicalQuantity,
    ChemicalResult,
    GradingResult,
    GradingSettings,
    Unit,
    UnitGrade,
    UnitResult,
    alpha_for,
    evaluate_chemical,
    grade_for,
    grade_installation,
    grade_unit,
    identify_unit,
)
from .jsonio import InputError, grade_from_json, result_to_json
from .lookup import (
    AmbiguousChemicalError,
    SharedKeyPolicy,
    UnknownCategoryError,
    UnknownChemicalError,
    UnresolvedName,
    lookup_category,
    lookup_chemical,
    resolve_chemical,
    suggest,
)
from .tables import STANDARD, Chemical, Grade, HazardCategory, categories, table1

__all__ = [
    "STANDARD",
    "AmbiguousChemicalError",
    "BetaChoice",
    "Chemical",
    "ChemicalQuantity",
    "ChemicalResult",
    "Grade",
    "GradingResult",
    "GradingSettings",
    "HazardCategory",
    "InputError",
    "SharedKeyPolicy",
    "Unit",
    "UnitGrade",
    "UnitResult",
    "UnknownCategoryError",
    "UnknownChemicalError",
    "UnresolvedName",
    "alpha_for",
    "categories",
    "evaluate_chemical",
    "grade_for",
    "grade_from_json",
    "grade_installation",
    "grade_unit",
    "identify_unit",
    "lookup_category",
    "lookup_chemical",
    "resolve_chemical",
    "result_to_json",
    "suggest",
    "table1",
]
