"""Response activation, level change, stand-down and the task lifecycle.

Every transition checks scope and role, writes the audit entry and a line on the incident's
timeline (through the incidents app's ``add_entry``) in one transaction, and is pushed live on
the ``tasks`` channel."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yingji.core import records, scope
from yingji.core.errors import Conflict, NotFound, ValidationFailed
from yingji.incidents.deadline_service import add_entry
from yingji.incidents.services import get_incident as incidents_get
from yingji.live.services import publish
from yingji.rules.task_lifecycle import OPEN_STATES, TASK_LIFECYCLE
from yingji.core.records import audited_transaction

from .models import PlanLevel, Response, ResponseEvent, Task, TaskNote
from .models.plans import level_label
from .plans import get_plan, propose


def _timeline(incident, text: str, user, data: dict | None = None) -> None:
    add_entry(incident, "action", text, actor=user, unit_name="指挥部", data={"source": "command", **(data or {})})


def _actor_name(user) -> str:
    return user.display_name() if callable(getattr(user, "display_name", None)) else str(user)


def _check_level(level) -> int:
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in (1, 2, 3, 4):
        raise ValidationFailed("响应级别必须是 1–4（Ⅰ–Ⅳ级）", fields={"level": ["1–4"]})
    return level


def get_incident(user, pk):
    return incidents_get(user, pk)


def active_response(incident) -> Response | None:
    return incident.responses.filter(state="active").order_by("-activated_at").first()


def activate(user, incident, plan_id, level, reason: str = "") -> Response:
    """Activate ``plan`` at ``level`` for ``incident``; the level's actions become tasks."""
    scope.check_can_see(incident, user)
    scope.check_can_write(Response, user, incident.division_code)
    plan = get_plan(user, plan_id)
    level = _check_level(level)
    plan_level = PlanLevel.objects.filter(plan=plan, level=level).first()
    if plan_level is None:
        raise ValidationFailed(f"预案“{plan.name}”没有{level_label(level)}", fields={"level": ["预案无此级别"]})
    if incident.state == "closed":
        raise Conflict("事件已办结，不能启动响应")
    proposals = propose(user, incident.type_code, incident.grade_level, incident.division_code)
    proposed = next((p["level"] for p in proposals if p["plan_id"] == plan.pk), None)
    with audited_transaction():
        if incident.responses.select_for_update().filter(state="active").exists():
            raise Conflict("该事件已有进行中的应急响应，请调整级别或先终止响应")
        response = records.create_record(user, Response, {}, server=dict(
            incident=incident, plan=plan, level=level, proposed_level=proposed, commander_name=plan_level.commander,
            reason=reason.strip(), division_code=incident.division_code, is_synthetic=incident.is_synthetic),
            validate=False, audit_action="transition",
            note=f"启动{plan.name}{level_label(level)}" + (f"（建议{level_label(proposed)}）" if proposed and proposed != level else ""))
        ResponseEvent.objects.create(response=response, kind="activate", to_level=level, note=reason.strip(),
                                     actor=user, actor_name=_actor_name(user))
        _issue_tasks(user, response, plan_level)
        _timeline(incident, f"启动{plan.name}{level_label(level)}" + (f"：{reason.strip()}" if reason.strip() else ""),
                  user, {"response": response.pk})
        publish("tasks", "response", {"incident": incident.pk, "response": response.pk, "sound": True,
                                      "text": f"{incident.title}：启动{level_label(level)}"}, incident.division_code)
    return response


def _issue_tasks(user, response: Response, plan_level: PlanLevel, only_new: bool = False) -> list[Task]:
    incident = response.incident
    existing = set(response.tasks.values_list("plan_action_id", flat=True)) if only_new else set()
    now = timezone.now()
    rows = [dict(
        plan_action=action, organisation=action.organisation, unit_name=action.unit_name, title=action.action,
        due_at=now + dt.timedelta(minutes=action.due_minutes) if action.due_minutes else None)
        for action in plan_level.actions.all()
        if not (action.pk in existing or (only_new and _same_action_open(response, action)))]
    tasks = []
    for row in rows:
        tasks.append(records.create_record(user, Task, {}, server=dict(
            row, response=response, incident=incident, level=plan_level.level, issued_at=now,
            lon=incident.lon, lat=incident.lat, division_code=incident.division_code,
            is_synthetic=incident.is_synthetic), parent=response, validate=False, note="预案行动下达任务"))
    return tasks


def _same_action_open(response, action) -> bool:
    return response.tasks.filter(unit_name=action.unit_name, title=action.action, state__in=OPEN_STATES).exists()


def change_level(user, response: Response, level, reason: str) -> Response:
    """Raise or lower the level; a raise issues the new level's extra actions as tasks."""
    level = _check_level(level)
    if not (reason or "").strip():
        raise ValidationFailed("请填写调整理由", fields={"reason": ["必填"]})
    with audited_transaction():
        current = _locked(user, response)
        if current.level == level:
            raise ValidationFailed(f"当前已是{level_label(level)}", fields={"level": ["与当前级别相同"]})
        plan_level = PlanLevel.objects.filter(plan=current.plan, level=level).first()
        if plan_level is None:
            raise ValidationFailed(f"预案“{current.plan.name}”没有{level_label(level)}", fields={"level": ["预案无此级别"]})
        old = current.level
        current = records.change(user, current, lock=False, audit_action="transition",
                                 note=f"{level_label(old)}调整为{level_label(level)}：{reason.strip()}",
                                 level=level, commander_name=plan_level.commander)
        ResponseEvent.objects.create(response=current, kind="change_level", from_level=old, to_level=level,
                                     note=reason.strip(), actor=user, actor_name=_actor_name(user))
        new_tasks = _issue_tasks(user, current, plan_level, only_new=True) if level < old else []
        _timeline(current.incident, f"响应级别由{level_label(old)}调整为{level_label(level)}：{reason.strip()}"
                  + (f"，新增任务 {len(new_tasks)} 项" if new_tasks else ""), user, {"response": current.pk})
        publish("tasks", "response", {"incident": current.incident_id, "response": current.pk,
                                      "text": f"响应级别调整为{level_label(level)}"}, current.division_code)
    return current


def stand_down(user, response: Response, reason: str, cancel_open_tasks: bool = True) -> Response:
    """Terminate the response (终止响应); open tasks are cancelled with the same reason."""
    if not (reason or "").strip():
        raise ValidationFailed("请填写终止响应的理由", fields={"reason": ["必填"]})
    with audited_transaction():
        current = _locked(user, response)
        current = records.change(user, current, lock=False, audit_action="transition",
                                 note=f"终止响应：{reason.strip()}", state="ended", ended_at=timezone.now())
        ResponseEvent.objects.create(response=current, kind="stand_down", from_level=current.level,
                                     note=reason.strip(), actor=user, actor_name=_actor_name(user))
        cancelled = 0
        if cancel_open_tasks:
            for task in current.tasks.filter(state__in=OPEN_STATES):
                transition_task(user, task, "cancel", f"终止响应：{reason.strip()}", _timeline_entry=False)
                cancelled += 1
        _timeline(current.incident, f"终止{current}：{reason.strip()}" + (f"（撤销未完成任务 {cancelled} 项）" if cancelled else ""),
                  user, {"response": current.pk})
        publish("tasks", "response", {"incident": current.incident_id, "response": current.pk,
                                      "text": "终止应急响应"}, current.division_code)
    return current


def _locked(user, response: Response) -> Response:
    scope.check_can_see(response, user)
    scope.check_can_write(Response, user, response.division_code)
    current = Response.objects.select_for_update(of=("self",)).select_related("plan", "incident").get(pk=response.pk)
    if current.state != "active":
        raise Conflict(f"该响应已于 {timezone.localtime(current.ended_at):%Y-%m-%d %H:%M} 终止")
    return current


# ----------------------------------------------------------------------------- tasks
TIME_FIELDS = {"accepted": "accepted_at", "in_progress": "started_at", "done": "done_at", "cancelled": "cancelled_at"}


def transition_task(user, task: Task, action: str, note: str = "", attachment=None, *,
                    expected_version: int | None = None, _timeline_entry: bool = True) -> Task:
    """Apply one lifecycle action (accept / start / complete / cancel) with its note."""
    scope.check_can_see(task, user)
    scope.check_can_write(Task, user, task.division_code)
    def stamp(row: Task, move, source: str) -> None:
        setattr(row, TIME_FIELDS[move.target], timezone.now())
        if move.target == "done":
            row.result = note.strip()

    with audited_transaction():
        current = records.transition(
            user, task, TASK_LIFECYCLE, action, context={"note": note}, apply=stamp,
            expected_version=expected_version, conflict_message="任务已被他人更新，请刷新后重试",
            note=lambda row, move, source: f"任务{move.label}" + (f"：{note.strip()[:100]}" if note.strip() else ""))
        t = TASK_LIFECYCLE.transitions[action]
        _note(user, current, t.label, note, attachment)
        if _timeline_entry:
            _timeline(current.incident, f"任务{t.label}（{current.unit_name}）：{current.title[:60]}"
                      + (f"——{note.strip()[:80]}" if note.strip() else ""), user, {"task": current.pk})
        publish("tasks", "task", {"incident": current.incident_id, "task": current.pk, "state": current.state,
                                  "text": f"{current.unit_name}{t.label}：{current.title[:30]}"}, current.division_code)
    return current


def add_task_note(user, task: Task, text: str, attachment=None) -> TaskNote:
    scope.check_can_see(task, user)
    scope.check_can_write(Task, user, task.division_code)
    if not (text or "").strip() and attachment is None:
        raise ValidationFailed("请填写内容或上传附件", fields={"text": ["必填"]})
    with audited_transaction():
        note = _note(user, task, "记录", text, attachment)
        records.note_event(user, task, f"任务记录：{(text or '').strip()[:100]}")
    return note


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def _note(user, task, action, text, attachment) -> TaskNote:
    note = TaskNote(task=task, action=action, text=(text or "").strip(), actor=user, actor_name=_actor_name(user))
    if attachment is not None:
        if attachment.size > MAX_ATTACHMENT_BYTES:
            raise ValidationFailed("附件不能超过 20 MB", fields={"attachment": ["文件过大"]})
        note.attachment = attachment
        note.attachment_name = attachment.name[:200]
    note.save()
    return note


def new_task(user, response: Response, unit_name: str, title: str, organisation_id=None, due_minutes=None) -> Task:
    """A task the commander issues by hand (not from the plan)."""
    if not (unit_name or "").strip() or not (title or "").strip():
        raise ValidationFailed("请填写责任单位和任务内容", fields={"title": ["必填"]})
    with audited_transaction():
        current = _locked(user, response)
        now = timezone.now()
        task = records.create_record(user, Task, {"organisation_id": organisation_id or None}, server=dict(
            response=current, incident=current.incident, unit_name=unit_name.strip(), title=title.strip(),
            level=current.level, issued_at=now,
            due_at=now + dt.timedelta(minutes=int(due_minutes)) if due_minutes else None,
            lon=current.incident.lon, lat=current.incident.lat, division_code=current.division_code,
            is_synthetic=current.is_synthetic), parent=current, validate=False, note="下达任务")
        _timeline(current.incident, f"下达任务（{task.unit_name}）：{task.title[:60]}", user, {"task": task.pk})
    return task


def get_response(user, pk) -> Response:
    response = Response.objects.select_related("plan", "incident").filter(pk=pk).first()
    if response is None:
        raise NotFound(f"应急响应（编号 {pk}）不存在")
    scope.check_can_see(response, user)
    return response


def get_task(user, pk) -> Task:
    task = Task.objects.filter(pk=pk).first()
    if task is None:
        raise NotFound(f"任务（编号 {pk}）不存在")
    scope.check_can_see(task, user)
    return task
