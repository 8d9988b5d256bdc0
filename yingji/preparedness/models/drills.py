"""Drills (应急演练) and the improvement items their evaluations raise."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yingji.core.models import ScopedRecord

from .plans import TASK_STATES, EmergencyPlan

DRILL_KINDS = [("tabletop", "桌面推演"), ("field", "实战演练"), ("comprehensive", "综合演练"), ("special", "专项演练")]
DRILL_STATES = [("planned", "计划中"), ("held", "已实施")]
RATINGS = [("", "—"), ("good", "好"), ("fair", "一般"), ("poor", "差")]


class Drill(ScopedRecord):
    write_capability = "drills.write"
    scope_enterprise_field = "enterprise"

    title = models.CharField("演练名称", max_length=150)
    kind = models.CharField("演练形式", max_length=16, choices=DRILL_KINDS)
    large = models.BooleanField("大型演练", default=False)
    plan = models.ForeignKey(EmergencyPlan, verbose_name="演练预案", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="drills")
    organiser = models.CharField("组织单位", max_length=100)
    organisation = models.ForeignKey("regions.Organisation", verbose_name="组织单位（组织机构）", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    held_on = models.DateField("演练日期")
    state = models.CharField("状态", max_length=10, choices=DRILL_STATES, default="planned")
    location = models.CharField("地点", max_length=150, blank=True)
    scenario = models.TextField("演练情景", blank=True)
    participants = models.TextField("参演单位和人员", blank=True)
    participant_count = models.PositiveIntegerField("参演人数", default=0)
    evaluation = models.TextField("演练评估", blank=True)
    rating = models.CharField("总体评价", max_length=6, choices=RATINGS, blank=True)

    class Meta:
        ordering = ["-held_on", "pk"]
        verbose_name = "应急演练"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.state == "held" and self.participant_count == 0:
            raise ValidationError({"participant_count": "已实施的演练须填写参演人数"})
        if self.state == "held" and self.held_on and self.held_on > timezone.localdate():
            raise ValidationError({"held_on": "已实施的演练日期不能晚于今天"})


class ImprovementItem(ScopedRecord):
    """A finding of a drill evaluation and the fix, tracked to completion by its owner."""

    write_capability = "drills.write"

    drill = models.ForeignKey(Drill, verbose_name="演练", on_delete=models.CASCADE, related_name="improvements")
    finding = models.TextField("发现的问题")
    action = models.TextField("整改措施")
    owner_unit = models.CharField("责任单位", max_length=100)
    due_on = models.DateField("整改期限")
    plan_issue = models.BooleanField("涉及预案修订", default=False,
                                     help_text="问题需要修订预案时勾选：同时向预案提出修订任务")
    state = models.CharField("状态", max_length=10, choices=TASK_STATES, default="open", editable=False)
    closed_at = models.DateTimeField("完成时间", null=True, editable=False)
    result = models.TextField("整改结果", blank=True, editable=False)

    class Meta:
        ordering = ["state", "due_on", "pk"]
        verbose_name = "演练整改事项"

    def __str__(self):
        return self.finding[:40]
