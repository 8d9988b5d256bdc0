"""Generated documents open in python-docx with the right fields; the console pages answer,
offer only what the role may do, and the public page shows published decisions only."""

from __future__ import annotations

import io
import zipfile

from django.test import Client
from docx import Document

from yingji.enforcement import cases as case_service
from yingji.enforcement import inspections as service
from yingji.enforcement.models import CaseDocument

from .conftest import inspected


def _text(doc: CaseDocument) -> str:
    with doc.file.open("rb") as handle:
        content = handle.read()
    assert zipfile.is_zipfile(io.BytesIO(content))  # the OOXML package LibreOffice reads
    document = Document(io.BytesIO(content))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def test_inspection_documents_carry_the_fields(clock, staff, enterprises, inspectors):
    inspection = inspected(staff["supervisor"], enterprises[0], inspectors)
    service.order_rectification(staff["supervisor"], inspection.pk, {"deadline": "2026-06-20"})
    record = _text(CaseDocument.objects.get(inspection=inspection, kind="inspection_record"))
    assert "现场检查记录" in record and enterprises[0].name in record and enterprises[0].uscc in record
    assert "王执法（执法证号 21090001）、李执法（执法证号 21090002）" in record and "2026年5月20日" in record
    assert "张厂长" in record and "检查了储罐区、仓库和特殊作业票证" in record
    order = _text(CaseDocument.objects.get(inspection=inspection, kind="rectification_order"))
    assert "责令限期整改指令书" in order and "（210922）应急责改〔2026〕1号" in order
    assert "1. 储罐区可燃气体报警器未定期检定（GB 50493-2019 第4.1.1条）" in order
    assert "现责令你单位于2026年6月20日前整改完毕" in order and "六十日内" in order


def test_case_documents_carry_the_fields(clock, staff, enterprises, inspectors):
    s, admin = staff["supervisor"], staff["admin"]
    case = case_service.open_case(s, {"enterprise": enterprises[0], "cause": "未按规定检定报警器",
                                      "handler_a": inspectors[0], "handler_b": inspectors[1], "filed_on": "2026-03-02"})
    case_service.step(s, case.pk, "investigate")
    from django.core.files.uploadedfile import SimpleUploadedFile
    case_service.add_evidence(s, case.pk, SimpleUploadedFile("a.txt", b"x"), "record", "询问笔录")
    case_service.step(s, case.pk, "submit_review", {"facts": "2号储罐区报警器超期未检定", "legal_basis": "《安全生产法》第九十九条"})
    case_service.step(s, case.pk, "notify", {"penalty": "fine", "fine_yuan": "40000", "notified_on": "2026-03-10"})
    case_service.record_waiver(s, case.pk)
    case_service.step(admin, case.pk, "decide", {"decided_on": "2026-03-12"})
    notice = _text(CaseDocument.objects.get(case=case, kind="notice"))
    assert "行政处罚告知书" in notice and "罚款 人民币40,000.00元" in notice and "有权要求举行听证" in notice
    decision = _text(CaseDocument.objects.get(case=case, kind="decision"))
    assert "（210922）应急罚〔2026〕1号" in decision and "2号储罐区报警器超期未检定" in decision
    assert "证据 1 项" in decision and "每日按罚款数额的百分之三加处罚款" in decision and "2026年3月12日" in decision


def test_pages_for_the_supervisor_and_the_viewer(clock, staff, enterprises, inspectors):
    inspection = inspected(staff["supervisor"], enterprises[0], inspectors)
    supervisor, viewer = Client(), Client()
    supervisor.force_login(staff["supervisor"])
    viewer.force_login(staff["viewer"])
    for url in ("/enforcement/", "/enforcement/plans/", "/enforcement/cases/", f"/enforcement/inspections/{inspection.pk}/"):
        assert supervisor.get(url).status_code == 200 and viewer.get(url).status_code == 200
    page = supervisor.get(f"/enforcement/inspections/{inspection.pk}/").content.decode()
    assert 'data-testid="form-order"' in page and "储罐区可燃气体报警器未定期检定" in page
    seen = viewer.get(f"/enforcement/inspections/{inspection.pk}/").content.decode()
    assert 'data-testid="form-order"' not in seen and "安排检查" not in viewer.get("/enforcement/").content.decode()
    refused = viewer.post(f"/enforcement/inspections/{inspection.pk}/act/", {"action": "order", "deadline": "2026-06-20"})
    assert refused.status_code == 403 and "无权" in refused.content.decode()
    bad = supervisor.post(f"/enforcement/inspections/{inspection.pk}/act/", {"action": "order", "deadline": "2026-05-01"})
    assert bad.status_code == 400 and "整改期限须晚于检查日期" in bad.content.decode()


def test_the_public_page_shows_published_decisions_without_login(clock, staff, enterprises, inspectors):
    s, admin = staff["supervisor"], staff["admin"]
    case = case_service.open_case(s, {"enterprise": enterprises[0], "cause": "案由", "handler_a": inspectors[0],
                                      "handler_b": inspectors[1], "filed_on": "2026-03-02"})
    case_service.step(s, case.pk, "investigate")
    from django.core.files.uploadedfile import SimpleUploadedFile
    case_service.add_evidence(s, case.pk, SimpleUploadedFile("a.txt", b"x"), "record", "询问笔录")
    case_service.step(s, case.pk, "submit_review", {"facts": "未检定报警器", "legal_basis": "依据"})
    case_service.step(s, case.pk, "notify", {"penalty": "warning", "notified_on": "2026-03-10"})
    case_service.step(admin, case.pk, "decide", {"decided_on": "2026-03-18"})
    anonymous = Client()
    assert "未检定报警器" not in anonymous.get("/enforcement/public/").content.decode()
    case_service.publish(s, case.pk, "2026-03-19")
    page = anonymous.get("/enforcement/public/").content.decode()
    assert "（210922）应急罚〔2026〕1号" in page and "未检定报警器" in page and enterprises[0].uscc in page


def test_the_api_runs_an_inspection_and_a_case_with_its_clocks(clock, staff, enterprises, inspectors, api_client):
    from tests.conftest import post_json

    client = api_client(staff["supervisor"])
    inspection = service.schedule(staff["supervisor"], {"enterprise": enterprises[0], "inspector_a": inspectors[0],
                                                        "inspector_b": inspectors[1], "planned_on": "2026-05-20"})
    url = f"/api/v1/enforcement/inspections/{inspection.pk}/step"
    refused = post_json(client, url, {"action": "record", "fields": {"summary": "检查"}})
    assert refused.status_code == 400 and "签字" in refused.json()["error"]["message"]
    assert post_json(client, url, {"action": "record", "fields": {"summary": "检查", "signed_by": "张厂长",
                                                                  "inspected_on": "2026-05-20"}}).status_code == 200
    post_json(client, url, {"action": "finding", "fields": {"description": "报警器未检定"}})
    ordered = post_json(client, url, {"action": "order", "fields": {"deadline": "2026-06-20"}}).json()
    assert ordered["state"] == "ordered" and len(ordered["hidden_hazard_ids"]) == 1
    stale = post_json(client, url, {"action": "pass_review", "version": 1, "fields": {}})
    assert stale.status_code == 409
    case = case_service.open_case(staff["supervisor"], {"enterprise": enterprises[0], "cause": "案由", "filed_on": "2026-05-21",
                                                        "handler_a": inspectors[0], "handler_b": inspectors[1]})
    body = client.get(f"/api/v1/enforcement/cases/{case.pk}").json()
    assert body["clocks"] == [{"kind": "decision", "label": "作出处罚决定", "due_on": "2026-08-19", "done_on": None,
                               "state": "open", "working_days": False,
                               "source": "应急管理部令第18号（2026年2月1日起施行）；《中华人民共和国行政处罚法》（2021）第六十条："
                                         "自立案之日起九十日内作出行政处罚决定（18号令条文期限待核实，按法律计算）"}]
    wrong = post_json(client, f"/api/v1/enforcement/cases/{case.pk}/step", {"action": "decide"})
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "illegal_transition"
