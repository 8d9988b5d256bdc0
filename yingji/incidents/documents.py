"""Official documents for a report: 突发事件信息报告 (.docx, python-docx) and PDF (reportlab,
the Adobe CID font STSong-Light that reportlab carries — nothing is downloaded).

Layout follows the customary 值班信息 format: red-headed title, a line with 报送单位 / 签发人 /
时间, the event name, then the body by the six items of 国务院令第493号 第十二条, the figures
and the grade with its reasons, and a 合成示例 note when the data is synthetic."""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from django.utils import timezone

from yingji.regions.services import full_name
from yingji.rules.report_chain import DECREE_493_ART12_ITEMS

from .models import FIGURE_FIELDS, IncidentReport, figure_label, figure_text

CHINESE_NUMBERS = "一二三四五六七八九十"
DOC_TITLE = "突发事件信息报告"


def document_title(report: IncidentReport) -> str:
    return f"{DOC_TITLE}（{report.get_kind_display()}）"


def _header_fields(report: IncidentReport) -> list[tuple[str, str]]:
    return [
        ("报送单位", report.reporting_unit.name),
        ("签发人", report.issuer),
        ("时间", timezone.localtime(report.report_at).strftime("%Y年%m月%d日 %H时%M分")),
    ]


def _figures_line(report: IncidentReport) -> str:
    parts = []
    for name in FIGURE_FIELDS:
        unit = "" if name == "direct_loss_yuan" else "人"
        parts.append(f"{figure_label(name)}：{figure_text(name, getattr(report, name))}{unit}")
    return "；".join(parts)


def body_sections(report: IncidentReport) -> list[tuple[str, str]]:
    """(heading, text) in the order of 第十二条, then figures and grade."""
    sections = []
    for index, (code, label) in enumerate(DECREE_493_ART12_ITEMS):
        text = getattr(report, code) or "无"
        sections.append((f"{CHINESE_NUMBERS[index]}、{label}", text))
    incident = report.incident
    place = incident.address or full_name(incident.division_code)
    sections.append(("附：事件要素",
                     f"事件类型：{incident.get_type_code_display()}；事发地：{place}；"
                     f"接报时间：{timezone.localtime(incident.received_at):%Y-%m-%d %H:%M}；{_figures_line(report)}"))
    if report.compared_with:
        change = ("；".join(f"{c['label']}：{c['before']} → {c['after']}" for c in report.changes)
                  if report.changes else "伤亡与损失数字无变化")
        sections.append((f"附：与{report.compared_with}相比的变化", change))
    reasons = "；".join(report.grade_reasons) if report.grade_reasons else "—"
    sections.append(("附：等级研判", f"{report.grade_name or '未分级'}。依据：{reasons}"))
    return sections


def _footer(report: IncidentReport) -> str:
    note = f"第{report.sequence}版（{report.get_kind_display()}），所有版本均留存备查。"
    if report.is_synthetic:
        note += "本文件由合成示例数据生成，不代表真实事件。"
    return note


def build_docx(report: IncidentReport) -> bytes:
    # Document libraries are imported on use: they are heavy and only report downloads need them.
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt, RGBColor

    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    doc.core_properties.title = document_title(report)
    doc.core_properties.author = report.reporting_unit.name

    head = doc.add_paragraph()
    head.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = head.add_run(document_title(report))
    run.bold = True
    run.font.size = Pt(22)
    run.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    run.font.name = "方正小标宋简体"
    run.element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")

    meta = doc.add_table(rows=1, cols=3)
    for cell, (label, value) in zip(meta.rows[0].cells, _header_fields(report)):
        cell.text = f"{label}：{value}"
    doc.add_paragraph("─" * 30).alignment = WD_ALIGN_PARAGRAPH.CENTER

    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title_run = title.add_run(report.title)
    title_run.bold = True
    title_run.font.size = Pt(16)

    for heading, text in body_sections(report):
        h = doc.add_paragraph()
        h_run = h.add_run(heading)
        h_run.bold = True
        h_run.font.name = "黑体"
        h_run.element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
        for line in str(text).splitlines() or [""]:
            p = doc.add_paragraph(line)
            p.paragraph_format.first_line_indent = Pt(28)
    doc.add_paragraph(_footer(report)).runs[0].font.size = Pt(10)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def build_pdf(report: IncidentReport) -> bytes:
    # Imported on use, as in build_docx.
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import HRFlowable, Paragraph, SimpleDocTemplate, Spacer
    font = "STSong-Light"
    if font not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(font))
    title_style = ParagraphStyle("t", fontName=font, fontSize=20, leading=28, alignment=TA_CENTER,
                                 textColor=colors.HexColor("#C00000"))
    sub_style = ParagraphStyle("s", fontName=font, fontSize=15, leading=22, alignment=TA_CENTER)
    meta_style = ParagraphStyle("m", fontName=font, fontSize=11, leading=16)
    head_style = ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=6)
    body_style = ParagraphStyle("b", fontName=font, fontSize=12, leading=19, firstLineIndent=24, wordWrap="CJK")
    note_style = ParagraphStyle("n", fontName=font, fontSize=9, leading=13, textColor=colors.grey)

    story = [Paragraph(escape(document_title(report)), title_style), Spacer(1, 4 * mm),
             Paragraph("　　".join(f"{k}：{escape(v)}" for k, v in _header_fields(report)), meta_style),
             HRFlowable(width="100%", color=colors.HexColor("#C00000"), thickness=1.2), Spacer(1, 3 * mm),
             Paragraph(escape(report.title), sub_style), Spacer(1, 3 * mm)]
    for heading, text in body_sections(report):
        story.append(Paragraph(escape(heading), head_style))
        for line in str(text).splitlines() or [""]:
            story.append(Paragraph(escape(line) or "&nbsp;", body_style))
    story += [Spacer(1, 6 * mm), Paragraph(escape(_footer(report)), note_style)]
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                            bottomMargin=20 * mm, title=document_title(report), author=report.reporting_unit.name)
    doc.build(story)
    return out.getvalue()


def filename(report: IncidentReport, ext: str) -> str:
    stamp = timezone.localtime(report.report_at).strftime("%Y%m%d%H%M")
    return f"{DOC_TITLE}-{report.get_kind_display()}-{report.incident_id}-{report.sequence}-{stamp}.{ext}"
