"""The generated .docx and PDF open cleanly and carry the customary parts and the art. 12 items."""

from __future__ import annotations

import io

import pytest

from tests.incidents.conftest import ART12
from yingji.incidents.documents import build_docx, build_pdf
from yingji.incidents.services import file_report
from yingji.rules.report_chain import DECREE_493_ART12_ITEMS


@pytest.fixture
def first(officers, incident):
    return file_report(officers["zhangwu"], incident, "first",
                       {**ART12, "issuer": "李局长", "deaths": 3, "direct_loss_yuan": "2500000"})


def test_docx_reads_back_with_title_header_and_art12_body(first):
    from docx import Document

    doc = Document(io.BytesIO(build_docx(first)))
    paragraphs = [p.text for p in doc.paragraphs]
    header = " ".join(cell.text for cell in doc.tables[0].rows[0].cells)
    assert paragraphs[0] == "突发事件信息报告（首报）"
    assert "报送单位：彰武县应急管理局" in header and "签发人：李局长" in header and "时间：" in header
    text = "\n".join(paragraphs)
    for index, (code, label) in enumerate(DECREE_493_ART12_ITEMS):
        assert label in text
        if ART12[code]:
            assert ART12[code] in text
    assert "较大事故" in text and "死亡3人" in text
    assert doc.core_properties.title == "突发事件信息报告（首报）"


def test_pdf_text_has_the_same_content(first):
    pypdf = pytest.importorskip("pypdf")
    data = build_pdf(first)
    assert data.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    assert "突发事件信息报告（首报）" in text
    assert "报送单位：彰武县应急管理局" in text and "签发人：李局长" in text
    assert "事故发生单位概况" in text and "已经采取的措施" in text
    assert "较大事故" in text
