"""Enforcement documents (执法文书) as .docx in the layout of the standard forms (安全生产执法
文书式样: issuing body and title centred, number on the right, the party's particulars, the body
text, remedies, signatures and date), generated from the record at the step that issues them
and archived with their SHA-256 (``archive``)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.utils import timezone

from yingji.core.records import create_record
from yingji.regions.services import name_of
from yingji.rules import enforcement as rules

REMEDIES = ("如不服本{what}，可以依法在六十日内向{upper}或者同级人民政府申请行政复议，或者在六个月内依法向人民法院"
            "提起行政诉讼，但本{what}不停止执行，法律另有规定的除外。")


@dataclass
class Doc:
    kind: str
    title: str
    number: str
    issuer: str
    rows: list[tuple[str, str]]
    paragraphs: list[str]
    signatures: list[str]
    synthetic: bool = False

    def filename(self) -> str:
        return f"{self.title}-{self.number or timezone.localdate().isoformat()}.docx".replace("/", "-")


def _issuer(division_code: str) -> str:
    return f"{name_of(division_code[:6].ljust(12, '0'))}应急管理局"


def _upper(division_code: str) -> str:
    if division_code[4:6] == "00":
        return "辽宁省应急管理厅"
    return f"{name_of(division_code[:4].ljust(12, '0'))}应急管理局"


def _day(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "____年__月__日"


def _inspectors(a, b) -> str:
    return f"{a.name}（执法证号 {a.certificate_number}）、{b.name}（执法证号 {b.certificate_number}）"


def render(doc: Doc) -> bytes:
    # python-docx is imported on use: only document downloads need it.
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    document = Document()
    normal = document.styles["Normal"]
    normal.font.name = "仿宋"
    normal.font.size = Pt(14)
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋")
    document.core_properties.title = doc.title
    document.core_properties.author = doc.issuer
    for text, size in ((doc.issuer, 18), (doc.title, 22)):
        head = document.add_paragraph()
        head.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = head.add_run(text)
        run.bold = True
        run.font.size = Pt(size)
    if doc.number:
        number = document.add_paragraph(doc.number)
        number.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    table = document.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in doc.rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, str(value or "")
    for text in doc.paragraphs:
        paragraph = document.add_paragraph(text)
        paragraph.paragraph_format.first_line_indent = Pt(28)
    for line in doc.signatures:
        document.add_paragraph(line).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    if doc.synthetic:
        document.add_paragraph("本文书由合成示例数据生成，不代表真实执法活动。").runs[0].font.size = Pt(10)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def archive(user, doc: Doc, *, inspection=None, case=None):
    """Store the generated document with its SHA-256 under the inspection or case (全过程记录)."""
    from .models import CaseDocument

    content = render(doc)
    owner = case or inspection
    return create_record(user, CaseDocument, {
        "case": case, "inspection": inspection, "kind": doc.kind, "title": doc.title,
        "file": ContentFile(content, name=doc.filename()), "sha256": rules.sha256_hex(content),
        "is_synthetic": owner.is_synthetic,
    }, parent=owner, server={"division_code": owner.division_code})


def archive_owned(user, doc: Doc, owner):
    """Archive a document of an on-the-spot penalty or a coercive measure (linked to its case or
    inspection too, so the case file lists it)."""
    from .models import CaseDocument, CoerciveMeasure, OnSpotPenalty

    content = render(doc)
    links = {"case": getattr(owner, "case", None), "inspection": getattr(owner, "inspection", None),
             "on_spot": owner if isinstance(owner, OnSpotPenalty) else None,
             "measure": owner if isinstance(owner, CoerciveMeasure) else None}
    return create_record(user, CaseDocument, {
        **links, "kind": doc.kind, "title": doc.title, "file": ContentFile(content, name=doc.filename()),
        "sha256": rules.sha256_hex(content), "is_synthetic": owner.is_synthetic,
    }, parent=owner, server={"division_code": owner.division_code})


# --- inspection documents -------------------------------------------------------------------

def _party_rows(enterprise) -> list[tuple[str, str]]:
    return [("被检查单位", enterprise.name), ("统一社会信用代码", enterprise.uscc), ("地址", enterprise.address),
            ("法定代表人（负责人）", enterprise.legal_representative), ("联系电话", enterprise.phone)]


def inspection_record(inspection) -> Doc:
    items = [f"{i + 1}. {row.get('content', '')}：{row.get('result', '')}" for i, row in enumerate(inspection.items)]
    return Doc("inspection_record", "现场检查记录", "", _issuer(inspection.division_code), [
        *_party_rows(inspection.enterprise), ("检查场所", inspection.place), ("检查时间", _day(inspection.inspected_on)),
        ("检查人员", _inspectors(inspection.inspector_a, inspection.inspector_b)),
        ("检查来源", inspection.get_source_display()),
    ], [
        "我们是" + _issuer(inspection.division_code) + "行政执法人员，已出示执法证件，现依法对你单位进行现场检查，"
        "请予配合。",
        f"检查情况：{inspection.summary}", *items,
    ], [f"被检查单位负责人（签字）：{inspection.signed_by}",
        f"检查人员（签字）：{inspection.inspector_a.name}　{inspection.inspector_b.name}",
        _day(inspection.inspected_on)], inspection.is_synthetic)


def rectification_order(inspection) -> Doc:
    findings = [f"{i + 1}. {f.description}" + (f"（{f.clause}）" if f.clause else "")
                for i, f in enumerate(inspection.findings.all())]
    return Doc("rectification_order", "责令限期整改指令书", inspection.order_number, _issuer(inspection.division_code), [
        *_party_rows(inspection.enterprise), ("整改期限", _day(inspection.deadline)),
    ], [
        f"{inspection.enterprise.name}：",
        f"经查，你单位存在下列问题：", *findings,
        f"依据《中华人民共和国安全生产法》第六十五条第一款第（三）项的规定，现责令你单位于{_day(inspection.deadline)}前"
        "整改完毕，达到有关法律法规规章和标准规定的要求。由于整改期间无法保证安全的，应当从危险区域内撤出作业人员。",
        "整改完成后，请书面申请复查。",
        REMEDIES.format(what="指令", upper=_upper(inspection.division_code)),
    ], [f"执法人员（签字）：{inspection.inspector_a.name}　{inspection.inspector_b.name}",
        f"被检查单位负责人（签收）：{inspection.signed_by}",
        f"{_issuer(inspection.division_code)}（印章）", _day(inspection.ordered_on)], inspection.is_synthetic)


def review_opinion(inspection, hazards) -> Doc:
    lines = [f"{i + 1}. {h.title}：{h.get_state_display()}" for i, h in enumerate(hazards)]
    result = "复查合格" if inspection.state == "closed" else "复查不合格"
    return Doc("review_opinion", "整改复查意见书", inspection.order_number, _issuer(inspection.division_code), [
        *_party_rows(inspection.enterprise), ("整改指令书", inspection.order_number),
        ("整改期限", _day(inspection.deadline)), ("复查日期", _day(inspection.reviewed_on)),
        ("复查结论", result),
    ], [f"{inspection.enterprise.name}：", f"本机关于{_day(inspection.reviewed_on)}对你单位整改情况进行了复查，"
        f"复查意见：{inspection.review_opinion}", *lines],
        [f"复查人员（签字）：{inspection.inspector_a.name}　{inspection.inspector_b.name}",
         f"{_issuer(inspection.division_code)}（印章）", _day(inspection.reviewed_on)], inspection.is_synthetic)


# --- case documents -------------------------------------------------------------------------

def _case_rows(case) -> list[tuple[str, str]]:
    return [("立案编号", case.number), ("当事人", case.party), ("统一社会信用代码", case.enterprise.uscc),
            ("地址", case.enterprise.address), ("法定代表人（负责人）", case.enterprise.legal_representative),
            ("案由", case.cause)]


def _penalty_text(case) -> str:
    text = case.get_penalty_display() if case.penalty else ""
    if case.fine_yuan is not None:
        text += f" 人民币{case.fine_yuan:,.2f}元"
    return text


def case_document(case, kind: str) -> Doc:
    issuer = _issuer(case.division_code)
    handlers = f"{case.handler_a.name}（{case.handler_a.certificate_number}）、{case.handler_b.name}（{case.handler_b.certificate_number}）"
    if kind == "filing":
        return Doc(kind, "立案审批表", case.number, issuer, [
            *_case_rows(case), ("案件来源", "执法检查" if case.inspection_id else "其他"), ("承办人", handlers),
            ("立案日期", _day(case.filed_on)),
        ], ["经初步审查，当事人涉嫌违反安全生产法律、法规、规章，符合立案条件，建议立案调查。"],
            ["审批人：", _day(case.filed_on)], case.is_synthetic)
    if kind == "notice":
        hearing = ("你单位有权要求举行听证；要求听证的，应当在收到本告知书之日起五个工作日内提出（行政处罚法第六十四条）。"
                   if case.hearing_right else "本案不属于听证范围。")
        return Doc(kind, "行政处罚告知书", case.number, issuer, [*_case_rows(case), ("告知日期", _day(case.notified_on))], [
            f"{case.party}：", f"经查，你单位存在以下违法事实：{case.facts}",
            f"依据{case.legal_basis}，本机关拟对你单位作出如下行政处罚：{_penalty_text(case)}。",
            "根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你单位有权进行陈述和申辩。" + hearing,
            "逾期未提出的，视为放弃上述权利。",
        ], [f"{issuer}（印章）", _day(case.notified_on)], case.is_synthetic)
    if kind == "decision":
        return Doc(kind, "行政处罚决定书", case.decision_number, issuer, [*_case_rows(case), ("决定日期", _day(case.decided_on))], [
            f"{case.party}：", f"违法事实及证据：{case.facts}（证据 {case.evidence.count()} 项，附证据清单）",
            f"以上事实违反了有关安全生产法律、法规、规章的规定，依据{case.legal_basis}，决定给予以下行政处罚：{_penalty_text(case)}。",
            "罚款自收到本决定书之日起十五日内缴至指定银行或者通过电子支付系统缴纳。到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款"
            "（行政处罚法第七十二条）。" if case.penalty == "fine" else "请自收到本决定书之日起执行。",
            "法制审核：" + (f"{case.law_reviewer}于{_day(case.law_reviewed_on)}审核通过。" if case.law_review_result == "passed"
                         else "本案不属于应当法制审核的情形。"),
            REMEDIES.format(what="决定", upper=_upper(case.division_code)),
        ], [f"{issuer}（印章）", _day(case.decided_on)], case.is_synthetic)
    if kind == "service":
        return Doc(kind, "送达回执", case.decision_number, issuer, [
            ("送达文书", f"行政处罚决定书（{case.decision_number}）"), ("受送达人", case.party),
            ("送达日期", _day(case.served_on)), ("送达人", handlers)], ["受送达人（签字）：__________"],
            [_day(case.served_on)], case.is_synthetic)
    if kind == "closing":
        surcharge = f"，加处罚款 {case.surcharge_yuan:,.2f} 元" if case.surcharge_yuan else ""
        return Doc(kind, "结案审批表", case.number, issuer, [
            *_case_rows(case), ("处罚决定", f"{case.decision_number}：{_penalty_text(case)}"),
            ("执行情况", f"{_day(case.executed_on)}执行完毕{surcharge}"), ("公示日期", _day(case.published_on)),
            ("结案日期", _day(case.closed_on))], ["本案处罚决定已执行完毕，建议结案归档。"],
            ["审批人：", _day(case.closed_on)], case.is_synthetic)
    raise ValueError(f"unknown case document {kind!r}")


CASE_DOCUMENTS = {"filing": "立案审批表", "notice": "行政处罚告知书", "decision": "行政处罚决定书",
                  "service": "送达回执", "closing": "结案审批表"}


# --- 简易程序 and 强制措施 documents ----------------------------------------------------------------

def on_spot_decision(row) -> Doc:
    issuer = _issuer(row.division_code)
    penalty = row.get_penalty_display() + (f" 人民币{row.fine_yuan:,.2f}元" if row.fine_yuan is not None else "")
    payment = ("罚款已由执法人员当场收缴，并出具省级财政部门统一制发的专用票据（行政处罚法第六十九条）。" if row.cash_collected
               else "罚款自收到本决定书之日起十五日内缴至指定银行或者通过电子支付系统缴纳；到期不缴纳的，每日按罚款数额的"
                    "百分之三加处罚款（行政处罚法第六十七条、第七十二条）。" if row.penalty == "fine" else "")
    return Doc("on_spot", "行政（当场）处罚决定书", row.number, issuer, [
        ("当事人", row.party), ("当事人类别", row.get_party_kind_display()), ("统一社会信用代码", row.enterprise.uscc),
        ("地址", row.enterprise.address), ("执法人员", _inspectors(row.officer_a, row.officer_b)),
        ("决定日期", _day(row.decided_on)),
    ], [
        f"{row.party}：", f"违法事实：{row.facts}",
        f"依据{row.legal_basis}和《中华人民共和国行政处罚法》第五十一条的规定，当场作出如下行政处罚：{penalty}。",
        *([payment] if payment else []),
        "执法人员已向当事人出示执法证件，告知违法事实、处罚理由和依据，并听取了当事人的陈述和申辩。",
        REMEDIES.format(what="决定", upper=_upper(row.division_code)),
    ], ["当事人（签字）：__________", f"执法人员（签字）：{row.officer_a.name}　{row.officer_b.name}",
        f"{issuer}（印章）", _day(row.decided_on)], row.is_synthetic)


def _measure_rows(measure) -> list[tuple[str, str]]:
    source = measure.case.number if measure.case_id else f"执法检查（{measure.inspection}）"
    return [("当事人", measure.enterprise.name), ("统一社会信用代码", measure.enterprise.uscc),
            ("地址", measure.enterprise.address), ("来源", source), ("所在地", measure.place),
            ("实施日期", _day(measure.started_on)), ("批准的机关负责人", measure.approved_by)]


def measure_decision(measure) -> Doc:
    issuer = _issuer(measure.division_code)
    items = [f"{i + 1}. {line}" for i, line in enumerate(measure.item_lines())]
    if measure.kind == "preserve":
        return Doc("preserve_notice", "先行登记保存证据通知书", measure.number, issuer, _measure_rows(measure), [
            f"{measure.enterprise.name}：", f"因{measure.reason}，证据可能灭失或者以后难以取得，经本机关负责人批准，"
            "依据《中华人民共和国行政处罚法》第五十六条的规定，对下列物品予以先行登记保存，本机关将在七日内作出处理决定。"
            "在此期间，当事人或者有关人员不得销毁或者转移证据。", "先行登记保存物品清单：", *items,
        ], [f"{issuer}（印章）", _day(measure.started_on)], measure.is_synthetic)
    what = measure.get_kind_display()
    return Doc(f"measure_{measure.kind}", f"{what}决定书", measure.number, issuer, _measure_rows(measure), [
        f"{measure.enterprise.name}：", f"经查：{measure.reason}",
        f"依据《中华人民共和国安全生产法》第六十五条第一款第（四）项和《中华人民共和国行政强制法》第二十四条的规定，"
        f"本机关决定对下列场所、设施或者财物予以{what}，期限为三十日（{_day(measure.started_on)}起）。"
        "情况复杂的，经本机关负责人批准可以延长，延长期限不得超过三十日（行政强制法第二十五条）。",
        f"{what}清单：", *items,
        REMEDIES.format(what="决定", upper=_upper(measure.division_code)),
    ], ["当事人（签字）：__________", f"{issuer}（印章）", _day(measure.started_on)], measure.is_synthetic)


def measure_extension(measure) -> Doc:
    issuer = _issuer(measure.division_code)
    return Doc("measure_extension", f"延长{measure.get_kind_display()}期限决定书", measure.number, issuer,
               [*_measure_rows(measure), ("延长日期", _day(measure.extended_on))], [
                   f"{measure.enterprise.name}：", f"因{measure.extension_reason}，经本机关负责人批准，依据《中华人民共和国"
                   f"行政强制法》第二十五条的规定，决定将{measure.get_kind_display()}期限延长三十日。"],
               [f"{issuer}（印章）", _day(measure.extended_on)], measure.is_synthetic)


def measure_end(measure) -> Doc:
    issuer = _issuer(measure.division_code)
    if measure.state == "released":
        title = f"解除{measure.get_kind_display()}决定书"
        body = f"本机关决定解除对下列物品的{measure.get_kind_display()}：{measure.outcome}"
    else:
        title = "先行登记保存证据处理决定书" if measure.kind == "preserve" else f"{measure.get_kind_display()}物品处理决定书"
        body = f"本机关对下列物品作出处理决定：{measure.outcome}"
    items = [f"{i + 1}. {line}" for i, line in enumerate(measure.item_lines())]
    return Doc(f"measure_{measure.state}", title, measure.number, issuer,
               [*_measure_rows(measure), ("决定日期", _day(measure.ended_on))],
               [f"{measure.enterprise.name}：", body, *items], [f"{issuer}（印章）", _day(measure.ended_on)],
               measure.is_synthetic)
