"""简易程序, 查封扣押 / 先行登记保存 and the decision period by the rule in force (15号令 until
2026-01-31, 18号令 from 2026-02-01): amounts, clocks, extension, release, documents and scope."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from docx import Document

from yingji.core.errors import ServiceError
from yingji.enforcement import cases
from yingji.enforcement import measures as service
from yingji.enforcement.models import CaseDocument
from yingji.rules import enforcement_measures as em

from .conftest import inspected


def _text(doc: CaseDocument) -> str:
    with doc.file.open("rb") as handle:
        document = Document(io.BytesIO(handle.read()))
    cells = [c.text for t in document.tables for r in t.rows for c in r.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _on_spot(staff, enterprises, inspectors, **extra):
    return service.decide_on_spot(staff["supervisor"], {
        "enterprise": enterprises[0].pk, "officer_a": inspectors[0].pk, "officer_b": inspectors[1].pk,
        "facts": "特种作业人员未持证上岗", "legal_basis": "《安全生产法》第九十七条", "penalty": "fine",
        "fine_yuan": "3000", "decided_on": "2026-05-29", **extra})


def test_simple_procedure_limits_follow_article_51():
    assert em.simple_procedure_problem("unit", "fine", Decimal("3000")) is None
    assert "不得超过 3,000 元" in em.simple_procedure_problem("unit", "fine", Decimal("3000.01"))
    assert em.simple_procedure_problem("person", "fine", Decimal("200")) is None
    assert "不得超过 200 元" in em.simple_procedure_problem("person", "fine", Decimal("201"))
    assert em.simple_procedure_problem("person", "warning", None) is None
    assert "警告或者罚款" in em.simple_procedure_problem("unit", "suspend", None)
    assert em.cash_on_spot_problem(Decimal("100")) is None
    assert "100 元以下" in em.cash_on_spot_problem(Decimal("150"))
    assert em.cash_on_spot_problem(Decimal("150"), hard_to_collect=True) is None


def test_an_on_the_spot_fine_has_its_document_and_clocks(clock, staff, enterprises, inspectors):
    row = _on_spot(staff, enterprises, inspectors)
    assert row.number == "（210922）应急当罚〔2026〕1号" and row.fine_yuan == Decimal("3000.00")
    clocks = {c.kind: c for c in row.clocks()}
    # Friday 29 May: record within 5 days (3 June); payment within 15 days (13 June).
    assert clocks["record"].due_on == dt.date(2026, 6, 3) and clocks["payment"].due_on == dt.date(2026, 6, 13)
    assert "handover" not in clocks
    doc = CaseDocument.objects.get(on_spot=row)
    text = _text(doc)
    assert "行政（当场）处罚决定书" in text and "人民币3,000.00元" in text and "特种作业人员未持证上岗" in text
    assert "十五日内" in text
    service.on_spot_step(staff["supervisor"], row.pk, "record", "2026-06-01")
    paid = service.on_spot_step(staff["supervisor"], row.pk, "paid", "2026-06-01")
    assert {c.kind: c.state(dt.date(2026, 6, 1)) for c in paid.clocks()} == {"record": "done", "payment": "done"}
    with pytest.raises(ServiceError, match="已登记缴纳罚款日期"):
        service.on_spot_step(staff["supervisor"], row.pk, "paid", "2026-06-01")
    with pytest.raises(ServiceError, match="未当场收缴"):
        service.on_spot_step(staff["supervisor"], row.pk, "handover", "2026-06-01")


def test_cash_on_the_spot_must_be_handed_over_in_two_working_days(clock, staff, enterprises, inspectors):
    with pytest.raises(ServiceError, match="100 元以下"):
        _on_spot(staff, enterprises, inspectors, cash_collected="on")
    row = _on_spot(staff, enterprises, inspectors, fine_yuan="100", cash_collected="on")
    assert row.paid_on == dt.date(2026, 5, 29)
    handover = next(c for c in row.clocks() if c.kind == "handover")
    assert handover.due_on == dt.date(2026, 6, 2) and handover.working_days  # Fri + 2 working days = Tue
    assert handover.state(dt.date(2026, 6, 3)) == "overdue"


def test_a_fine_above_the_limit_needs_the_general_procedure(clock, staff, enterprises, inspectors):
    with pytest.raises(ServiceError, match="应适用一般程序立案"):
        _on_spot(staff, enterprises, inspectors, fine_yuan="5000")
    with pytest.raises(ServiceError, match="执法证"):
        _on_spot(staff, enterprises, inspectors, officer_b=inspectors[2].pk)  # certificate expired in March
    with pytest.raises(ServiceError, match="只读|权限|无权"):
        _on_spot({"supervisor": staff["viewer"]}, enterprises, inspectors)
    with pytest.raises(ServiceError) as out_of_scope:
        _on_spot(staff, (enterprises[1],), inspectors)  # 海州区 is outside the county user's area
    assert out_of_scope.value.status in (403, 404)


def test_sealing_lasts_thirty_days_and_may_be_extended_once(clock, staff, enterprises, inspectors):
    inspection = inspected(staff["supervisor"], enterprises[0], inspectors)
    with pytest.raises(ServiceError, match="请填写清单"):
        service.impose_measure(staff["supervisor"], {"kind": "seal", "inspection": inspection.pk, "reason": "r",
                                                     "place": "2号仓库", "approved_by": "局长"})
    measure = service.impose_measure(staff["supervisor"], {
        "kind": "seal", "inspection": inspection.pk, "reason": "使用国家明令淘汰的压力容器", "place": "2号仓库",
        "items": "立式储罐 1 台 锈蚀\n安全阀 2 只 铅封缺失", "approved_by": "刘局长", "started_on": "2026-05-02"})
    assert measure.enterprise == enterprises[0] and measure.state == "in_force"
    assert measure.clock().due_on == dt.date(2026, 6, 1)
    text = _text(CaseDocument.objects.get(measure=measure))
    assert "查封决定书" in text and "1. 立式储罐 1 台 锈蚀" in text and "不得超过三十日" in text
    with pytest.raises(ServiceError, match="机关负责人"):
        service.extend_measure(staff["supervisor"], measure.pk, "情况复杂")
    extended = service.extend_measure(staff["admin"], measure.pk, "需委托检验机构鉴定", "2026-06-01")
    assert extended.state == "extended" and extended.clock().due_on == dt.date(2026, 7, 1)
    with pytest.raises(ServiceError, match="只能延长一次"):
        service.extend_measure(staff["admin"], measure.pk, "再延长")
    released = service.end_measure(staff["supervisor"], measure.pk, "release", "经检验合格，解除查封")
    assert released.state == "released" and released.clock().state(dt.date(2026, 6, 1)) == "done"
    titles = list(CaseDocument.objects.filter(measure=measure).values_list("title", flat=True))
    assert titles == ["查封决定书", "延长查封期限决定书", "解除查封决定书"]


def test_an_expired_seal_cannot_be_extended_and_preservation_has_seven_working_days(clock, staff, enterprises,
                                                                                       inspectors):
    case = cases.open_case(staff["supervisor"], {"enterprise": enterprises[0], "cause": "案由", "filed_on": "2026-04-01",
                                                 "handler_a": inspectors[0], "handler_b": inspectors[1]})
    seal = service.impose_measure(staff["supervisor"], {
        "kind": "seize", "case": case.pk, "reason": "r", "place": "厂区", "items": "气瓶 3 只", "approved_by": "刘局长",
        "started_on": "2026-04-10"})
    assert seal.clock().overdue(dt.date(2026, 6, 1))  # due 10 May, neither released nor disposed
    with pytest.raises(ServiceError, match="届满后不能延长"):
        service.extend_measure(staff["admin"], seal.pk, "情况复杂")
    keep = service.impose_measure(staff["supervisor"], {
        "kind": "preserve", "case": case.pk, "reason": "账簿可能灭失", "place": "财务室", "items": "特种作业人员台账 1 本",
        "approved_by": "刘局长", "started_on": "2026-05-29"})
    assert keep.clock().due_on == dt.date(2026, 6, 9) and keep.clock().working_days  # Fri + 7 working days
    with pytest.raises(ServiceError, match="不能延长"):
        service.extend_measure(staff["admin"], keep.pk, "x")
    done = service.end_measure(staff["supervisor"], keep.pk, "dispose", "作为证据随案移交")
    assert done.get_state_display() == "已作出处理决定"
    assert CaseDocument.objects.filter(case=case, measure=keep).count() == 2  # listed in the case file too


def test_the_decision_period_follows_the_rule_in_force_on_the_filing_day():
    old = em.decision_clock(dt.date(2026, 1, 10), None)
    assert old.due_on == dt.date(2026, 2, 9) and "第15号" in old.source
    assert em.decision_clock(dt.date(2026, 1, 10), None, "head").due_on == dt.date(2026, 4, 10)
    assert em.decision_clock(dt.date(2026, 1, 10), None, "superior").due_on == dt.date(2026, 7, 9)
    new = em.decision_clock(dt.date(2026, 2, 1), None)
    assert new.due_on == dt.date(2026, 5, 2) and "第18号" in new.source and "第六十条" in new.source
    assert em.extension_problem(dt.date(2026, 1, 10), "", "head", dt.date(2026, 2, 1)) is None
    assert "届满后不能再批准延长" in em.extension_problem(dt.date(2026, 1, 10), "", "head", dt.date(2026, 2, 10))
    assert "不因延长而改变" in em.extension_problem(dt.date(2026, 3, 1), "", "head", dt.date(2026, 3, 2))


def test_a_case_filed_under_decree_15_may_be_extended_by_the_head(staff, enterprises, inspectors, db):
    import time_machine

    with time_machine.travel(dt.datetime(2026, 1, 20, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))), tick=False):
        case = cases.open_case(staff["supervisor"], {"enterprise": enterprises[0], "cause": "案由",
                                                     "filed_on": "2026-01-05", "handler_a": inspectors[0],
                                                     "handler_b": inspectors[1]})
        assert next(c for c in case.clocks() if c.kind == "decision").due_on == dt.date(2026, 2, 4)
        with pytest.raises(ServiceError, match="机关负责人"):
            service.extend_decision(staff["supervisor"], case.pk, "head", "案情复杂")
        done = service.extend_decision(staff["admin"], case.pk, "head", "需鉴定")
        decision = next(c for c in done.clocks() if c.kind == "decision")
        assert decision.due_on == dt.date(2026, 4, 5) and "经本机关负责人批准延长" in decision.label


def test_the_pages_decide_on_the_spot_and_seal_with_chinese_refusals(clock, client, staff, enterprises, inspectors):
    client.force_login(staff["supervisor"])
    page = client.get("/enforcement/on-spot/")
    assert page.status_code == 200 and "当场作出行政处罚决定" in page.content.decode()
    too_much = client.post("/enforcement/on-spot/new/", {
        "enterprise": enterprises[0].pk, "officer_a": inspectors[0].pk, "officer_b": inspectors[1].pk,
        "facts": "未佩戴安全帽", "legal_basis": "《安全生产法》", "penalty": "fine", "fine_yuan": "5000",
        "party_kind": "unit", "decided_on": "2026-06-01"}, follow=True)
    assert "应适用一般程序立案" in too_much.content.decode()
    done = client.post("/enforcement/on-spot/new/", {
        "enterprise": enterprises[0].pk, "officer_a": inspectors[0].pk, "officer_b": inspectors[1].pk,
        "facts": "未佩戴安全帽", "legal_basis": "《安全生产法》", "penalty": "warning", "party_kind": "unit",
        "decided_on": "2026-06-01"}, follow=True)
    body = done.content.decode()
    assert "已作出当场处罚决定" in body and "当场处罚决定报所属机关备案" in body and "行政（当场）处罚决定书" in body
    inspection = inspected(staff["supervisor"], enterprises[0], inspectors)
    sealed = client.post("/enforcement/measures/new/", {
        "kind": "seize", "inspection": inspection.pk, "reason": "无证经营危险化学品", "items": "液化石油气钢瓶 12 只",
        "place": "门市部", "approved_by": "刘局长", "started_on": "2026-06-01"}, follow=True)
    body = sealed.content.decode()
    assert "已作出扣押决定" in body and "2026-07-01" in body and "液化石油气钢瓶 12 只" in body
    assert "批准延长" not in body  # the supervisor may not approve an extension: the form is not offered
    client.force_login(staff["viewer"])
    for url in ("/enforcement/on-spot/", "/enforcement/measures/"):
        page = client.get(url).content.decode()
        assert "作出决定</button>" not in page
