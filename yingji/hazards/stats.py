"""Selectors for statistics and overdue lists (all scoped to the user), and their .xlsx export."""

from __future__ import annotations

import tempfile
from collections import Counter, defaultdict

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from yingji.core import records, scope
from yingji.core.db import for_reading
from yingji.core.cells import append_protected
from yingji.regions.models import Enterprise
from yingji.regions.services import name_of
from yingji.rules import hidden_hazard as rules

from .models import GRADE_NAMES, HazardSource, HiddenHazard, InspectionTask
from .selectors import overdue

INDUSTRY_NAMES = dict(Enterprise.INDUSTRIES)
OPEN_STATES = set(rules.STATES) - set(rules.TERMINAL_STATES)


def _county(code: str) -> str:
    return code[:6].ljust(12, "0")


def hidden_hazard_statistics(user, today=None) -> dict:
    today = today or timezone.localdate()
    hazards = list(for_reading(scope.visible(HiddenHazard.objects.all(), user).select_related("enterprise")))
    by_division: dict[str, Counter] = defaultdict(Counter)
    by_industry: dict[str, Counter] = defaultdict(Counter)
    for h in hazards:
        for bucket in (by_division[_county(h.division_code)], by_industry[h.enterprise.industry]):
            bucket["total"] += 1
            bucket["major"] += h.grade == rules.GRADE_MAJOR
            bucket["open"] += h.state in OPEN_STATES
            bucket["closed"] += h.state == "closed"
            bucket["overdue"] += h.is_overdue(today)
    columns = ("total", "major", "open", "closed", "overdue")
    return {
        "total": len(hazards),
        "by_state": [{"state": s, "label": label, "count": sum(h.state == s for h in hazards)}
                     for s, label in rules.STATES.items()],
        "by_grade": [{"grade": g, "label": label, "count": sum(h.grade == g for h in hazards)}
                     for g, label in [*rules.GRADES.items(), ("", "未定级（待确认）")]],
        "by_division": [{"code": c, "name": name_of(c), **{k: by_division[c][k] for k in columns}}
                        for c in sorted(by_division)],
        "by_industry": [{"industry": i, "name": INDUSTRY_NAMES.get(i, i), **{k: by_industry[i][k] for k in columns}}
                        for i in sorted(by_industry)],
    }


def hazard_source_statistics(user) -> dict:
    sources = list(for_reading(scope.visible(HazardSource.objects.all(), user)))
    by_division: dict[str, Counter] = defaultdict(Counter)
    for s in sources:
        by_division[_county(s.division_code)][s.current_grade or 0] += 1
    grades = [*GRADE_NAMES, 0]
    return {
        "total": len(sources),
        "by_grade": [{"grade": g or None, "label": GRADE_NAMES.get(g, "未构成/未分级"),
                      "count": sum((s.current_grade or 0) == g for s in sources)} for g in grades],
        "by_division": [{"code": c, "name": name_of(c), **{GRADE_NAMES.get(g, "未构成/未分级"): by_division[c][g]
                                                          for g in grades}} for c in sorted(by_division)],
    }


def overdue_lists(user, today=None) -> dict:
    """Hidden hazards past their deadline, sources past their 3-yearly evaluation or unfiled,
    inspection tasks past their planned date and not completed."""
    today = today or timezone.localdate()
    hazards = list(overdue(for_reading(scope.visible(HiddenHazard.objects.all(), user)), today)
                   .select_related("enterprise").order_by("deadline"))
    sources = for_reading(scope.visible(HazardSource.objects.all(), user).select_related("enterprise"))
    return {
        "hidden_hazards": hazards,
        "evaluations": list(sources.filter(evaluation_due_on__lt=today).order_by("evaluation_due_on")),
        "unfiled": list(sources.filter(is_major_hazard=True).exclude(filing_status="filed").order_by("name")),
        "inspections": list(for_reading(scope.visible(InspectionTask.objects.filter(planned_on__lt=today), user))
                            .exclude(status="completed").select_related("enterprise").order_by("planned_on")),
        "today": today,
    }


def _fmt_date(value) -> str:
    return value.isoformat() if value else ""


def statistics_sheets(user) -> list[tuple[str, list[str], list[list]]]:
    hidden = hidden_hazard_statistics(user)
    sources = hazard_source_statistics(user)
    overdue = overdue_lists(user)
    counts = ["总数", "重大隐患", "未销号", "已销号", "逾期"]
    keys = ("total", "major", "open", "closed", "overdue")
    grade_columns = [*GRADE_NAMES.values(), "未构成/未分级"]
    return [
        ("隐患按区划", ["区划代码", "区划", *counts], [[r["code"][:6], r["name"], *(r[k] for k in keys)]
                                                    for r in hidden["by_division"]]),
        ("隐患按行业", ["行业", *counts], [[r["name"], *(r[k] for k in keys)] for r in hidden["by_industry"]]),
        ("隐患按等级", ["等级", "数量"], [[r["label"], r["count"]] for r in hidden["by_grade"]]),
        ("隐患按状态", ["状态", "数量"], [[r["label"], r["count"]] for r in hidden["by_state"]]),
        ("危险源按区划和等级", ["区划代码", "区划", *grade_columns],
         [[r["code"][:6], r["name"], *(r[g] for g in grade_columns)] for r in sources["by_division"]]),
        ("逾期隐患", ["编号", "隐患", "企业", "等级", "状态", "整改期限", "逾期天数", "升级督办"],
         [[h.pk, h.title, h.enterprise.name, h.get_grade_display(), h.get_state_display(), _fmt_date(h.deadline),
           (overdue["today"] - h.deadline).days, name_of(h.escalated_to) if h.escalated_to else ""]
          for h in overdue["hidden_hazards"]]),
        ("评估逾期危险源", ["编号", "危险源", "企业", "最近评估", "评估到期"],
         [[s.pk, s.name, s.enterprise.name, _fmt_date(s.evaluated_on), _fmt_date(s.evaluation_due_on)]
          for s in overdue["evaluations"]]),
        ("未备案危险源", ["编号", "危险源", "企业", "分级", "备案状态"],
         [[s.pk, s.name, s.enterprise.name, s.grade_name, s.get_filing_status_display()] for s in overdue["unfiled"]]),
        ("逾期检查任务", ["编号", "任务", "企业", "计划日期", "状态"],
         [[t.pk, t.title, t.enterprise.name, _fmt_date(t.planned_on), t.get_status_display()]
          for t in overdue["inspections"]]),
    ]


def workbook(sheets, title: str) -> bytes:
    wb = Workbook()
    wb.remove(wb.active)
    for name, headers, rows in sheets:
        ws = wb.create_sheet(name[:30])
        ws.append(headers)
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            append_protected(ws, row)
    info = wb.create_sheet("说明")
    info.append([title])
    info.append([f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}（北京时间）"])
    info.append(["范围：导出人管辖范围内的数据；演示数据为合成示例数据。"])
    with tempfile.TemporaryFile() as fh:
        wb.save(fh)
        fh.seek(0)
        return fh.read()


def export_statistics(user) -> tuple[bytes, str]:
    content = workbook(statistics_sheets(user), "隐患排查治理与重大危险源统计")
    records.log_event(user, "export", None, model_label="hazards.Statistics", note="导出隐患与重大危险源统计及逾期清单（xlsx）",
                      division_code=user.region_code)
    return content, f"hazards-statistics-{timezone.localtime():%Y%m%d-%H%M}.xlsx"
