"""The loss reports of an event as an .xlsx in the indicator order of the
自然灾害损失情况统计快报表: one row per division (its latest report of the chosen stage), then
the total of the user's level. The official sheet's exact layout and indicator codes were not
available (rules-cn-2.md §1.3): the columns are the indicators with their units."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from yingji.core import scope
from yingji.geo import divcodes
from yingji.regions.services import full_name, name_of
from yingji.rules.disaster_reports import STAGES

from . import selectors
from .models import FIGURE_LABELS, FIGURE_NAMES, DisasterEvent


def loss_workbook(event: DisasterEvent, user, stage: str | None = None) -> bytes:
    code = event.division_code if scope.is_visible(event, user) else divcodes.normalise(user.region_code)
    latest = selectors.latest_by_division(event, stage)
    rows = [r for c, r in sorted(latest.items()) if divcodes.is_within(c, code)]
    book = Workbook()
    sheet = book.active
    sheet.title = "灾情快报"
    columns = ["区划代码", "区划名称", "报告阶段", "报告时间", *[FIGURE_LABELS[n] for n in FIGURE_NAMES]]
    sheet.append(["自然灾害损失情况统计快报表（按指标排列）"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"灾害过程：{event.title}", f"灾种：{event.get_hazard_type_display()}",
                  f"阶段：{STAGES.get(stage, '各区划最新报告') if stage else '各区划最新报告'}",
                  f"填报范围：{full_name(code)}", f"导出时间：{timezone.localtime():%Y-%m-%d %H:%M}"])
    if event.is_synthetic:
        sheet.append(["合成示例数据，非真实灾情"])
    sheet.append(columns)
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True)
    for report in rows:
        sheet.append([report.division_code, name_of(report.division_code), report.get_stage_display(),
                      timezone.localtime(report.report_at).strftime("%Y-%m-%d %H:%M"),
                      *[_cell(getattr(report, n)) for n in FIGURE_NAMES]])
    total = selectors.total_for(code, latest)
    if total is not None:
        sheet.append([code, f"{name_of(code)}合计", "", "", *[_cell(total[n]) for n in FIGURE_NAMES]])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 15
    sheet.column_dimensions["B"].width = 16
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _cell(value):
    return float(value) if hasattr(value, "quantize") else value


def notice_workbook(event: DisasterEvent, division: str, category: str, rows: list[dict], total) -> bytes:
    """The 公示 list as .xlsx (ID numbers masked as on the posted list)."""
    book = Workbook()
    sheet = book.active
    sheet.title = "救助对象公示"
    sheet.append([f"{full_name(division)}{category}对象公示"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([f"灾害过程：{event.title}"] + (["合成示例数据，非真实人员"] if event.is_synthetic else []))
    sheet.append(["序号", "户主姓名", "身份证号（已脱敏）", "家庭人口（人）", "救助人口（人）", "救助金额（元）", "发放时间", "领取人签字"])
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for row in rows:
        p = row["p"]
        sheet.append([row["n"], p.head_name, row["masked"], p.household_size, p.people, _cell(p.amount_yuan),
                      timezone.localtime(p.paid_at).strftime("%Y-%m-%d"), p.signer])
    sheet.append(["合计", f"{len(rows)}户", "", "", sum(r["p"].people for r in rows), _cell(total), "", ""])
    sheet.append(["公示期内如有异议，请向村（居）委会或乡镇（街道）、县级应急管理部门反映。"])
    for col, width in zip("ABCDEFGH", (6, 12, 22, 12, 12, 14, 12, 12)):
        sheet.column_dimensions[col].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
