"""The exam room (考场机考): the invigilator opens an attempt for a trainee whose identity was
checked, the trainee answers on the terminal against the clock, the paper is scored on
submission (or when time runs out)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from yingji.core import scope
from yingji.core.errors import Conflict, ServiceError
from yingji.core.views import service_view
from yingji.rules import training as tr

from . import exams
from .models import ExamAttempt, ExamSession, Trainee


def _session(request, pk) -> ExamSession:
    return scope.get_visible(ExamSession.objects.all(), pk, request.user, "考试场次")


@service_view
def session(request, pk):
    exam = _session(request, pk)
    q = request.GET.get("q", "").strip()
    trainees = scope.visible(Trainee.objects.all(), request.user)
    if q:
        trainees = trainees.filter(name__icontains=q) | trainees.filter(id_number__icontains=q)
    now = timezone.now()
    return render(request, "preparedness/exam_session.html", {
        "exam": exam, "trainees": trainees.order_by("name")[:50], "q": q, "pass_mark": exams.pass_mark(exam),
        "parts": exams.parts(exam.blueprint), "open": exam.opens_at <= now <= exam.closes_at,
        "attempts": scope.visible(exam.attempts.select_related("trainee"), request.user)[:200],
        "can_run": request.user.can("training.manage"), "kinds": tr.QUESTION_KINDS,
    })


@require_POST
@service_view
def start(request, pk):
    exam = _session(request, pk)
    trainee = scope.get_visible(Trainee.objects.all(), request.POST.get("trainee_id") or 0, request.user, "培训学员")
    try:
        attempt = exams.start(request.user, exam, trainee)
    except ServiceError as exc:
        messages.error(request, exc.message)
        return redirect("exam-session", pk=pk)
    return redirect("exam-attempt", pk=attempt.pk)


def _attempt(request, pk) -> ExamAttempt:
    return scope.get_visible(ExamAttempt.objects.select_related("session", "trainee"), pk, request.user, "考试记录")


def _item(row: ExamAttempt, q, points) -> dict:
    given = row.answers.get(str(q.pk), "")
    try:
        normalised = tr.normalise_answer(q.kind, given) if given else ""
    except ValueError:
        normalised = ""
    return {"q": q, "points": points, "given": given, "options": q.options() if q.kind != "judge" else [("T", "对"), ("F", "错")],
            "given_display": tr.display_answer(q.kind, normalised) if normalised else "未作答",
            "answer_display": tr.display_answer(q.kind, q.key), "right": normalised == q.key}


def _answers(post) -> dict:
    answers = {}
    for key in post:
        if key.startswith("q"):
            answers[key[1:]] = "".join(sorted(post.getlist(key)))
    return answers


@service_view
def attempt(request, pk):
    row = _attempt(request, pk)
    row = exams.close_if_expired(row)
    items = exams.questions_of(row)
    return render(request, "preparedness/exam_attempt.html", {
        "attempt": row, "items": [_item(row, q, p) for q, p in items],
        "remaining": max(0, int((row.deadline_at - timezone.now()).total_seconds())),
        "pass_mark": exams.pass_mark(row.session), "kinds": tr.QUESTION_KINDS,
        # a county's trainee may sit a city's exam: the county sees the attempt, not the session
        "session_visible": scope.visible(ExamSession.objects.filter(pk=row.session_id), request.user).exists(),
    })


@require_POST
@service_view
def submit(request, pk):
    row = _attempt(request, pk)
    try:
        if request.POST.get("save") == "1":
            exams.save_answers(request.user, row, _answers(request.POST))
            messages.success(request, "答案已保存")
        else:
            row = exams.submit(request.user, row, _answers(request.POST))
            if row.state == "expired":
                messages.error(request, "已超过考试时间，超时提交的答案不计分，按已保存的答案评分")
    except Conflict as exc:
        messages.error(request, exc.message)
    return redirect("exam-attempt", pk=pk)
