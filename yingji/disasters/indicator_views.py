"""The core-indicator dashboard (values per year against the plan's target, the division
ranking) and the annual report (.docx)."""

from __future__ import annotations

import io

from django.http import HttpResponse
from django.shortcuts import render

from yingji.core import profile as installation
from yingji.core.errors import Forbidden, ValidationFailed
from yingji.geo import divcodes
from yingji.regions.services import full_name
from yingji.rules import disaster_indicators as di
from yingji.rules.disaster_indicators import rounded
from yingji.core.views import service_view

from . import indicators
from .charts import trend

YEARS = [2021, 2022, 2023, 2024, 2025]


def _params(request) -> tuple[str, int, str]:
    user = request.user
    try:
        code = divcodes.normalise(request.GET.get("code") or user.region_code)
        year = int(request.GET.get("year") or YEARS[-1])
    except (divcodes.DivisionCodeError, ValueError) as exc:
        raise ValidationFailed(f"参数有误：{exc}") from exc
    if not divcodes.is_within(code, user.region_code):
        raise Forbidden(f"区划 {divcodes.short_code(code)} 不在您的管辖范围内")
    indicator = request.GET.get("indicator") or "affected_per_100k"
    if indicator not in di.INDICATOR_BY_CODE:
        raise ValidationFailed(f"未知指标“{indicator}”")
    return code, year, indicator


def _fmt(value) -> str:
    return "—" if value is None else format(rounded(value, 2).normalize(), "f")


def _rows(code: str, years: list[int]) -> list[dict]:
    rows = []
    for row in indicators.indicator_table(code, years):
        ind, assessment = row["indicator"], row["assessment"]
        met = None if assessment is None else assessment["met"]
        change = None if assessment is None else assessment.get("change_percent")
        rows.append({"number": ind.number, "code": ind.code, "name": ind.name, "unit": ind.unit,
                     "target": ind.target_text, "values": [_fmt(row["values"][y]) for y in years],
                     "change": _fmt(change) if change is not None else "", "met": met,
                     "chart": trend(years, row["values"], row["target_value"]),
                     "target_value": _fmt(row["target_value"])})
    return rows


@service_view
def dashboard(request):
    code, year, indicator = _params(request)
    years = [y for y in YEARS if y <= year] or YEARS
    ranking = []
    if divcodes.level_of(code) in ("city", "province", "county"):
        ranking = [{**r, "value": _fmt(r["value"])} for r in indicators.ranking(code, year, indicator)]
    return render(request, "disasters/indicators.html", {
        "code": code, "short_code": divcodes.short_code(code), "place": full_name(code), "year": year, "years": years, "rows": _rows(code, years),
        "ranking": ranking, "indicator": di.INDICATOR_BY_CODE[indicator], "indicators": di.INDICATORS,
        "baseline_year": indicators.BASELINE_YEAR,
    })


@service_view
def annual_report(request):
    """年度核心指标报告 (.docx)."""
    # Imported on use: python-docx is heavy and only the report download needs it.
    from docx import Document

    code, year, _ = _params(request)
    years = [y for y in YEARS if y <= year] or [year]
    doc = Document()
    doc.add_heading(f"{full_name(code)}{year}年应急管理核心指标完成情况", level=1)
    doc.add_paragraph(f"依据：{installation.current().sources[0]}核心指标。基期：{indicators.BASELINE_YEAR}年。"
                      "生产安全事故数据来自突发事件信息报告，自然灾害数据来自灾情核报/续报，基础数据来自指标基础数据（注明来源）。")
    table = doc.add_table(rows=1, cols=4 + len(years))
    for cell, text in zip(table.rows[0].cells, ["序号", "指标", "目标", *[f"{y}年" for y in years], "是否达标"]):
        cell.text = text
    for row in _rows(code, years):
        cells = table.add_row().cells
        texts = [str(row["number"]), f"{row['name']}（{row['unit']}）", row["target"], *row["values"],
                 {True: "达标", False: "未达标", None: "缺少数据"}[row["met"]]]
        for cell, text in zip(cells, texts):
            cell.text = text
    buffer = io.BytesIO()
    doc.save(buffer)
    response = HttpResponse(buffer.getvalue(),
                            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    response["Content-Disposition"] = f'attachment; filename="indicators-{code[:6]}-{year}.docx"'
    return response
