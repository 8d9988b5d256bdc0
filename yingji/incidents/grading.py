"""Grading an incident from its current figures: Decree 493 for 生产安全事故, configurable
rule tables (``GradingTableConfig``, else the shipped default) for other types."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from yingji.geo import divcodes
from yingji.rules.accident import SOURCE as DECREE_493_SOURCE
from yingji.rules.accident import grade_accident
from yingji.rules.incident_types import GradingTable, default_grading_table, grade_by_table, incident_type

from .models import GradingTableConfig


@dataclass(frozen=True)
class Grade:
    level: int | None
    name: str
    reasons: list[str]
    basis: str


def table_figures(figures: dict) -> dict[str, Decimal]:
    """The figures a grading table may name (criterion code → value)."""
    values = {name: Decimal(str(value)) for name, value in figures.items()}
    values["deaths_missing"] = values.get("deaths", 0) + values.get("missing", 0)
    values["relocated_or_needing_aid"] = values.get("relocated", 0)
    return values


def configured_table(type_code: str, division_code: str) -> GradingTable | None:
    itype = incident_type(type_code)
    best, best_rank = None, None
    for row in GradingTableConfig.objects.filter(active=True, event_scope__in=[itype.code, itype.category]):
        if not divcodes.normalise(division_code).startswith(divcodes.scope_prefix(row.division_code)):
            continue
        rank = (len(divcodes.scope_prefix(row.division_code)), row.event_scope == itype.code, row.pk)
        if best_rank is None or rank > best_rank:
            best, best_rank = row, rank
    return GradingTable.from_dict(best.table) if best is not None else default_grading_table(type_code)


def grade_incident(type_code: str, figures: dict, division_code: str) -> Grade:
    itype = incident_type(type_code)
    if itype.decree_493:
        result = grade_accident(int(figures["deaths"]), int(figures["serious_injuries"]),
                                Decimal(str(figures["direct_loss_yuan"])))
        return Grade(result.level, result.grade, list(result.reasons), DECREE_493_SOURCE)
    table = configured_table(type_code, division_code)
    if table is None:
        return Grade(None, "未分级", [f"{itype.category_name}·{itype.name}未配置分级表，请按专项预案研判"], "")
    values = table_figures(figures)
    known = {c.code for c in table.criteria}
    result = grade_by_table(table, {code: values[code] for code in known if code in values})
    reasons = list(result.reasons) or [f"各项指标均未达到“{table.name}”的最低等级"]
    return Grade(result.level, result.name, reasons, f"{table.name}（{table.source}）"[:120])
