"""Responses (activation, level changes, stand-down), their tasks, and dispatch orders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.rules.task_lifecycle import STATES as TASK_STATES

from .plans import LEVEL_CHOICES, level_label


class Response(ScopedRecord):
    """An activated emergency response to an incident under a plan at a level (Ⅰ–Ⅳ)."""

    write_capability = "command.manage"
    STATES = [("active", "响应中"), ("ended", "已终止")]

    incident = models.ForeignKey("incidents.Incident", verbose_name="事件", on_delete=models.PROTECT,
                                 related_name="responses")
    plan = models.ForeignKey("command.Plan", verbose_name="预案", on_delete=models.PROTECT, related_name="responses")
    level = models.PositiveSmallIntegerField("响应级别", choices=LEVEL_CHOICES)
    proposed_level = models.PositiveSmallIntegerField("建议级别", choices=LEVEL_CHOICES, null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=STATES, default="active", db_index=True)
    commander_name = models.CharField("指挥长", max_length=100, blank=True)
    activated_at = models.DateTimeField("启动时间", default=timezone.now)
    ended_at = models.DateTimeField("终止时间", null=True, blank=True)
    reason = models.TextField("启动理由", blank=True)

    class Meta:
        ordering = ["-activated_at"]
        verbose_name = "应急响应"

    def __str__(self):
        return f"{self.plan.name} {level_label(self.level)}"

    @property
    def level_label(self) -> str:
        return level_label(self.level)


class ResponseEvent(models.Model):
    """The response's own log: activation, level changes, stand-down (who, when, why)."""

    KINDS = [("activate", "启动响应"), ("change_level", "调整响应级别"), ("stand_down", "终止响应")]

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField("类型", max_length=14, choices=KINDS)
    from_level = models.PositiveSmallIntegerField(null=True, blank=True)
    to_level = models.PositiveSmallIntegerField(null=True, blank=True)
    note = models.TextField("说明", blank=True)
    at = models.DateTimeField("时间", default=timezone.now)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=60)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "响应记录"


class Task(LocatedRecord):
    write_capability = "command.tasks.record"

    response = models.ForeignKey(Response, verbose_name="响应", on_delete=models.CASCADE, related_name="tasks")
    incident = models.ForeignKey("incidents.Incident", verbose_name="事件", on_delete=models.PROTECT,
                                 related_name="command_tasks")
    plan_action = models.ForeignKey("command.PlanAction", verbose_name="预案措施", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("regions.Organisation", verbose_name="责任单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("责任单位", max_length=100)
    title = models.CharField("任务", max_length=300)
    level = models.PositiveSmallIntegerField("下达时响应级别", choices=LEVEL_CHOICES, null=True, blank=True)
    state = models.CharField("状态", max_length=12, choices=list(TASK_STATES.items()), default="issued", db_index=True)
    issued_at = models.DateTimeField("下达时间", default=timezone.now)
    due_at = models.DateTimeField("完成时限", null=True, blank=True)
    accepted_at = models.DateTimeField("签收时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    cancelled_at = models.DateTimeField("撤销时间", null=True, blank=True)
    result = models.TextField("处置结果", blank=True)

    class Meta:
        ordering = ["issued_at", "pk"]
        verbose_name = "响应任务"

    def __str__(self):
        return f"{self.unit_name}：{self.title[:40]}"


class TaskNote(models.Model):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="notes")
    at = models.DateTimeField("时间", default=timezone.now)
    action = models.CharField("操作", max_length=20, blank=True)
    text = models.TextField("内容", blank=True)
    attachment = models.FileField("附件", upload_to="command/tasks/%Y/%m/", blank=True)
    attachment_name = models.CharField("附件名", max_length=200, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("记录人", max_length=60)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = "任务记录"


class Dispatch(ScopedRecord):
    """A dispatch order: a team (or expert) sent to the scene, or materials sent from a
    warehouse (which becomes an 出库/调拨 movement in the resources ledger)."""

    write_capability = "command.manage"
    KINDS = [("team", "救援队伍"), ("expert", "专家"), ("material", "物资")]
    STATES = [("en_route", "在途"), ("on_scene", "已到达现场"), ("returned", "已归队"), ("delivered", "已送达"),
              ("cancelled", "已撤销")]

    response = models.ForeignKey(Response, verbose_name="响应", on_delete=models.CASCADE, related_name="dispatches")
    incident = models.ForeignKey("incidents.Incident", verbose_name="事件", on_delete=models.PROTECT,
                                 related_name="command_dispatches")
    kind = models.CharField("类型", max_length=10, choices=KINDS)
    team = models.ForeignKey("resources.RescueTeam", verbose_name="队伍", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    expert = models.ForeignKey("resources.Expert", verbose_name="专家", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey("resources.Warehouse", verbose_name="储备库", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    material = models.ForeignKey("resources.Material", verbose_name="物资", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2, null=True, blank=True)
    movement_ids = models.JSONField("台账记录", default=list, blank=True)
    destination = models.CharField("目的地", max_length=200, blank=True)
    dest_lon = models.FloatField("目的地经度", null=True, blank=True)
    dest_lat = models.FloatField("目的地纬度", null=True, blank=True)
    state = models.CharField("状态", max_length=10, choices=STATES, default="en_route", db_index=True)
    route_seconds = models.FloatField("预计行车时间（秒）", null=True, blank=True)
    route_metres = models.FloatField("路程（米）", null=True, blank=True)
    route = models.JSONField("路线", default=list, blank=True)
    dispatched_at = models.DateTimeField("调派时间", default=timezone.now)
    arrived_at = models.DateTimeField("到达时间", null=True, blank=True)
    returned_at = models.DateTimeField("归队时间", null=True, blank=True)
    signer = models.CharField("签发人", max_length=40, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    # A social emergency force (team category 社会应急力量) is called, not ordered: who agreed, when and how.
    consent = models.CharField("社会力量同意情况", max_length=200, blank=True)

    class Meta:
        ordering = ["-dispatched_at"]
        verbose_name = "调度指令"

    def __str__(self):
        what = self.team or self.expert or (f"{self.material} {self.quantity}" if self.material_id else "")
        return f"调派 {what}"
