"""Demo step (90): a synthetic year of supervision of the profile's chemical and non-coal-mining
enterprises — inspectors, grades, the city's annual plan with its recorded 双随机 draws, the
inspections done so far (records, findings fed into the hidden-hazard loop, orders, reviews),
and cases through to closure. Everything goes through the real services; every row is
``is_synthetic`` and the names carry 示例."""

from __future__ import annotations

import datetime as dt
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from yingji.accounts.models import User
from yingji.demo import profile
from yingji.demo.steps import SEED, demo_step
from yingji.hazards import loop
from yingji.regions.models import Enterprise

from . import cases, inspections, measures, plans
from .models import Inspection, InspectionPlan, Inspector

INSPECTOR_NAMES = ["甲", "乙", "丙", "丁", "戊", "己", "庚", "辛"]
FINDINGS = [
    ("可燃气体检测报警器超过检定周期未检定", "GB 50493-2019 第4.1.1条"),
    ("动火作业票未写明动火分析时间和结果", "GB 30871-2022 第5.2条"),
    ("重大危险源安全包保责任人未公示", "《危险化学品重大危险源监督管理暂行规定》第十九条"),
    ("储罐区防火堤排水阀常开", "GB 50351-2014 第3.2.13条"),
    ("应急预案未按规定每半年演练一次", "《生产安全事故应急预案管理办法》第三十三条"),
    ("尾矿库排洪设施未定期检查并记录", "《尾矿库安全监督管理规定》第十九条"),
    ("安全生产教育培训档案缺少新员工三级培训记录", "《安全生产法》第二十八条"),
]


def _inspectors() -> list[Inspector]:
    p = profile.current()
    rows = [Inspector(name=f"执法人员{n}（示例）", organisation=f"{p.demo['enforcement_unit']}（示例）",
                      certificate_number=f"{p.scope_prefix}{i + 1:04d}", valid_until=dt.date(timezone.localdate().year + 2, 12, 31),
                      division_code=p.root12, phone=f"{p.phone_area}-28{i + 1:05d}", is_synthetic=True)
            for i, n in enumerate(INSPECTOR_NAMES)]
    Inspector.objects.bulk_create(rows)
    return list(Inspector.objects.filter(is_synthetic=True).order_by("pk"))


def _record(user, inspection: Inspection, rng: random.Random, day: dt.date, findings: int) -> Inspection:
    inspections.record_on_site(user, inspection.pk, {
        "inspected_on": day, "summary": "检查了安全管理制度、重大危险源监测、特殊作业票证和现场设备设施（示例）",
        "signed_by": inspection.enterprise.legal_representative or "企业负责人"})
    for description, clause in rng.sample(FINDINGS, findings):
        inspections.add_finding(user, inspection.pk, {"description": f"{description}（示例）", "clause": clause})
    return inspection


def _full_loop(supervisor, company, inspection: Inspection, today: dt.date) -> None:
    """The own enterprise of the demo enterprise user rectifies; the inspectors review and close."""
    for hazard in inspections.linked_hazards(inspection):
        loop.transition(company, hazard.pk, "start_rectification", {
            "measures": "已按整改指令完成整改（示例）", "responsible_person": "安全员（示例）", "deadline": today})
        loop.transition(company, hazard.pk, "request_review", {"note": "整改完成，申请复查（示例）"})
    inspections.review(supervisor, inspection.pk, True, "经复查，整改到位（示例）", today)


def _case(supervisor, admin, inspection, inspectors, *, filed: dt.date, fine: str, hearing: bool, close: bool):
    case = cases.open_case(supervisor, {
        "enterprise": inspection.enterprise, "inspection": inspection, "handler_a": inspectors[0],
        "handler_b": inspectors[1], "filed_on": filed, "is_synthetic": True,
        "cause": f"{inspection.enterprise.name}涉嫌未按规定消除事故隐患（示例）"})
    cases.step(supervisor, case.pk, "investigate")
    cases.add_evidence(supervisor, case.pk, SimpleUploadedFile("询问笔录（示例）.txt", "询问笔录（合成示例）".encode()),
                       "record", "对企业安全负责人的询问笔录（示例）", filed + dt.timedelta(days=2))
    cases.add_evidence(supervisor, case.pk, SimpleUploadedFile("现场照片（示例）.txt", "现场照片说明（合成示例）".encode()),
                       "photo", "现场照片（示例）", filed + dt.timedelta(days=2))
    cases.step(supervisor, case.pk, "submit_review", {
        "facts": "经查，该单位未按规定对可燃气体检测报警器定期检定，逾期未整改（示例）",
        "legal_basis": "《中华人民共和国安全生产法》第九十九条第（三）项"})
    notified = filed + dt.timedelta(days=10)
    cases.step(supervisor, case.pk, "notify", {"penalty": "fine", "fine_yuan": fine, "notified_on": notified})
    if not close:
        return case
    decided = notified + dt.timedelta(days=12)
    if hearing:
        cases.step(supervisor, case.pk, "request_hearing", {"requested_on": notified + dt.timedelta(days=2),
                                                            "hearing_on": notified + dt.timedelta(days=10)})
        cases.record_hearing(supervisor, case.pk, notified + dt.timedelta(days=10), "当事人到场陈述申辩（示例）")
        cases.law_review(admin, case.pk, True, "事实清楚，证据确凿，程序合法，适用依据正确（示例）",
                         notified + dt.timedelta(days=11))
    cases.step(admin, case.pk, "decide", {"decided_on": decided})
    cases.step(supervisor, case.pk, "serve", {"served_on": decided + dt.timedelta(days=1)})
    cases.publish(supervisor, case.pk, decided + dt.timedelta(days=3))
    cases.step(supervisor, case.pk, "execute", {"executed_on": decided + dt.timedelta(days=10),
                                                "paid_on": decided + dt.timedelta(days=10)})
    cases.step(admin, case.pk, "close", {"closed_on": decided + dt.timedelta(days=12)})
    return case


@demo_step(90, "监管执法：年度计划、执法检查与案件（合成）")
def load_enforcement() -> int:
    if InspectionPlan.objects.filter(is_synthetic=True).exists():
        return 0
    p = profile.current()
    CITY = p.root12  # noqa: N806
    names = {p.username(slot): slot for slot in ("supervisor", "city", "enterprise")}
    users = {names[u.username]: u for u in User.objects.filter(username__in=list(names))}
    if len(users) < 3:
        return 0
    supervisor, admin, company = users["supervisor"], users["city"], users["enterprise"]
    rng = random.Random(SEED + 90)
    today = timezone.localdate()
    staff = _inspectors()
    plans.grade_enterprises(admin, today.year, CITY, industries=("hazchem", "non_coal_mine"))
    plan = plans.create_plan(admin, {"year": today.year, "name": f"{p.name}{today.year}年度安全生产监督检查计划（示例）",
                                     "division_code": CITY, "inspectors_count": len(staff), "is_synthetic": True})
    plan = plans.approve_plan(admin, plan, f"{p.demo['abbr']}安委〔{today.year}〕1号（示例）", dt.date(today.year, 1, 10))
    created = plans.generate_inspections(admin, plan, f"{SEED}{today.year}")
    count = len(created)
    own = company.enterprise
    recent = today - dt.timedelta(days=45)
    done_cases = 0
    for inspection in created:
        day = inspection.planned_on
        if day >= today - dt.timedelta(days=2) or day < dt.date(today.year, 1, 2):
            continue
        findings = rng.choice([0, 0, 0, 1, 2]) if day >= recent else rng.choice([0, 0, 0, 0, 1])
        _record(supervisor, inspection, rng, day, findings)
        if not findings:
            inspections.finish_without_findings(supervisor, inspection.pk)
            continue
        inspections.order_rectification(supervisor, inspection.pk, {"deadline": day + dt.timedelta(days=30)})
        if day < recent and done_cases < 2 and day + dt.timedelta(days=40) < today:
            _case(supervisor, admin, inspection, staff, filed=day + dt.timedelta(days=3),
                  fine="50000" if done_cases == 0 else "20000", hearing=done_cases == 0, close=True)
            done_cases += 1
    # Complaint inspections of the demo enterprise user's own enterprise: one through the whole
    # loop (rectified and reviewed), one waiting for the enterprise, and a case still open.
    pair = {"inspector_a": staff[0], "inspector_b": staff[1], "source": "complaint", "is_synthetic": True}
    first = inspections.schedule(supervisor, {**pair, "enterprise": own, "planned_on": today - dt.timedelta(days=20)})
    _record(supervisor, first, rng, first.planned_on, 2)
    inspections.order_rectification(supervisor, first.pk, {"deadline": today + dt.timedelta(days=10)})
    _full_loop(supervisor, company, first, today)
    second = inspections.schedule(supervisor, {**pair, "enterprise": own, "planned_on": today - dt.timedelta(days=5)})
    _record(supervisor, second, rng, second.planned_on, 1)
    inspections.order_rectification(supervisor, second.pk, {"deadline": today + dt.timedelta(days=25)})
    _case(supervisor, admin, first, staff, filed=first.planned_on, fine="8000", hearing=False, close=False)
    # 简易程序 and 查封: a warning on the spot at the second inspection, and a seal on equipment of
    # the first, still in force.
    measures.decide_on_spot(supervisor, {
        "enterprise": own, "inspection": second, "officer_a": staff[0], "officer_b": staff[1], "penalty": "warning",
        "facts": "当班作业人员未按规定佩戴个体防护用品（示例）", "legal_basis": "《中华人民共和国安全生产法》第九十九条",
        "decided_on": second.planned_on, "is_synthetic": True})
    measures.impose_measure(supervisor, {
        "kind": "seal", "inspection": first, "reason": "使用未经检验的压力容器（示例）", "place": "2号仓库",
        "items": "立式储罐 1 台（未检验）\n配套安全阀 2 只", "approved_by": "市应急管理局局长（示例）",
        "started_on": first.planned_on, "is_synthetic": True})
    return count + 4
