"""Training and exams: the question bank imported from .xlsx with row-level Chinese errors, random
papers by blueprint, one open attempt per trainee, the time limit, automatic scoring with the
configured pass mark, certificates and their expiry reminders, hours and yearly figures."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from openpyxl import Workbook

from tests.conftest import CITY, ZHANGWU
from yingji.core.errors import Conflict, Forbidden, ValidationFailed
from yingji.core.importer import run_import
from yingji.preparedness import exams, training, training_selectors
from yingji.preparedness.models import Certificate, Question
from yingji.preparedness.registries import COURSES, EXAM_SESSIONS, QUESTIONS, SESSIONS, TRAINEES

START = dt.datetime(2026, 5, 11, 1, 0, tzinfo=dt.timezone.utc)  # 09:00 Beijing


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["专题", "题型", "难度", "题干", "选项A", "选项B", "选项C", "选项D", "答案", "所属行政区划"])
    for row in rows:
        sheet.append([*row, "阜新市"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def bank(people):
    rows = []
    for i in range(12):
        rows.append(["危化品安全", "单选题", "中", f"危化单选题{i}（测试）", "甲", "乙", "丙", "丁", "ABCD"[i % 4]])
    for i in range(6):
        rows.append(["应急管理", "多选题", "难", f"应急多选题{i}（测试）", "甲", "乙", "丙", "丁", "AC"])
    for i in range(6):
        rows.append(["应急管理", "判断题", "易", f"应急判断题{i}（测试）", None, None, None, None, "对" if i % 2 else "错"])
    result = run_import(people["city"], QUESTIONS, xlsx(rows), "题库.xlsx")
    assert result.ok, result.as_dict()
    return result


@pytest.fixture
def exam(people, bank):
    return EXAM_SESSIONS.create(people["city"], {
        "name": "危化企业主要负责人考试（测试）", "certificate_kind": "leader", "time_limit_minutes": 60,
        "opens_at": "2026-05-11 08:00", "closes_at": "2026-05-11 18:00", "division_code": CITY,
        "blueprint": [{"topic": "危化品安全", "kind": "single", "count": 10, "points": 6},
                      {"topic": "应急管理", "kind": "multiple", "count": 2, "points": 10},
                      {"kind": "judge", "count": 4, "points": 5}]})


@pytest.fixture
def trainee(people, enterprises):
    return TRAINEES.create(people["zhangwu"], {
        "name": "赵测试", "id_number": "210922199001011234", "post": "principal", "sector": "hazchem",
        "enterprise": enterprises[0].pk, "employer": enterprises[0].name, "division_code": ZHANGWU})


def test_question_import_reports_row_level_chinese_errors_and_writes_nothing(people, bank):
    assert set(Question.objects.filter(kind="multiple").values_list("answer", flat=True)) == {"A、C"}  # stored as read
    assert set(Question.objects.filter(kind="judge").values_list("answer", flat=True)) == {"对", "错"}
    before = Question.objects.count()
    bad = xlsx([["危化品安全", "单选题", "中", "好题", "甲", "乙", "丙", "丁", "B"],
                ["危化品安全", "单选题", "中", "两个答案", "甲", "乙", "丙", "丁", "AB"],
                ["危化品安全", "多选题", "中", "选项缺失", "甲", "乙", None, None, "AC"],
                ["危化品安全", "填空题", "中", "题型不对", "甲", "乙", None, None, "A"]])
    result = run_import(people["city"], QUESTIONS, bad, "题库.xlsx")
    texts = [e.text() for e in result.errors]
    assert not result.ok and Question.objects.count() == before
    assert any(t.startswith("第3行") and "单选题只能有一个正确答案" in t for t in texts)
    assert any(t.startswith("第4行") and "没有内容" in t for t in texts)
    assert any(t.startswith("第5行") and "题型" in t for t in texts)


def test_blueprint_must_total_100_and_fit_the_bank(people, bank):
    base = {"name": "x", "time_limit_minutes": 30, "opens_at": "2026-05-11 08:00", "closes_at": "2026-05-11 18:00",
            "division_code": CITY}
    with pytest.raises(ValidationFailed, match="总分为 90"):
        EXAM_SESSIONS.create(people["city"], {**base, "blueprint": [{"kind": "single", "count": 9, "points": 10}]})
    with pytest.raises(ValidationFailed, match="需要 20 题，题库中只有 12 题"):
        EXAM_SESSIONS.create(people["city"], {**base, "blueprint": [{"kind": "single", "count": 20, "points": 5}]})


def test_random_paper_one_attempt_at_a_time_scoring_and_certificate(people, exam, trainee, settings):
    attempt = exams.start(people["city"], exam, trainee)
    items = exams.questions_of(attempt)
    assert len(items) == 16 and sum(p for _, p in items) == 100
    assert [q.kind for q, _ in items] == ["single"] * 10 + ["multiple"] * 2 + ["judge"] * 4
    with pytest.raises(Conflict, match="有尚未交卷的考试"):
        exams.start(people["city"], exam, trainee)
    # all right except two single-choice questions: 100 - 12 = 88
    answers = {str(q.pk): q.answer for q, _ in items}
    for q, _ in items[:2]:
        answers[str(q.pk)] = "A" if q.answer != "A" else "B"
    exams.save_answers(people["city"], attempt, {k: answers[k] for k in list(answers)[:5]})
    done = exams.submit(people["city"], attempt, answers)
    assert (done.state, done.score, done.full_marks, done.passed) == ("submitted", Decimal(88), Decimal(100), True)
    cert = Certificate.objects.get(trainee=trainee)
    assert (cert.kind, cert.issued_on, cert.expires_on) == ("leader", dt.date(2026, 5, 11), dt.date(2029, 5, 10))
    assert cert.enterprise_id == trainee.enterprise_id
    with pytest.raises(Conflict, match="已交卷"):
        exams.submit(people["city"], done, answers)
    settings.YINGJI_EXAM_PASS_MARK = 90  # the configured pass mark applies to the next attempt
    second = exams.start(people["city"], exam, trainee)
    paper = exams.questions_of(second)
    answers = {str(q.pk): q.answer for q, _ in paper}
    for q, _ in paper[:2]:
        answers[str(q.pk)] = "A" if q.answer != "A" else "B"
    again = exams.submit(people["city"], second, answers)
    assert (again.score, again.passed) == (Decimal(88), False)


def test_answers_after_the_time_limit_do_not_count(people, exam, trainee, clock):
    attempt = exams.start(people["city"], exam, trainee)
    items = exams.questions_of(attempt)
    first = items[0][0]
    exams.save_answers(people["city"], attempt, {str(first.pk): first.answer})
    clock.shift(dt.timedelta(minutes=61))
    with pytest.raises(Conflict, match="考试时间已到"):
        exams.save_answers(people["city"], attempt, {str(q.pk): q.answer for q, _ in items})
    attempt.refresh_from_db()
    assert (attempt.state, attempt.score, attempt.passed) == ("expired", items[0][1], False)


def test_late_submission_scores_only_what_was_saved(people, exam, trainee, clock):
    attempt = exams.start(people["city"], exam, trainee)
    clock.shift(dt.timedelta(minutes=60, seconds=31))
    done = exams.submit(people["city"], attempt, {str(q.pk): q.answer for q, _ in exams.questions_of(attempt)})
    assert (done.state, done.score) == ("expired", Decimal(0))
    assert not Certificate.objects.filter(trainee=trainee).exists()


def test_abandoned_attempt_is_closed_by_the_sweep(people, exam, trainee, clock):
    attempt = exams.start(people["city"], exam, trainee)
    clock.shift(dt.timedelta(minutes=59))
    assert exams.expire_overdue() == 0
    clock.shift(dt.timedelta(minutes=2))
    assert exams.expire_overdue() == 1
    attempt.refresh_from_db()
    assert attempt.state == "expired"


def test_exam_outside_its_window_and_by_roles_without_training(people, exam, trainee, clock):
    with pytest.raises(Forbidden, match="无权修改考试记录"):
        exams.start(people["commander"], exam, trainee)
    clock.shift(dt.timedelta(hours=10))
    with pytest.raises(Conflict, match="考试已截止"):
        exams.start(people["city"], exam, trainee)


def test_certificate_expiry_reminders_and_key_posts(people, trainee, enterprises):
    from yingji.preparedness.registries import CERTIFICATES

    CERTIFICATES.create(people["city"], {"trainee": trainee.pk, "kind": "leader", "number": "T-0001",
                                         "issued_on": "2023-06-20", "expires_on": "2026-06-19", "division_code": ZHANGWU})
    rows = training_selectors.certificates(people["city"], dt.date(2026, 5, 11), only_attention=True)
    assert [(r["cert"].number, r["label"]) for r in rows] == [("T-0001", "即将到期，须换证")]
    posts = training_selectors.key_posts(people["city"], enterprises[0].pk, dt.date(2026, 5, 11))
    assert [(r["trainee"].name, r["label"], r["ok"]) for r in posts] == [("赵测试", "即将到期，须换证", True)]
    posts = training_selectors.key_posts(people["city"], enterprises[0].pk, dt.date(2026, 6, 20))
    assert [(r["label"], r["ok"]) for r in posts] == [("已过期", False)]


def test_hours_against_required_and_yearly_figures(people, trainee, exam):
    course = COURSES.create(people["city"], {"name": "危化主要负责人初训", "kind": "initial", "post": "principal",
                                             "hours": "48", "division_code": CITY})
    session = SESSIONS.create(people["city"], {"course": course.pk, "starts_on": "2026-04-01", "ends_on": "2026-04-06",
                                               "venue": "阜新市安全培训基地", "division_code": CITY})
    training.record_attendance(people["city"], session, [trainee.pk], "40")
    hours = training_selectors.hours(trainee, 2026)
    assert (hours["initial"], hours["rule"].initial, hours["initial_ok"]) == (Decimal(40), 48, False)
    with pytest.raises(Conflict, match="已登记本班次"):
        training.record_attendance(people["city"], session, [trainee.pk])
    exams.start(people["city"], exam, trainee)
    figures = training_selectors.yearly_figures(people["city"], 2026)
    assert (figures["trained"], figures["examined"], figures["total"], figures["target"]) == (1, 1, 2, 8000)
    assert figures["by_county"] == [("彰武县", 2)] and figures["by_sector"] == [("危险化学品", 2)]
