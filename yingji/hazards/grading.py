"""Identification and grading of hazard sources: calls ``yingji.rules.gb18218`` and keeps history.

A grading is recomputed whenever what it depends on changes — a unit's contents, a unit's
name, the exposed-people count, or the jurisdiction's rule setting. Each stored grading keeps
the exact input, the settings used and the full working (``grade_from_json`` output).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError

from django.utils import timezone

from yingji.core import records
from yingji.core.errors import ValidationFailed
from yingji.geo import divcodes
from yingji.rules.gb18218 import GradingSettings, InputError, UnknownChemicalError, grade_from_json
from yingji.core.records import audited_transaction

from .models import GRADE_NAMES, HazardGrading, HazardRuleSetting, HazardSource

DEFAULT_GRADING = GradingSettings()


def ancestors(code: str) -> list[str]:
    """The division itself and every enclosing division, nearest first."""
    chain = []
    current = divcodes.normalise(code)
    while current:
        chain.append(current)
        current = divcodes.parent_code(current)
    return chain


def rule_setting_for(division_code: str) -> HazardRuleSetting | None:
    """The recorded setting of the nearest enclosing jurisdiction, or None (defaults apply)."""
    chain = ancestors(division_code)
    found = {s.division_code: s for s in HazardRuleSetting.objects.filter(division_code__in=chain)}
    return next((found[code] for code in chain if code in found), None)


def grading_settings_for(division_code: str) -> tuple[GradingSettings, HazardRuleSetting | None]:
    setting = rule_setting_for(division_code)
    return (setting.grading_settings() if setting else DEFAULT_GRADING), setting


def check_chemical(chemical) -> None:
    """Validation of one unit chemical before it is saved (the ``derive`` step of its registry):
    it must resolve exactly as the grading will."""
    settings, _ = grading_settings_for(chemical.division_code) if chemical.division_code else (DEFAULT_GRADING, None)
    data = {"exposed_people": 0, "units": [{"name": "校验", "chemicals": [chemical.as_input()]}]}
    try:
        grade_from_json(data, settings)
    except UnknownChemicalError as exc:
        raise ValidationError({"name": str(exc)}) from exc
    except (InputError, ValueError) as exc:
        field = "categories" if "categor" in str(exc) else "design_max_t" if "quantity" in str(exc) else "name"
        raise ValidationError({field: str(exc)}) from exc


def grading_input(source: HazardSource) -> dict | None:
    """The hazard source in the JSON format of ``grade_from_json``; None without units."""
    units = list(source.units.order_by("pk").prefetch_related("chemicals"))
    if not units:
        return None
    return {
        "exposed_people": source.exposed_people,
        "units": [{"name": u.name, "chemicals": [c.as_input() for c in u.chemicals.order_by("pk")]} for u in units],
    }


def _clear_current(source: HazardSource) -> None:
    HazardSource.objects.filter(pk=source.pk).update(is_major_hazard=False, current_grade=None, current_s=None,
                                                     current_r=None, graded_at=None)


def regrade(source: HazardSource, actor=None, trigger: str = "", *, force: bool = False) -> HazardGrading | None:
    """Grade ``source`` from its stored contents; store a new grading when anything changed.

    Returns the current grading (new or unchanged) or None when the source has no unit.
    Raises ValidationFailed (nothing written) when the contents cannot be graded.
    """
    data = grading_input(source)
    if data is None:
        _clear_current(source)
        return None
    settings, setting = grading_settings_for(source.division_code)
    try:
        result = grade_from_json(data, settings)
    except (UnknownChemicalError, InputError, ValueError) as exc:
        raise ValidationFailed(f"{source}无法分级：{exc}", fields={"units": [str(exc)]}) from exc
    latest = source.gradings.order_by("-graded_at", "-pk").first()
    if latest and not force and latest.input == data and latest.settings_used == result["settings"]:
        return latest
    with audited_transaction():
        grading = records.create_record(
            actor if getattr(actor, "pk", None) else records.SYSTEM, HazardGrading, {}, parent=source, validate=False,
            note=f"重新分级（{trigger or '手动'}）：{GRADE_NAMES.get(result['grade'], '未构成重大危险源')}，R={result['R']}",
            server=dict(
                hazard_source=source, enterprise_id=source.enterprise_id, division_code=source.division_code,
                is_synthetic=source.is_synthetic, graded_at=timezone.now(), trigger=trigger[:200],
                exposed_people=result["exposed_people"], alpha=result["alpha"], s=result["S"], r=result["R"],
                grade=result["grade"], is_major_hazard=result["is_major_hazard"],
                governing_unit=result["governing_unit"] or "", rule_setting=setting, settings_used=result["settings"],
                input=data, result=result))
        HazardSource.objects.filter(pk=source.pk).update(
            is_major_hazard=grading.is_major_hazard, current_grade=grading.grade, current_s=grading.s,
            current_r=grading.r, graded_at=grading.graded_at,
        )
    return grading


def regrade_in(division_code: str, actor=None, trigger: str = "") -> int:
    """Regrade every hazard source under a division (after its rule setting changed)."""
    prefix = divcodes.scope_prefix(division_code)
    count = 0
    for source in HazardSource.objects.filter(division_code__startswith=prefix):
        regrade(source, actor, trigger)
        count += 1
    return count


def preview(data: dict, division_code: str) -> dict:
    """Grade a JSON description with the jurisdiction's settings, without storing anything."""
    settings, _ = grading_settings_for(division_code)
    try:
        return grade_from_json(data, settings)
    except UnknownChemicalError as exc:
        raise ValidationFailed(str(exc), code="unknown_chemical",
                               fields={name: list(s) for name, s in exc.suggestions.items()}) from exc
    except (InputError, ValueError, KeyError, TypeError) as exc:
        raise ValidationFailed(f"输入格式不正确：{exc}") from exc
