"""Online exams: a random paper per attempt from the question bank by the session's blueprint
(topic, type, difficulty, count, points), one open attempt per trainee, answers accepted until
the time limit (plus a short grace for the network), automatic scoring against the pass mark
(session value, else ``settings.YINGJI_EXAM_PASS_MARK``) and a certificate on passing."""

from __future__ import annotations

import datetime as dt
import random
import secrets
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from yingji.core import scope
from yingji.core.errors import Conflict, ValidationFailed
from yingji.core.records import SYSTEM, change, create_record
from yingji.rules import training as tr
from yingji.core.records import audited_transaction

from .models import Certificate, ExamAttempt, ExamSession, Question, Trainee


def pass_mark(session: ExamSession) -> int:
    return session.pass_mark if session.pass_mark is not None else int(getattr(settings, "YINGJI_EXAM_PASS_MARK", tr.PASS_MARK))


def parts(blueprint) -> list[tr.Part]:
    """The session's blueprint as rule parts (400 with a Chinese message when malformed)."""
    if not isinstance(blueprint, list) or not blueprint:
        raise ValidationFailed("组卷规则至少需要一部分", fields={"blueprint": ["必填"]})
    result = []
    for index, item in enumerate(blueprint, start=1):
        if not isinstance(item, dict):
            raise ValidationFailed(f"组卷规则第{index}部分格式不正确", fields={"blueprint": ["格式不正确"]})
        kind = item.get("kind") or ""
        if kind and kind not in tr.QUESTION_KINDS:
            raise ValidationFailed(f"组卷规则第{index}部分题型无效：{kind}", fields={"blueprint": ["题型无效"]})
        difficulty = item.get("difficulty") or None
        try:
            count, points = int(item.get("count") or 0), Decimal(str(item.get("points") or 0))
            difficulty = int(difficulty) if difficulty is not None else None
        except (ValueError, InvalidOperation):
            raise ValidationFailed(f"组卷规则第{index}部分题量、分值或难度不是数字", fields={"blueprint": ["须为数字"]}) from None
        if count <= 0 or points <= 0 or (difficulty is not None and difficulty not in tr.DIFFICULTIES):
            raise ValidationFailed(f"组卷规则第{index}部分题量和分值须大于0，难度为1–3", fields={"blueprint": ["数值无效"]})
        result.append(tr.Part(count=count, points=points, kind=kind, topic=(item.get("topic") or "").strip(),
                              difficulty=difficulty))
    return result


def check_blueprint(session: ExamSession) -> None:
    """Used as the exam-session registry's ``derive``: the blueprint parses, totals 100 points
    and the bank (of the session's scope) holds enough questions for it."""
    try:
        rule_parts = parts(session.blueprint)
        total = tr.blueprint_total(rule_parts)
        if total != tr.FULL_MARKS:
            raise ValidationError({"blueprint": f"组卷规则总分为 {total}，应为 {tr.FULL_MARKS} 分"})
        tr.assemble(_pool(session.division_code), rule_parts, random.Random(0))
    except ValidationFailed as exc:
        raise ValidationError({"blueprint": exc.message}) from exc
    except tr.AssemblyError as exc:
        raise ValidationError({"blueprint": str(exc)}) from exc


def _pool(division_code: str) -> list[tr.QuestionRef]:
    """Active questions filed at the session's division or above it (the city's bank serves the counties)."""
    codes = {division_code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)}
    return [tr.QuestionRef(q["pk"], q["topic"], q["kind"], q["difficulty"])
            for q in Question.objects.filter(active=True, division_code__in=codes).values("pk", "topic", "kind", "difficulty")]


def start(user, session: ExamSession, trainee: Trainee, now: dt.datetime | None = None) -> ExamAttempt:
    """Open an attempt: inside the session's window, one open attempt per trainee, a fresh
    random paper."""
    scope.check_can_see(session, user)
    scope.check_can_see(trainee, user)
    now = now or timezone.now()
    if now < session.opens_at:
        raise Conflict(f"考试尚未开始（{timezone.localtime(session.opens_at):%Y-%m-%d %H:%M} 开考）", code="exam_not_open")
    if now > session.closes_at:
        raise Conflict("考试已截止", code="exam_closed")
    if trainee.attempts.filter(state="in_progress").exists():
        raise Conflict(f"考生{trainee.name}有尚未交卷的考试，一次只能参加一场", code="attempt_open")
    try:
        paper = tr.assemble(_pool(session.division_code), parts(session.blueprint), random.Random(secrets.randbits(64)))
    except tr.AssemblyError as exc:
        raise ValidationFailed(f"无法组卷：{exc}", fields={"blueprint": [str(exc)]}) from exc
    deadline = tr.deadline(now, session.time_limit_minutes)
    try:
        with audited_transaction():
            return create_record(user, ExamAttempt, {
                "division_code": trainee.division_code, "is_synthetic": trainee.is_synthetic},
                server={"session": session, "trainee": trainee, "paper": [[qid, str(points)] for qid, points in paper],
                        "answers": {}, "started_at": now, "deadline_at": deadline},
                note=f"开考：{session.name}")
    except IntegrityError as exc:  # a second start at the same moment
        raise Conflict(f"考生{trainee.name}有尚未交卷的考试，一次只能参加一场", code="attempt_open") from exc


def questions_of(attempt: ExamAttempt) -> list[tuple[Question, Decimal]]:
    by_id = Question.objects.in_bulk([qid for qid, _ in attempt.paper])
    return [(by_id[qid], Decimal(points)) for qid, points in attempt.paper if qid in by_id]


def _answers(attempt: ExamAttempt, answers: dict) -> dict:
    ids = {str(qid) for qid, _ in attempt.paper}
    cleaned = {}
    for key, value in (answers or {}).items():
        if str(key) in ids:
            text = "".join(value) if isinstance(value, (list, tuple)) else str(value or "")
            cleaned[str(key)] = text.strip()[:12]
    return cleaned


def _check(user, attempt: ExamAttempt) -> None:
    scope.check_can_see(attempt, user)
    scope.check_can_write(ExamAttempt, user, attempt.division_code, attempt)


def save_answers(user, attempt: ExamAttempt, answers: dict, now: dt.datetime | None = None) -> ExamAttempt:
    """Store answers while the attempt is open and inside its time limit."""
    _check(user, attempt)
    now = now or timezone.now()
    with audited_transaction():
        current = _locked(attempt)
        if not tr.accepts_answers(current.deadline_at, now):
            finish(SYSTEM, current, now=now)
            late = True
        else:
            late = False
            saved = change(user, current, note="保存答案", lock=False,
                           answers={**current.answers, **_answers(current, answers)})
    if late:  # raised after the commit: the scoring stays written
        raise Conflict("考试时间已到，系统已按已保存的答案收卷评分", code="time_up")
    return saved


def _locked(attempt: ExamAttempt) -> ExamAttempt:
    current = ExamAttempt.objects.select_for_update().select_related("session").get(pk=attempt.pk)
    if current.state != "in_progress":
        raise Conflict("本场考试已交卷", code="attempt_closed")
    return current


def submit(user, attempt: ExamAttempt, answers: dict | None = None, now: dt.datetime | None = None) -> ExamAttempt:
    """交卷: answers sent after the time limit are not counted (the attempt is scored with what was
    saved in time and marked 超时收卷)."""
    _check(user, attempt)
    now = now or timezone.now()
    with audited_transaction():
        current = _locked(attempt)
        late = not tr.accepts_answers(current.deadline_at, now)
        final = dict(current.answers) if late else {**current.answers, **_answers(current, answers or {})}
        return finish(user, current, now=now, answers=final, expired=late)


def finish(user, attempt: ExamAttempt, *, now: dt.datetime, answers: dict | None = None, expired: bool = True) -> ExamAttempt:
    items = [(q.pk, q.kind, q.answer, points) for q, points in questions_of(attempt)]
    answers = attempt.answers if answers is None else answers
    got, full = tr.score(items, answers)
    ok = tr.passed(got, full, pass_mark(attempt.session))
    with audited_transaction():
        row = change(user, attempt, lock=False, note=f"{'超时收卷' if expired else '交卷'}：{got}/{full}分，{'合格' if ok else '不合格'}",
                     audit_action="transition", answers=answers, state="expired" if expired else "submitted",
                     submitted_at=now, score=got, full_marks=full, passed=ok)
        if ok and attempt.session.certificate_kind:
            issue_certificate(user, row, timezone.localtime(now).date())
    return row


def close_if_expired(attempt: ExamAttempt, now: dt.datetime | None = None) -> ExamAttempt:
    """An attempt whose time ran out with the page closed is scored when it is next looked at."""
    now = now or timezone.now()
    if attempt.state != "in_progress" or tr.accepts_answers(attempt.deadline_at, now):
        return attempt
    with audited_transaction():
        current = ExamAttempt.objects.select_for_update().select_related("session", "trainee").get(pk=attempt.pk)
        return finish(SYSTEM, current, now=now) if current.state == "in_progress" else current


def expire_overdue(now: dt.datetime | None = None) -> int:
    """Close attempts left open past their time limit (browser closed): scored with what was saved."""
    now = now or timezone.now()
    limit = now - dt.timedelta(seconds=tr.LATE_GRACE_SECONDS)
    count = 0
    for attempt in ExamAttempt.objects.filter(state="in_progress", deadline_at__lt=limit):
        with audited_transaction():
            current = ExamAttempt.objects.select_for_update().select_related("session").get(pk=attempt.pk)
            if current.state == "in_progress":
                finish(SYSTEM, current, now=now)
                count += 1
    return count


def issue_certificate(user, attempt: ExamAttempt, issued_on: dt.date) -> Certificate:
    kind = attempt.session.certificate_kind
    dates = tr.certificate_dates(kind, issued_on)
    trainee = attempt.trainee
    sequence = Certificate.objects.filter(issued_on__year=issued_on.year).count() + 1
    number = f"{issued_on.year}{trainee.division_code[:6]}{'L' if kind == 'leader' else 'T'}{sequence:05d}"
    while Certificate.objects.filter(number=number).exists():
        sequence += 1
        number = f"{issued_on.year}{trainee.division_code[:6]}{'L' if kind == 'leader' else 'T'}{sequence:05d}"
    return create_record(user, Certificate, {
        "trainee": trainee, "kind": kind, "number": number, "issued_on": issued_on, "expires_on": dates.expires_on,
        "review_due_on": dates.review_due_on, "division_code": trainee.division_code,
        "is_synthetic": trainee.is_synthetic}, server={"attempt": attempt, "enterprise_id": trainee.enterprise_id},
        note=f"考试合格发证（{attempt.session.name}）")
