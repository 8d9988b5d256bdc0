"""Table-top replay (桌面推演): a drill's scenario injects and its plan's response steps, replayed
one at a time against the clock, each decision and the time it took recorded."""

from __future__ import annotations

from django.db import models

from yingji.core.models import ScopedRecord

from .drills import Drill

RUN_STATES = [("running", "推演中"), ("finished", "已结束")]
STEP_KINDS = [("inject", "情景注入"), ("action", "预案响应措施")]


class TabletopRun(ScopedRecord):
    write_capability = "drills.write"

    drill = models.ForeignKey(Drill, verbose_name="演练", on_delete=models.PROTECT, related_name="tabletop_runs")
    level = models.PositiveSmallIntegerField("推演的响应级别")
    started_at = models.DateTimeField("开始时间", editable=False)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True, editable=False)
    state = models.CharField("状态", max_length=10, choices=RUN_STATES, default="running", editable=False)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = "桌面推演"

    def __str__(self):
        return f"{self.drill} 桌面推演"


class TabletopStep(ScopedRecord):
    write_capability = "drills.write"

    run = models.ForeignKey(TabletopRun, verbose_name="桌面推演", on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField("顺序")
    kind = models.CharField("类别", max_length=8, choices=STEP_KINDS)
    unit_name = models.CharField("责任单位", max_length=100, blank=True)
    text = models.TextField("内容")
    at_minute = models.PositiveIntegerField("注入时间（第几分钟）", null=True, blank=True)
    due_minutes = models.PositiveIntegerField("预案时限（分钟）", null=True, blank=True)
    done_at = models.DateTimeField("完成时间", null=True, blank=True, editable=False)
    decision = models.TextField("决策与处置记录", blank=True, editable=False)
    elapsed_minutes = models.PositiveIntegerField("用时（分钟）", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["run", "order"]
        verbose_name = "推演步骤"

    def __str__(self):
        return self.text[:40]

    @property
    def late(self) -> bool:
        return self.due_minutes is not None and self.elapsed_minutes is not None and self.elapsed_minutes > self.due_minutes
