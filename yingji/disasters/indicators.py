"""The seven core indicators computed from the platform's own records.

* Production-safety figures from incidents (``incidents.Incident``, category 事故灾难): deaths of
  the incident's latest report, 较大以上 = grade level 1–3, counted in the year it occurred
  (received when the time of occurrence is unknown). Treating every 事故灾难 incident as a
  生产安全事故 is an approximation of the statistical caliber (documented in docs/disasters.md).
* Natural-disaster figures from loss reports: for each disaster event that started in the year,
  the division's figures (its own report or the sum of the reported divisions below it);
  受灾人次 is the sum over events of 受灾人口 (a person affected twice counts twice).
* Baselines (GDP, population, workers) from ``IndicatorBaseline`` rows entered per year and
  division with their source.
"""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Q

from yingji.geo import divcodes
from yingji.incidents.models import Incident
from yingji.regions.models import Division
from yingji.rules import disaster_indicators as di

from .models import DisasterEvent, IndicatorBaseline
from .selectors import latest_by_events, total_for

BASELINE_YEAR = 2020  # the 14th Five-Year Plan's reductions are against 2020


def accident_figures(code: str, year: int) -> tuple[int, int]:
    """(deaths, 较大以上 accidents) of 事故灾难 incidents in ``code`` in ``year``."""
    prefix = divcodes.scope_prefix(code)
    qs = Incident.objects.filter(category="accident", division_code__startswith=prefix).filter(
        Q(occurred_at__year=year) | Q(occurred_at__isnull=True, received_at__year=year))
    deaths = sum(qs.values_list("deaths", flat=True))
    major = qs.filter(grade_level__isnull=False, grade_level__lte=3).count()
    return deaths, major


def disaster_figures(code: str, year: int) -> dict:
    """Deaths, missing, affected person-times and direct loss (万元) of ``code`` over the
    disaster events that started in ``year``."""
    code = divcodes.normalise(code)
    prefix = divcodes.scope_prefix(code)
    totals = {"deaths": 0, "missing": 0, "affected_person_times": 0, "loss_wan": Decimal(0)}
    # Only the events inside the division or above it: the ranking asks this for each child
    # division, and a province's year of events (each with its reports) is read once per child.
    events = list(DisasterEvent.objects.filter(start_at__year=year).filter(
        Q(division_code__startswith=prefix) | Q(division_code__in=divcodes.ancestors(code))))
    reports = latest_by_events(events)
    for event in events:  # each is inside the division, else above it (the query's two halves)
        inside = event.division_code.startswith(prefix)
        figures = total_for(event.division_code if inside else code, reports[event.pk])
        if figures is None:
            continue
        totals["deaths"] += figures["deaths"]
        totals["missing"] += figures["missing"]
        totals["affected_person_times"] += figures["affected_population"]
        totals["loss_wan"] += Decimal(figures["direct_loss_wan"])
    return totals


def year_figures(code: str, year: int) -> di.YearFigures:
    code = divcodes.normalise(code)
    baseline = IndicatorBaseline.objects.filter(division_code=code, year=year).first()
    deaths, major = accident_figures(code, year)
    disaster = disaster_figures(code, year)
    return di.YearFigures(
        year=year, accident_deaths=deaths, major_accidents=major,
        gdp_yi=baseline.gdp_yi if baseline else None, workers=baseline.workers if baseline else None,
        population=baseline.population if baseline else None, disaster_deaths=disaster["deaths"],
        disaster_missing=disaster["missing"], affected_person_times=disaster["affected_person_times"],
        disaster_loss_wan=disaster["loss_wan"],
    )


def indicator_table(code: str, years: list[int], baseline_year: int = BASELINE_YEAR) -> list[dict]:
    """One row per indicator: value per year (None when a baseline is missing), target and
    whether the last year meets it."""
    rows_by_year = {y: year_figures(code, y) for y in sorted(set(years) | {baseline_year})}
    base = rows_by_year[baseline_year]
    table = []
    for ind in di.INDICATORS:
        values = {}
        for year in years:
            try:
                values[year] = di.annual_value(rows_by_year[year], ind.code)
            except ValueError:
                values[year] = None
        last = rows_by_year[years[-1]] if years else None
        assessment = None
        if last is not None:
            try:
                assessment = di.assess(ind.code, last, base)
            except ValueError:
                assessment = None
        try:
            baseline_value = di.annual_value(base, ind.code)
        except ValueError:
            baseline_value = None
        target_value = None
        if ind.target_kind == di.TARGET_BELOW:
            target_value = ind.target
        elif baseline_value is not None:  # the value the reduction aims at
            target_value = baseline_value * (100 - ind.target) / 100
        table.append({"indicator": ind, "values": values, "assessment": assessment,
                      "baseline_value": baseline_value, "target_value": target_value})
    return table


def ranking(parent_code: str, year: int, indicator: str) -> list[dict]:
    """The divisions directly below ``parent_code``, ranked by ``indicator`` in ``year``
    (highest first); divisions without the needed baseline come last."""
    level = divcodes.level_of(divcodes.normalise(parent_code))
    child_level = divcodes.LEVELS[divcodes.LEVELS.index(level) + 1]
    prefix = divcodes.scope_prefix(parent_code)
    rows = []
    for division in Division.objects.filter(level=child_level, code__startswith=prefix).order_by("code"):
        try:
            value = di.annual_value(year_figures(division.code, year), indicator)
        except ValueError:
            value = None
        rows.append({"code": division.code, "name": division.name, "value": value})
    return sorted(rows, key=lambda r: (r["value"] is None, -(r["value"] or 0)))
