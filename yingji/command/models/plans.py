"""Digital plans (数字化预案): levels Ⅰ–Ⅳ with activation conditions, HQ composition,
member units and their duties, and the action steps of each level."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models

from yingji.core.models import ScopedRecord
from yingji.rules.incident_types import incident_type_names


LEVEL_NUMERALS = {1: "Ⅰ", 2: "Ⅱ", 3: "Ⅲ", 4: "Ⅳ"}
LEVEL_CHOICES = [(n, f"{s}级") for n, s in LEVEL_NUMERALS.items()]


def level_label(level: int | None) -> str:
    return f"{LEVEL_NUMERALS[level]}级响应" if level in LEVEL_NUMERALS else "—"


class Plan(ScopedRecord):
    write_capability = "command.manage"
    KINDS = [("general", "总体应急预案"), ("special", "专项应急预案"), ("department", "部门应急预案")]

    name = models.CharField("预案名称", max_length=150)
    kind = models.CharField("预案类别", max_length=12, choices=KINDS, db_index=True)
    event_types = models.JSONField("适用事件类型", default=list, blank=True,
                                   help_text="事件类型代码列表；总体预案留空表示适用全部类型")
    headquarters = models.ForeignKey("regions.Organisation", verbose_name="指挥机构", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="plans")
    hq_composition = models.TextField("指挥部组成", blank=True)
    lead_unit = models.CharField("牵头单位", max_length=100, blank=True)
    document_number = models.CharField("文号", max_length=60, blank=True)
    source = models.CharField("依据/来源", max_length=300, blank=True)
    summary = models.TextField("预案简本", blank=True)
    is_active = models.BooleanField("现行有效", default=True)

    class Meta:
        ordering = ["division_code", "kind", "name"]
        verbose_name = "应急预案"

    def __str__(self):
        return self.name

    def get_event_types_display(self) -> str:
        return incident_type_names(self.event_types)


class PlanLevel(models.Model):
    """One response level of a plan: when it is activated, who commands, what happens."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="levels")
    level = models.PositiveSmallIntegerField("响应级别", choices=LEVEL_CHOICES,
                                             validators=[MinValueValidator(1), MaxValueValidator(4)])
    incident_grades = models.JSONField("对应事件等级", default=list, blank=True,
                                       help_text="事件等级 1 特别重大 … 4 一般")
    activation_conditions = models.TextField("启动条件")
    commander = models.CharField("指挥长", max_length=100, blank=True)
    decided_by = models.CharField("决定启动", max_length=100, blank=True)

    class Meta:
        ordering = ["plan", "level"]
        unique_together = [("plan", "level")]
        verbose_name = "预案响应级别"

    def __str__(self):
        return f"{self.plan.name} {level_label(self.level)}"


class PlanMember(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="members")
    organisation = models.ForeignKey("regions.Organisation", verbose_name="成员单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    unit_name = models.CharField("成员单位", max_length=100)
    role = models.CharField("组内职务", max_length=60, blank=True)
    duties = models.TextField("职责")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan", "order", "pk"]
        verbose_name = "预案成员单位"

    def __str__(self):
        return self.unit_name


class PlanAction(models.Model):
    """An action step of a level; activating the level turns it into a task for the unit."""

    level = models.ForeignKey(PlanLevel, on_delete=models.CASCADE, related_name="actions")
    order = models.PositiveSmallIntegerField("顺序", default=0)
    unit_name = models.CharField("责任单位", max_length=100)
    organisation = models.ForeignKey("regions.Organisation", verbose_name="责任单位", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    action = models.TextField("行动措施")
    due_minutes = models.PositiveIntegerField("完成时限（分钟）", null=True, blank=True)

    class Meta:
        ordering = ["level", "order", "pk"]
        verbose_name = "预案行动措施"

    def __str__(self):
        return f"{self.unit_name}：{self.action[:30]}"
