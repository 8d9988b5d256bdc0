"""Pages and API: buttons follow the roles the services accept, a plan drafted from the form with
an uploaded file, the exam room from start to result, the drill board, and the JSON API with
its error shape."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from tests.conftest import CITY, PASSWORD, ZHANGWU, post_json
from yingji.preparedness.models import EmergencyPlan, ExamAttempt


def login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_plan_drafted_from_the_form_with_an_uploaded_text(people):
    client = login(people["commander"])
    upload = SimpleUploadedFile("预案.txt", "第一章 总则\n为了做好尾矿库溃坝事故应对。".encode("gb18030"))
    answer = client.post("/preparedness/plans/new/", {
        "name": "阜新市尾矿库事故应急预案（测试）", "kind": "special", "owner_unit": "阜新市应急管理局",
        "division_code": CITY, "file": upload})
    plan = EmergencyPlan.objects.get(name="阜新市尾矿库事故应急预案（测试）")
    assert answer.status_code == 302 and "尾矿库溃坝" in plan.versions.get().text
    page = client.get(f"/preparedness/plans/{plan.pk}/").content.decode()
    assert 'data-action="consult"' in page and "起草中" in page
    refused = client.post("/preparedness/plans/new/", {"name": "", "kind": "special", "owner_unit": "x", "division_code": CITY})
    assert refused.status_code == 400 and "预案名称" in refused.content.decode()


def test_buttons_follow_roles(people, draft, advance):
    plan = advance(draft(user="city"), "approving")
    assert 'data-action="approve"' not in login(people["city"]).get(f"/preparedness/plans/{plan.pk}/").content.decode()
    assert 'data-action="approve"' in login(people["city2"]).get(f"/preparedness/plans/{plan.pk}/").content.decode()
    assert 'data-action="approve"' not in login(people["commander"]).get(f"/preparedness/plans/{plan.pk}/").content.decode()
    viewer = login(people["viewer"]).get(f"/preparedness/plans/{plan.pk}/").content.decode()
    assert "data-action=" not in viewer and "登记评估" not in viewer
    assert 'id="new-plan"' not in login(people["viewer"]).get("/preparedness/plans/").content.decode()
    refused = login(people["viewer"]).post(f"/preparedness/plans/{plan.pk}/act/approve/", follow=True)
    assert "无权执行“审批通过”" in refused.content.decode()


def test_audit_page_reads_a_plan_structure_write(people, draft, experts):
    from yingji.preparedness import plans

    plan = plans.act(people["commander"], draft(), "consult")
    plans.record_opinion(people["commander"], plan, {"source": "阜新市公安局", "content": "补充交通管制"})
    page = login(people["city"]).get("/audit/")
    assert page.status_code == 200 and "预案意见" in page.content.decode()


def test_diff_page_marks_changes(people, draft):
    from yingji.preparedness import plans

    plan = draft()
    plans.save_text(people["commander"], plan, text="第一章 总则\n1.1 编制目的\n为了规范危险化学品事故应对和处置。")
    page = login(people["viewer"]).get(f"/preparedness/plans/{plan.pk}/diff/").content.decode()
    assert "<ins>学品</ins>" in page and "<ins>和处置</ins>" in page


def test_exam_room_from_start_to_result(people, enterprises):
    from tests.preparedness.test_training import xlsx
    from yingji.core.importer import run_import
    from yingji.preparedness.registries import EXAM_SESSIONS, QUESTIONS, TRAINEES

    start = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)
    with time_machine.travel(start, tick=False):
        rows = [["应急管理", "判断题", "易", f"判断题{i}", None, None, None, None, "对"] for i in range(10)]
        assert run_import(people["city"], QUESTIONS, xlsx(rows), "q.xlsx").ok
        exam = EXAM_SESSIONS.create(people["city"], {
            "name": "测试考试", "time_limit_minutes": 20, "opens_at": "2026-05-11 08:00", "closes_at": "2026-05-11 18:00",
            "division_code": CITY, "blueprint": [{"kind": "judge", "count": 10, "points": 10}]})
        trainee = TRAINEES.create(people["city"], {"name": "钱测试", "id_number": "210902199001011111", "post": "bureau_staff",
                                                   "sector": "government", "employer": "海州区应急管理局", "division_code": CITY})
        client = login(people["city"])
        assert 'id="start-exam"' in client.get(f"/preparedness/exams/{exam.pk}/").content.decode()
        assert 'id="start-exam"' not in login(people["commander"]).get(f"/preparedness/exams/{exam.pk}/").content.decode()
        answer = client.post(f"/preparedness/exams/{exam.pk}/start/", {"trainee_id": trainee.pk})
        attempt = ExamAttempt.objects.get(trainee=trainee)
        assert answer.url.endswith(f"/preparedness/attempts/{attempt.pk}/")
        page = client.get(answer.url).content.decode()
        assert page.count('data-testid="question"') == 10 and 'data-seconds="1200"' in page
        ids = re.findall(r'name="q(\d+)"', page)
        answers = {f"q{qid}": "T" for qid in sorted(set(ids))[:8]}
        client.post(f"/preparedness/attempts/{attempt.pk}/submit/", answers)
        result = client.get(f"/preparedness/attempts/{attempt.pk}/").content.decode()
        # A county trainee sits the city's exam: the county sees the result, and no link back to
        # the city's session, which it may not open
        local = TRAINEES.create(people["city"], {"name": "孙县区", "id_number": "210922199001011112",
                                                 "post": "bureau_staff", "sector": "government",
                                                 "employer": "彰武县应急管理局", "division_code": ZHANGWU})
        client.post(f"/preparedness/exams/{exam.pk}/start/", {"trainee_id": local.pk})
        theirs = ExamAttempt.objects.get(trainee=local)
        client.post(f"/preparedness/attempts/{theirs.pk}/submit/", {})
        county = login(people["zhangwu"])
        seen = county.get(f"/preparedness/attempts/{theirs.pk}/").content.decode()
        assert "孙县区" in seen and "返回考试" not in seen and f"/preparedness/exams/{exam.pk}/" not in seen
        assert county.get(f"/preparedness/exams/{exam.pk}/").status_code == 403
        assert "返回考试" in client.get(f"/preparedness/attempts/{theirs.pk}/").content.decode()
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.passed) == ("submitted", 80, True)
    assert "得分 80.0 / 100.0" in result and "合格" in result


def test_drill_board_and_training_pages_render(people):
    for url in ("/preparedness/drills/", "/preparedness/training/", "/preparedness/training/key-posts/",
                "/preparedness/plans/?q=危化"):
        assert login(people["zhangwu"]).get(url).status_code == 200


def test_api_plan_lifecycle_and_errors(people, api_client, experts):
    client = api_client(people["commander"])
    created = post_json(client, "/api/v1/preparedness/plans/", {
        "name": "阜新市地质灾害应急预案（API测试）", "kind": "special", "owner_unit": "阜新市自然资源局", "text": "第一章 总则"})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    moved = post_json(client, f"/api/v1/preparedness/plans/{pk}/actions/consult", {})
    assert moved.status_code == 200 and moved.json()["state_label"] == "征求意见"
    early = post_json(client, f"/api/v1/preparedness/plans/{pk}/actions/review", {})
    assert early.status_code == 400 and "反馈意见" in early.json()["error"]["message"]
    wrong = post_json(client, f"/api/v1/preparedness/plans/{pk}/actions/publish", {})
    assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "illegal_transition"
    assert post_json(api_client(people["viewer"]), "/api/v1/preparedness/plans/", {
        "name": "x", "kind": "special", "owner_unit": "x"}).status_code == 403
    detail = client.get(f"/api/v1/preparedness/plans/{pk}").json()
    assert detail["filing"]["state"] == "not_required" and detail["versions"] == [1]
    board = client.get("/api/v1/preparedness/drill-board")
    assert board.status_code == 200 and isinstance(board.json(), list)
