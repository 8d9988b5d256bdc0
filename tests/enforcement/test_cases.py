"""Enforcement cases: every step in order with its date checks and documents, the statement
period, the hearing, the law-review gate for major decisions, evidence hashes, the procedure
clocks, the late-payment surcharge, publication before closing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from yingji.core.errors import ServiceError
from yingji.enforcement import cases as service
from yingji.enforcement.models import Case, CaseDocument, Evidence

from .conftest import inspected


def _open(staff, enterprises, inspectors, **extra):
    return service.open_case(staff["supervisor"], {
        "enterprise": enterprises[0], "cause": "未按规定对可燃气体报警器定期检定", "handler_a": inspectors[0],
        "handler_b": inspectors[1], "filed_on": "2026-03-02", **extra})


def _evidence(staff, case, content=b"inquiry record", kind="record"):
    return service.add_evidence(staff["supervisor"], case.pk, SimpleUploadedFile("询问笔录.pdf", content), kind,
                                "对安全负责人的询问笔录", "2026-03-03")


def _to_notified(staff, case, *, fine="20000", day="2026-03-10"):
    s = staff["supervisor"]
    service.step(s, case.pk, "investigate")
    _evidence(staff, case)
    service.step(s, case.pk, "submit_review", {"facts": "2号储罐区可燃气体报警器超期未检定", "legal_basis": "《安全生产法》第九十九条第（三）项"})
    return service.step(s, case.pk, "notify", {"penalty": "fine", "fine_yuan": fine, "notified_on": day})


def test_a_case_goes_through_every_step_with_its_documents(clock, staff, enterprises, inspectors):
    s, admin = staff["supervisor"], staff["admin"]
    case = _open(staff, enterprises, inspectors)
    assert case.state == "filed" and case.number == "（210922）应急立〔2026〕1号"
    notified = _to_notified(staff, case)
    assert notified.state == "notified" and not notified.hearing_right  # 2 万元 < 3 万元 for a unit
    # The party has 5 working days (10 March + 5 = 17 March): no decision before they end.
    with pytest.raises(ServiceError, match="期限至 2026-03-17 届满"):
        service.step(admin, case.pk, "decide", {"decided_on": "2026-03-16"})
    decided = service.step(admin, case.pk, "decide", {"decided_on": "2026-03-18"})
    assert decided.state == "decided" and decided.decision_number == "（210922）应急罚〔2026〕1号"
    with pytest.raises(ServiceError, match="送达日期不能早于决定日期"):
        service.step(s, case.pk, "serve", {"served_on": "2026-03-17"})
    service.step(s, case.pk, "serve", {"served_on": "2026-03-19"})
    service.step(s, case.pk, "execute", {"executed_on": "2026-04-01", "paid_on": "2026-04-01"})
    with pytest.raises(ServiceError, match="尚未公示，不能结案"):
        service.step(admin, case.pk, "close", {"closed_on": "2026-04-02"})
    service.publish(s, case.pk, "2026-03-20")
    closed = service.step(admin, case.pk, "close", {"closed_on": "2026-04-02"})
    assert closed.state == "closed" and closed.surcharge_yuan == Decimal("0.00")
    kinds = list(CaseDocument.objects.filter(case=case).values_list("kind", flat=True))
    assert kinds == ["filing", "notice", "decision", "service", "closing"]
    clocks = {c.kind: c for c in closed.clocks()}
    assert clocks["decision"].due_on == dt.date(2026, 5, 31) and clocks["decision"].state(dt.date(2026, 6, 1)) == "done"
    assert clocks["service"].due_on == dt.date(2026, 3, 27) and clocks["publication"].due_on == dt.date(2026, 3, 27)
    assert clocks["payment"].due_on == dt.date(2026, 4, 3) and clocks["payment"].state(dt.date(2026, 6, 1)) == "done"


def test_steps_out_of_order_and_by_the_wrong_role_are_refused(clock, staff, enterprises, inspectors):
    case = _open(staff, enterprises, inspectors)
    with pytest.raises(ServiceError, match="当前状态为“已立案”，不能执行“作出行政处罚决定”"):
        service.step(staff["admin"], case.pk, "decide")
    service.step(staff["supervisor"], case.pk, "investigate")
    with pytest.raises(ServiceError, match="至少登记一项证据"):
        service.step(staff["supervisor"], case.pk, "submit_review", {"facts": "事实"})
    _evidence(staff, case)
    service.step(staff["supervisor"], case.pk, "submit_review", {"facts": "事实", "legal_basis": "依据"})
    service.step(staff["supervisor"], case.pk, "notify", {"penalty": "warning", "notified_on": "2026-03-10"})
    with pytest.raises(ServiceError, match="您的角色无权执行“作出行政处罚决定”"):
        service.step(staff["supervisor"], case.pk, "decide", {"decided_on": "2026-03-20"})
    assert Case.objects.get(pk=case.pk).state == "notified"


def test_a_major_decision_needs_a_passed_law_review(clock, staff, enterprises, inspectors):
    admin = staff["admin"]
    case = _open(staff, enterprises, inspectors, major_public_interest=True)
    _to_notified(staff, case)
    with pytest.raises(ServiceError, match="未经法制审核或审核未通过，不得作出决定"):
        service.step(admin, case.pk, "decide", {"decided_on": "2026-03-18"})
    with pytest.raises(ServiceError, match="只有法制审核人员可以进行法制审核"):
        service.law_review(staff["supervisor"], case.pk, True, "同意")
    service.law_review(admin, case.pk, False, "证据不足以认定超期时间")
    with pytest.raises(ServiceError, match="未经法制审核或审核未通过"):
        service.step(admin, case.pk, "decide", {"decided_on": "2026-03-18"})
    reviewed = service.law_review(admin, case.pk, True, "事实清楚，证据确凿，适用依据正确", "2026-03-17")
    assert (reviewed.law_review_result, reviewed.law_reviewer, reviewed.law_reviewed_on) == (
        "passed", "city_admin", dt.date(2026, 3, 17))
    assert service.step(admin, case.pk, "decide", {"decided_on": "2026-03-18"}).state == "decided"


def test_a_hearing_makes_law_review_compulsory_and_must_be_asked_in_time(clock, staff, enterprises, inspectors):
    s, admin = staff["supervisor"], staff["admin"]
    late = _open(staff, enterprises, inspectors)
    _to_notified(staff, late, fine="50000")
    with pytest.raises(ServiceError, match="听证申请已超过期限（2026-03-17 届满"):
        service.step(s, late.pk, "request_hearing", {"requested_on": "2026-03-18"})
    small = _open(staff, enterprises, inspectors)
    _to_notified(staff, small, fine="5000")
    with pytest.raises(ServiceError, match="不属于听证范围"):
        service.step(s, small.pk, "request_hearing", {"requested_on": "2026-03-11"})
    case = _open(staff, enterprises, inspectors)
    assert not case.needs_law_review
    _to_notified(staff, case, fine="50000")
    with pytest.raises(ServiceError, match="七日前通知当事人"):
        service.step(s, case.pk, "request_hearing", {"requested_on": "2026-03-12", "hearing_on": "2026-03-16"})
    service.step(s, case.pk, "request_hearing", {"requested_on": "2026-03-12", "hearing_on": "2026-03-20"})
    with pytest.raises(ServiceError, match="听证尚未举行"):
        service.step(admin, case.pk, "decide", {"decided_on": "2026-03-19"})
    held = service.record_hearing(s, case.pk, "2026-03-20")
    assert held.needs_law_review
    with pytest.raises(ServiceError, match="未经法制审核"):
        service.step(admin, case.pk, "decide", {"decided_on": "2026-03-23"})
    service.law_review(admin, case.pk, True, "同意", "2026-03-23")
    assert service.step(admin, case.pk, "decide", {"decided_on": "2026-03-24"}).state == "decided"


def test_a_waiver_allows_the_decision_before_the_period_ends(clock, staff, enterprises, inspectors):
    case = _open(staff, enterprises, inspectors)
    _to_notified(staff, case)
    service.record_waiver(staff["supervisor"], case.pk)
    assert service.step(staff["admin"], case.pk, "decide", {"decided_on": "2026-03-11"}).state == "decided"


def test_late_payment_adds_three_percent_a_day_capped_at_the_fine(clock, staff, enterprises, inspectors):
    s, admin = staff["supervisor"], staff["admin"]
    case = _open(staff, enterprises, inspectors)
    _to_notified(staff, case, fine="20000")
    service.step(admin, case.pk, "decide", {"decided_on": "2026-03-18"})
    service.step(s, case.pk, "serve", {"served_on": "2026-03-19"})  # payment due 3 April
    executed = service.step(s, case.pk, "execute", {"executed_on": "2026-04-08", "paid_on": "2026-04-08"})
    assert executed.surcharge_yuan == Decimal("3000.00")  # 5 days × 3% × 20 000
    payment = next(c for c in executed.clocks() if c.kind == "payment")
    assert payment.state(dt.date(2026, 6, 1)) == "late"


def test_an_open_case_shows_its_overdue_decision_clock(clock, staff, enterprises, inspectors):
    case = _open(staff, enterprises, inspectors, filed_on="2026-02-20")
    decision = next(c for c in case.clocks() if c.kind == "decision")
    assert decision.due_on == dt.date(2026, 5, 21) and decision.overdue(dt.date(2026, 6, 1))


def test_evidence_is_kept_with_its_hash_and_a_changed_file_shows(clock, staff, enterprises, inspectors):
    import hashlib

    case = _open(staff, enterprises, inspectors)
    evidence = _evidence(staff, case, b"original statement")
    assert evidence.sha256 == hashlib.sha256(b"original statement").hexdigest()
    assert service.evidence_intact(evidence)
    with open(evidence.file.path, "wb") as handle:
        handle.write(b"tampered statement")
    assert not service.evidence_intact(Evidence.objects.get(pk=evidence.pk))


def test_a_case_needs_two_certified_handlers(clock, staff, enterprises, inspectors):
    with pytest.raises(ServiceError, match="赵执法的执法证"):
        _open(staff, enterprises, inspectors, handler_b=inspectors[2], filed_on="2026-04-02")
    assert _open(staff, enterprises, inspectors, handler_b=inspectors[2]).handler_b == inspectors[2]  # valid in March
    assert Case.objects.count() == 1


def test_a_case_opened_from_an_inspection_keeps_the_link(clock, staff, enterprises, inspectors):
    inspection = inspected(staff["supervisor"], enterprises[0], inspectors)
    case = _open(staff, enterprises, inspectors, inspection=inspection)
    assert case.inspection == inspection
    with pytest.raises(ServiceError, match="不在您的管辖范围内"):
        _open(staff, enterprises, inspectors, inspection=inspection, enterprise=enterprises[1])
    with pytest.raises(ServiceError, match="来源检查与当事人企业不一致"):
        service.open_case(staff["admin"], {"enterprise": enterprises[1], "inspection": inspection, "cause": "案由",
                                           "handler_a": inspectors[0], "handler_b": inspectors[1]})
