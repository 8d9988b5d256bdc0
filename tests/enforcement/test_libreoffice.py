"""Every kind of enforcement document opens in LibreOffice: generated through the services, then
converted to PDF by Debian's LibreOffice Writer (headless; `./run test` installs
libreoffice-writer-nogui) in one run, and each PDF carries its title, number and party."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pypdf

from yingji.enforcement import cases, inspections
from yingji.enforcement import measures as measure_service
from yingji.enforcement.models import CaseDocument

from .conftest import inspected
from .test_cases import _open, _to_notified

KINDS = {"inspection_record", "rectification_order", "review_opinion", "filing", "notice", "decision", "service",
         "closing", "on_spot",
         "measure_seal", "measure_extension", "measure_released", "preserve_notice", "measure_disposed"}


def test_every_enforcement_document_converts_in_libreoffice_with_its_fields(clock, staff, enterprises, inspectors,
                                                                              tmp_path):
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice 未安装：./run test 会安装 Debian 的 libreoffice-writer-nogui"
    s, admin = staff["supervisor"], staff["admin"]
    inspection = inspected(s, enterprises[0], inspectors)
    inspections.order_rectification(s, inspection.pk, {"deadline": "2026-06-20"})
    inspections.review(s, inspection.pk, False, "2号探头仍未检定")
    case = _open(staff, enterprises, inspectors)
    _to_notified(staff, case)
    cases.step(admin, case.pk, "decide", {"decided_on": "2026-03-18"})
    cases.step(s, case.pk, "serve", {"served_on": "2026-03-19"})
    cases.step(s, case.pk, "execute", {"executed_on": "2026-04-01", "paid_on": "2026-04-01"})
    cases.publish(s, case.pk, "2026-03-20")
    cases.step(admin, case.pk, "close", {"closed_on": "2026-04-02"})
    measure_service.decide_on_spot(s, {
        "enterprise": enterprises[0], "officer_a": inspectors[0], "officer_b": inspectors[1], "penalty": "fine",
        "fine_yuan": "2000", "facts": "未如实记录安全生产教育培训情况", "legal_basis": "《安全生产法》第九十七条"})
    seal = measure_service.impose_measure(s, {"kind": "seal", "inspection": inspection.pk, "reason": "使用淘汰设备",
                                              "items": "反应釜 1 台", "place": "车间", "approved_by": "刘局长",
                                              "started_on": "2026-05-25"})
    measure_service.extend_measure(admin, seal.pk, "需委托鉴定")
    measure_service.end_measure(s, seal.pk, "release", "鉴定合格")
    keep = measure_service.impose_measure(s, {"kind": "preserve", "inspection": inspection.pk, "reason": "账簿可能灭失",
                                              "items": "培训台账 1 本", "place": "办公室", "approved_by": "刘局长"})
    measure_service.end_measure(s, keep.pk, "dispose", "随案移交")
    docs = list(CaseDocument.objects.all())
    assert {d.kind for d in docs} == KINDS
    sources = []
    for doc in docs:
        target = tmp_path / f"{doc.pk}.docx"
        with doc.file.open("rb") as handle:
            target.write_bytes(handle.read())
        sources.append(str(target))
    out = tmp_path / "pdf"
    profile = (tmp_path / "profile").as_uri()  # own profile: parallel test workers never share one
    run = subprocess.run([soffice, f"-env:UserInstallation={profile}", "--headless", "--norestore", "--convert-to",
                          "pdf", "--outdir", str(out), *sources], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    for doc in docs:
        pdf = out / f"{doc.pk}.pdf"
        assert pdf.exists(), f"{doc.title} 未能转换为 PDF：{run.stdout}{run.stderr}"
        text = "".join(page.extract_text() or "" for page in pypdf.PdfReader(pdf).pages)
        compact = text.replace(" ", "").replace("\n", "")
        assert doc.title in compact, (doc.title, compact[:200])
        party = enterprises[0].name if doc.kind != "service" else "受送达人"
        assert party in compact, (doc.title, compact[:300])
    decision = next(d for d in docs if d.kind == "on_spot")
    on_spot_text = "".join(p.extract_text() or "" for p in pypdf.PdfReader(out / f"{decision.pk}.pdf").pages)
    assert "2,000.00" in on_spot_text and "（210922）应急当罚〔2026〕1号" in on_spot_text.replace(" ", "")
    assert Path(out).is_dir()
