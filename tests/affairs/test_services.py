"""督查督办 and the assessment through the services and pages: feedback by the assignee only,
reminders once, escalation of overdue tasks to the city, scoring of the seven counties with
platform figures, the ranking on the page."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine
from django.test import Client

from yingji.affairs import services
from yingji.affairs.models import SupervisionTask
from yingji.core.errors import ServiceError
from yingji.live.models import LiveEvent
from yingji.hazards.models import HiddenHazard

BJ = dt.timezone(dt.timedelta(hours=8))
COUNTIES = ["210902000000", "210903000000", "210904000000", "210905000000", "210911000000", "210921000000",
            "210922000000"]


def at(day: str):
    return time_machine.travel(dt.datetime.fromisoformat(day).replace(hour=9, tzinfo=BJ), tick=False)


@pytest.fixture
def people(make_user):
    return {"city": make_user("city_a", "city_admin", "210900000000"),
            "zhangwu": make_user("zw_a", "county_admin", "210922000000"),
            "haizhou": make_user("hz_a", "county_admin", "210902000000"),
            "supervisor": make_user("sup", "supervisor", "210900000000")}


def _task(people, deadline="2026-06-10"):
    return services.assign_task(people["city"], {
        "title": "完成尾矿库汛前安全检查", "source": "meeting", "content": "对全县尾矿库逐一检查并报送结果",
        "assignee": "彰武县人民政府", "deadline": deadline, "division_code": "210922000000"})


def test_a_task_from_assignment_to_closing(people):
    with at("2026-06-01"):
        task = _task(people)
        with pytest.raises(ServiceError, match="不在您的管辖范围内"):
            services.task_step(people["haizhou"], task.pk, "feedback", {"progress": "进展"})
        with pytest.raises(ServiceError, match="请填写办理进展"):
            services.task_step(people["zhangwu"], task.pk, "feedback", {"progress": " "})
        services.task_step(people["zhangwu"], task.pk, "feedback", {"progress": "已检查6座，剩余2座"})
        submitted = services.task_step(people["zhangwu"], task.pk, "submit", {"progress": "8座全部检查完毕"})
        assert submitted.state == "submitted" and submitted.done_on == dt.date(2026, 6, 1)
        with pytest.raises(ServiceError, match="您的角色无权执行“验收办结”"):
            services.task_step(people["zhangwu"], task.pk, "accept")
        done = services.task_step(people["city"], task.pk, "accept")
    assert done.state == "done" and [f.text for f in done.feedback.all()] == ["已检查6座，剩余2座", "8座全部检查完毕"]
    with pytest.raises(ServiceError, match="办结时限不能早于今天"), at("2026-06-20"):
        _task(people, "2026-06-19")
    with pytest.raises(ServiceError, match="您的角色无权|无权"), at("2026-06-01"):
        services.assign_task(people["supervisor"], {"title": "x", "content": "y", "assignee": "z",
                                                    "deadline": "2026-07-01", "division_code": "210922000000"})


def test_reminder_once_then_escalation_of_an_overdue_task(people, django_capture_on_commit_callbacks):
    with at("2026-06-01"):
        task = _task(people)
    assert services.sweep_tasks(dt.date(2026, 6, 6)) == {"reminded": [], "escalated": []}
    swept = services.sweep_tasks(dt.date(2026, 6, 7))
    assert [t.pk for t in swept["reminded"]] == [task.pk]
    assert services.sweep_tasks(dt.date(2026, 6, 8))["reminded"] == []     # once
    with django_capture_on_commit_callbacks(execute=True):
        (first,) = services.sweep_tasks(dt.date(2026, 6, 11))["escalated"]
    assert first.escalation_level == 1 and first.escalation_label == "逾期催办"
    assert services.sweep_tasks(dt.date(2026, 6, 12))["escalated"] == []   # idempotent
    with django_capture_on_commit_callbacks(execute=True):
        (second,) = services.sweep_tasks(dt.date(2026, 6, 18))["escalated"]
    assert second.escalation_level == 2
    events = list(LiveEvent.objects.filter(kind="task_escalated").order_by("pk").values_list("division_code", "data"))
    assert [code for code, _ in events] == ["210922000000", "210900000000"]
    assert "逾期 8 天" in events[1][1]["message"]
    board = services.board(SupervisionTask.objects.all(), dt.date(2026, 6, 18))
    assert board == [{"code": "210922000000", "name": "彰武县", "open": 1, "overdue": 1, "escalated": 1, "done": 0}]


def test_the_assessment_of_the_seven_counties(people, enterprises):
    with at("2026-12-10"):
        assessment = services.create_assessment(people["city"], {"year": 2026, "name": "2026年度考核", "units": COUNTIES}, [
            {"name": "安全生产责任制落实", "points": D(30)},
            {"name": "隐患排查治理", "points": D(25), "metric": "hazard_closure"},
            {"name": "事故控制", "points": D(25), "metric": "accident_deaths"},
        ])
        hand, closure, accidents = assessment.items.order_by("pk")
        # 彰武县 has four hidden hazards due this year, three closed: 25 × 0.75 = 18.75.
        for i, state in enumerate(["closed", "closed", "closed", "rectifying"]):
            HiddenHazard.objects.create(enterprise=enterprises[0], title=f"隐患{i}", description="d", state=state,
                                        deadline=dt.date(2026, 5, 1 + i), division_code="210922000000")
        assert services.fill_metrics(people["city"], assessment) == 14
        services.submit_evidence(people["zhangwu"], hand, "210922000000", "责任清单已印发（彰政办〔2026〕5号）")
        with pytest.raises(ServiceError, match="只能为本单位报送考核材料"):
            services.submit_evidence(people["zhangwu"], hand, "210902000000", "材料")
        with pytest.raises(ServiceError, match="只有考核组可以评分"):
            services.score(people["zhangwu"], hand, "210922000000", "0")
        with pytest.raises(ServiceError, match="按平台数据计分，不能手工评分"):
            services.score(people["city"], closure, "210922000000", "1")
        for unit in COUNTIES:
            services.score(people["city"], hand, unit, "6" if unit == "210902000000" else "2")
        services.adjust(people["city"], assessment, "210903000000", "1", False, "获省级表彰")
        services.adjust(people["city"], assessment, "210904000000", "0", True, "发生重大责任事故")
        results = {r.unit: r for r in services.results(assessment)}
    # 彰武县: (28 + 18.75 + 25) / 80 × 100 = 89.6875 → 89.69, 良好; others without hazards: 78/80 → 97.50.
    assert (results["210922000000"].total, results["210922000000"].grade) == (D("89.69"), "良好")
    assert (results["210903000000"].total, results["210903000000"].rank) == (D("98.50"), 1)
    assert results["210911000000"].total == D("97.50") and results["210911000000"].rank == 2
    assert (results["210902000000"].total, results["210902000000"].rank) == (D("92.50"), 5)
    assert results["210922000000"].rank == 6
    assert (results["210904000000"].grade, results["210904000000"].rank) == ("不合格", 7)
    city = Client()
    city.force_login(people["city"])
    page = city.get(f"/affairs/assessments/{assessment.pk}/").content.decode()
    assert "98.5" in page and "98.50" not in page and "一票否决：发生重大责任事故" in page  # as a bureau writes it
    county = Client()
    county.force_login(people["zhangwu"])
    seen = county.get(f"/affairs/assessments/{assessment.pk}/").content.decode()
    assert "责任清单已印发（彰政办〔2026〕5号）" in seen and "<td>89.69</td>" in seen
    assert "<td>98.5</td>" not in seen and "海州区" not in seen  # its own rows only
    assert "2026年度考核" in county.get("/affairs/assessments/").content.decode()
    haizhou = Client()
    haizhou.force_login(people["haizhou"])
    assert haizhou.post(f"/affairs/assessments/{assessment.pk}/act/", {
        "action": "evidence", "item": hand.pk, "unit": "210922000000", "evidence": "x"}).status_code == 400
    assert county.post(f"/affairs/assessments/{assessment.pk}/act/", {
        "action": "evidence", "item": hand.pk, "unit": "210922000000", "evidence": "补充材料"}).status_code == 302


def test_pages_answer(people):
    with at("2026-06-01"):
        task = _task(people)
        for user in ("city", "zhangwu"):
            client = Client()
            client.force_login(people[user])
            assert client.get("/affairs/").status_code == 200
            assert client.get(f"/affairs/tasks/{task.pk}/").status_code == 200
            assert client.get("/affairs/assessments/").status_code == 200
        haizhou = Client()
        haizhou.force_login(people["haizhou"])
        assert haizhou.get(f"/affairs/tasks/{task.pk}/").status_code == 403


def test_the_task_api(people, api_client):
    from tests.conftest import post_json

    with at("2026-06-01"):
        city, county = api_client(people["city"]), api_client(people["zhangwu"])
        created = post_json(city, "/api/v1/affairs/tasks/", {
            "title": "报送汛前检查结果", "content": "按要求报送", "assignee": "彰武县人民政府", "deadline": "2026-06-30",
            "division_code": "210922000000"})
        assert created.status_code == 201
        pk = created.json()["id"]
        refused = post_json(county, "/api/v1/affairs/tasks/", {
            "title": "x", "content": "y", "assignee": "z", "deadline": "2026-06-30", "division_code": "210922000000"})
        assert refused.status_code == 403
        step = post_json(county, f"/api/v1/affairs/tasks/{pk}/step", {"action": "submit", "progress": "已报送"})
        assert step.status_code == 200 and step.json()["state"] == "submitted"
        assert [t["id"] for t in county.get("/api/v1/affairs/tasks/").json()["items"]] == [pk]
        assert api_client(people["haizhou"]).get("/api/v1/affairs/tasks/").json()["count"] == 0


def test_departments_are_assessed_with_drill_compliance_and_evidence_files(people, make_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from yingji.affairs.models import AssessmentEvidence
    from yingji.preparedness.models import Drill
    from yingji.regions.models import Organisation

    water = Organisation.objects.create(name="市水务局", kind="department", division_code="210900000000")
    forest = Organisation.objects.create(name="市林业和草原局", kind="department", division_code="210900000000")
    staff = make_user("sw_staff", "county_admin", "210900000000")
    staff.organisation = water
    staff.save()
    with at("2026-12-10"):
        # 彰武县 held its two county drills this year; 海州区 none (the first was due by 30 June: overdue);
        # 市水务局 its large drill; 林草局 none yet, but its one drill a year is due only by 31 December.
        for code, day in (("210922000000", "2026-04-01"), ("210922000000", "2026-09-01")):
            Drill.objects.create(title="防汛演练", kind="field", organiser="县政府", held_on=dt.date.fromisoformat(day),
                                 state="held", participant_count=40, division_code=code)
        Drill.objects.create(title="水库溃坝演练", kind="field", large=True, organiser="市水务局", organisation=water,
                             held_on=dt.date(2026, 6, 1), state="held", participant_count=200, division_code="210900000000")
        assessment = services.create_assessment(people["city"], {
            "year": 2026, "name": "2026年度考核", "units": ["210922000000", "210902000000"],
            "departments": [water.pk, forest.pk]}, [
            {"name": "责任制落实", "points": D(50)},
            {"name": "事故控制", "points": D(25), "metric": "accident_deaths"},
            {"name": "应急演练", "points": D(25), "metric": "drill_compliance"},
        ])
        water_unit, forest_unit = f"org:{water.pk}", f"org:{forest.pk}"
        assert assessment.units == ["210922000000", "210902000000", water_unit, forest_unit]
        # Departments have no area: the accident item does not apply to them (2 counties × 2 + 2 departments × 1).
        assert services.fill_metrics(people["city"], assessment) == 6
        hand, accidents, drills = assessment.items.order_by("pk")
        scores = {s.unit: s for s in drills.scores.all()}
        assert scores["210922000000"].score == D("25.00") and scores["210902000000"].score == D("0.00")
        assert scores[water_unit].score == D("25.00") and scores[forest_unit].score == D("25.00")
        assert "逾期：海州区（县（区）应急演练）" in services.rules.figure_text("drill_compliance", scores["210902000000"].figures)
        for unit in assessment.units:
            services.score(people["city"], hand, unit, "10")
        results = {r.unit: r for r in services.results(assessment)}
        # 市水务局 is scored over its own 75 points: (40 + 25) / 75 × 100 = 86.67; 彰武县 (40 + 25 + 25) = 90.
        assert results[water_unit].total == D("86.67") and results["210922000000"].total == D("90.00")
        assert results[forest_unit].total == D("86.67") and results["210902000000"].total == D("65.00")
        pdf = SimpleUploadedFile("防汛责任制.pdf", b"%PDF-1.7\n% synthetic evidence\n", content_type="application/pdf")
        kept = services.upload_evidence(staff, hand, water_unit, pdf)
        assert kept.sha256 == services.sha256_hex(b"%PDF-1.7\n% synthetic evidence\n") and kept.size == 30
        with pytest.raises(ServiceError, match="内容不是 .pdf 文件"):
            services.upload_evidence(staff, hand, water_unit, SimpleUploadedFile("x.pdf", b"MZ\x90\x00"))
        with pytest.raises(ServiceError, match="只接受 PDF"):
            services.upload_evidence(staff, hand, water_unit, SimpleUploadedFile("x.exe", b"MZ\x90\x00"))
        with pytest.raises(ServiceError, match="只能为本单位报送"):
            services.upload_evidence(staff, hand, forest_unit, SimpleUploadedFile("y.pdf", b"%PDF-1.7"))
        with pytest.raises(ServiceError, match="只能为本单位报送"):
            services.upload_evidence(people["zhangwu"], hand, water_unit, SimpleUploadedFile("y.pdf", b"%PDF-1.7"))
        big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (20 * 1024 * 1024))
        with pytest.raises(ServiceError, match="超过 20 MB"):
            services.upload_evidence(staff, hand, water_unit, big)
        assert AssessmentEvidence.objects.count() == 1
        client = Client()
        client.force_login(staff)
        page = client.get(f"/affairs/assessments/{assessment.pk}/").content.decode()
        assert "市水务局" in page and "防汛责任制.pdf" in page and "不适用于部门" in page
        assert "市林业和草原局" not in page  # another department's sheet
        uploaded = client.post(f"/affairs/assessments/{assessment.pk}/act/", {
            "action": "evidence_file", "item": hand.pk, "unit": water_unit,
            "file": SimpleUploadedFile("演练方案.png", b"\x89PNG\r\n\x1a\n0000")})
        assert uploaded.status_code == 302 and AssessmentEvidence.objects.count() == 2
        download = client.get(f"/affairs/evidence/{kept.pk}/")
        assert download.status_code == 200 and b"".join(download.streaming_content).startswith(b"%PDF-1.7")
        zhangwu = Client()
        zhangwu.force_login(people["zhangwu"])
        assert zhangwu.get(f"/affairs/evidence/{kept.pk}/").status_code == 404
