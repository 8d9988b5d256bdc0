"""Exports in the layout of the 自然灾害情况统计调查制度 forms (.xlsx).

* ``应急统表1`` 自然灾害损失情况统计快报表: the form's head block (表号, 制定机关, 批准机关),
  the 填报单位 line, the indicator rows grouped as on the form (人口受灾 / 房屋 / 农作物 / 直接
  经济损失, with their 其中 rows) in the columns 指标名称 · 计量单位 · 行次 · 数值 marked 甲 乙 丙 1,
  the two text blocks the report carries (灾情描述, 救灾工作情况) and the signature line
  (单位负责人, 统计负责人, 填表人, 报出日期).
* ``附表 分乡镇``: one row per reporting division (the 初报 asks for figures by township).
* ``因灾死亡失踪人口一览表``: the register.
* ``应急统表10`` 受灾人员冬春生活政府救助人口一览表: the fields D03001–D03010 as seen in a
  reproduction of the 2020 form; columns the platform does not store stay empty.

Approximate (docs/disasters.md): the official form's 批准文号, 有效期 and indicator codes of
form 1 were not available — 行次 numbers the rows instead of the official codes, and the
批准文号 cell says to fill it from the current 制度; the sub-items we do not collect (受伤, 集中/
分散安置, 粮食作物, the six loss categories) are not printed."""

from __future__ import annotations

import io

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side

from yingji.core import scope
from yingji.geo import divcodes
from yingji.regions.services import full_name, name_of
from yingji.rules.disaster_reports import STAGES

from . import selectors
from .models import FIGURE_LABELS, FIGURE_NAMES, CasualtyRecord, DisasterEvent, ReliefPayment

THIN = Side(style="thin", color="000000")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)

# (indicator name as printed, unit, field or None for a group heading, indent)
FORM1_ROWS: tuple[tuple[str, str, str | None, int], ...] = (
    ("一、人口受灾情况", "", None, 0),
    ("受灾人口", "人", "affected_population", 1),
    ("因灾死亡人口", "人", "deaths", 1),
    ("因灾失踪人口", "人", "missing", 1),
    ("紧急转移安置人口", "人", "relocated", 1),
    ("需紧急生活救助人口", "人", "needing_aid", 1),
    ("因旱需生活救助人口", "人", "drought_aid_people", 1),
    ("二、房屋受损情况", "", None, 0),
    ("倒塌房屋", "间", "collapsed_rooms", 1),
    ("倒塌房屋", "户", "collapsed_households", 1),
    ("严重损坏房屋", "间", "severe_rooms", 1),
    ("严重损坏房屋", "户", "severe_households", 1),
    ("一般损坏房屋", "间", "general_rooms", 1),
    ("一般损坏房屋", "户", "general_households", 1),
    ("三、农作物受灾情况", "", None, 0),
    ("农作物受灾面积", "公顷", "crop_affected_ha", 1),
    ("其中：成灾面积", "公顷", "crop_damaged_ha", 2),
    ("其中：绝收面积", "公顷", "crop_lost_ha", 3),
    ("四、直接经济损失", "万元", "direct_loss_wan", 0),
)


def _scope_code(event: DisasterEvent, user) -> str:
    return event.division_code if scope.is_visible(event, user) else divcodes.normalise(user.region_code)


def loss_workbook(event: DisasterEvent, user, stage: str | None = None) -> bytes:
    code = _scope_code(event, user)
    latest = selectors.latest_by_division(event, stage)
    total = selectors.total_for(code, latest)
    book = Workbook()
    _form1(book.active, event, code, stage, latest, total)
    _by_division(book.create_sheet("附表 分乡镇"), event, code, latest, total)
    _casualties(book.create_sheet("因灾死亡失踪人口一览表"), event, user)
    _form10(book.create_sheet("应急统表10"), event, user)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _head(sheet, table_no: str, title: str, width: int) -> None:
    """The head block every statistics form carries, then the centred title."""
    right = width - 1
    for row, text in enumerate((f"表　　号：{table_no}", "制定机关：应急管理部", "批准机关：国家统计局",
                                "批准文号：（按现行统计调查制度填写）"), start=1):
        sheet.cell(row=row, column=right, value=text)
    sheet.cell(row=5, column=1, value=title).font = Font(bold=True, size=16)
    sheet.merge_cells(start_row=5, start_column=1, end_row=5, end_column=width)
    sheet.cell(row=5, column=1).alignment = CENTER


def _form1(sheet, event, code, stage, latest, total) -> None:
    sheet.title = "应急统表1"
    _head(sheet, "应急统表1", "自然灾害损失情况统计快报表", 4)
    own = latest.get(code)
    stage_text = STAGES.get(stage, "各区划最新报告") if stage else "各区划最新报告"
    sheet.cell(row=6, column=1, value=f"填报单位（盖章）：{full_name(code)}应急管理局")
    sheet.cell(row=6, column=3, value=f"报告阶段：{stage_text}")
    sheet.cell(row=7, column=1, value=f"灾害过程：{event.title}")
    sheet.cell(row=7, column=3, value=f"灾种：{event.get_hazard_type_display()}　起始：{timezone.localtime(event.start_at):%Y年%m月%d日}")
    if event.is_synthetic:
        sheet.cell(row=8, column=1, value="合成示例数据，非真实灾情").font = Font(color="C00000")
    header = 9
    for col, text in enumerate(("指标名称", "计量单位", "行次", "数值"), start=1):
        cell = sheet.cell(row=header, column=col, value=text)
        cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BOX
    for col, text in enumerate(("甲", "乙", "丙", "1"), start=1):
        cell = sheet.cell(row=header + 1, column=col, value=text)
        cell.alignment, cell.border = CENTER, BOX
    row = header + 2
    line = 0
    for name, unit, field, indent in FORM1_ROWS:
        label = sheet.cell(row=row, column=1, value=name)
        label.alignment = Alignment(indent=indent * 2)
        if field is None:
            label.font = Font(bold=True)
        else:
            line += 1
            sheet.cell(row=row, column=2, value=unit).alignment = CENTER
            sheet.cell(row=row, column=3, value=line).alignment = CENTER
            sheet.cell(row=row, column=4, value=_cell(total[field]) if total else 0)
        for col in range(1, 5):
            sheet.cell(row=row, column=col).border = BOX
        row += 1
    row += 1
    summaries = [r.summary for r in latest.values() if r.summary]
    sheet.cell(row=row, column=1, value="灾情描述（灾害背景、过程、特点、现场情况及发展趋势）：").font = Font(bold=True)
    sheet.cell(row=row + 1, column=1, value=(own.summary if own and own.summary else "；".join(summaries[:10])) or
               (event.description or ""))
    sheet.merge_cells(start_row=row + 1, start_column=1, end_row=row + 1, end_column=4)
    sheet.cell(row=row + 1, column=1).alignment = Alignment(wrap_text=True, vertical="top")
    sheet.row_dimensions[row + 1].height = 60
    sheet.cell(row=row + 2, column=1, value="救灾工作情况（力量、资金、物资、装备投入，需求、困难及下步工作）：").font = Font(bold=True)
    payments = ReliefPayment.objects.filter(event=event, division_code__startswith=divcodes.scope_prefix(code))
    paid = sum(p.amount_yuan for p in payments)
    sheet.cell(row=row + 3, column=1, value=f"已发放救助 {payments.count()} 户，金额 {paid} 元（本平台登记）。")
    sheet.merge_cells(start_row=row + 3, start_column=1, end_row=row + 3, end_column=4)
    reporter = own.reporter if own else ""
    sheet.cell(row=row + 5, column=1, value="单位负责人：　　　　　统计负责人：")
    sheet.cell(row=row + 5, column=3, value=f"填表人：{reporter}　联系电话：")
    sheet.cell(row=row + 6, column=3, value=f"报出日期：{timezone.localtime():%Y年%m月%d日}")
    for col, width in zip("ABCD", (34, 12, 8, 18)):
        sheet.column_dimensions[col].width = width


def _by_division(sheet, event, code, latest, total) -> None:
    rows = [r for c, r in sorted(latest.items()) if divcodes.is_within(c, code)]
    sheet.append(["自然灾害损失情况统计快报表 附表：分区划数据"])
    sheet["A1"].font = Font(bold=True, size=14)
    columns = ["区划代码", "区划名称", "报告阶段", "报告时间", *[FIGURE_LABELS[n] for n in FIGURE_NAMES]]
    sheet.append(columns)
    for cell in sheet[sheet.max_row]:
        cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BOX
    for report in rows:
        sheet.append([report.division_code, name_of(report.division_code), report.get_stage_display(),
                      timezone.localtime(report.report_at).strftime("%Y-%m-%d %H:%M"),
                      *[_cell(getattr(report, n)) for n in FIGURE_NAMES]])
    if total is not None:
        sheet.append([code, f"{name_of(code)}合计", "", "", *[_cell(total[n]) for n in FIGURE_NAMES]])
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    sheet.column_dimensions["A"].width = 15
    sheet.column_dimensions["B"].width = 16


def _casualties(sheet, event, user) -> None:
    sheet.append(["因灾死亡失踪人口一览表"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["序号", "姓名", "性别", "年龄", "身份证号", "户籍地", "状态", "死亡（失踪）时间", "死亡（失踪）地点",
                  "致死（失踪）原因", "所在区划"])
    for cell in sheet[sheet.max_row]:
        cell.font, cell.border = Font(bold=True), BOX
    people = scope.visible(CasualtyRecord.objects.filter(event=event), user).order_by("division_code", "occurred_at")
    for n, p in enumerate(people, start=1):
        sheet.append([n, p.name, p.gender, p.age, p.id_number, p.residence, p.get_status_display(),
                      timezone.localtime(p.occurred_at).strftime("%Y-%m-%d %H:%M"), p.place, p.cause,
                      name_of(p.division_code)])


FORM10_COLUMNS = (("D03001", "户主姓名"), ("D03002", "户主身份证号"), ("D03003", "户主联系方式"), ("D03004", "家庭类型"),
                  ("D03005", "家庭人口（人）"), ("D03006", "家庭住址"), ("D03007", "需救助人口（人）"),
                  ("D03008", "已发放救助款（元）"), ("D03009", "已发放救助物资折款（元）"), ("D03010", "救助资金发放形式"))


def _form10(sheet, event, user) -> None:
    _head(sheet, "应急统表10", "受灾人员冬春生活政府救助人口一览表", len(FORM10_COLUMNS) + 1)
    sheet.cell(row=6, column=1, value=f"灾害过程：{event.title}（本平台登记的冬春生活救助）")
    sheet.append(["序号", *[name for _, name in FORM10_COLUMNS]])
    sheet.append(["", *[code for code, _ in FORM10_COLUMNS]])
    for r in (sheet.max_row - 1, sheet.max_row):
        for cell in sheet[r]:
            cell.font, cell.alignment, cell.border = Font(bold=True), CENTER, BOX
    payments = selectors.payments_of(event, user).filter(category="winter_spring")
    for n, p in enumerate(payments, start=1):
        sheet.append([n, p.head_name, p.head_id_number, "", "", p.household_size, name_of(p.division_code), p.people,
                      _cell(p.amount_yuan), "", ""])


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


def _cell(value):
    return float(value) if hasattr(value, "quantize") else value
