"""The hidden-hazard loop (双重预防): checklists, inspection tasks, hidden hazards and photos."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.regions.models import Enterprise
from yingji.rules import hidden_hazard as loop

from .base import EnterpriseOwned


class Checklist(EnterpriseOwned, ScopedRecord):
    """A safety checklist (检查表): one item per line, ``条款依据｜检查内容``."""

    write_capability = "hazards.write"

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="企业自编（留空为通用）", null=True,
                                   blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField("检查表名称", max_length=120)
    industry = models.CharField("适用行业", max_length=20, blank=True,
                                choices=[("", "通用"), *Enterprise.INDUSTRIES])
    items = models.TextField("检查项（每行一项：条款依据｜检查内容）")

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "检查表"

    def __str__(self):
        return self.name

    def item_list(self) -> list[dict]:
        rows = []
        for line in self.items.splitlines():
            line = line.strip()
            if not line:
                continue
            clause, _, content = line.replace("|", "｜").partition("｜")
            rows.append({"clause": clause.strip() if content else "", "content": (content or clause).strip()})
        return rows

    def clean(self):
        if self.enterprise_id:
            self.follow_enterprise(self.enterprise)
        super().clean()
        if not self.item_list():
            raise ValidationError({"items": "检查表至少需要一项检查内容"})


class InspectionTask(EnterpriseOwned, ScopedRecord):
    """An inspection task (检查任务): a supervisor's inspection or an enterprise self-check."""

    write_capability = "hazards.write"
    KINDS = [("supervision", "监管检查"), ("self_check", "企业自查")]
    STATUSES = [("planned", "待检查"), ("in_progress", "检查中"), ("completed", "已完成")]

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="被检查企业", on_delete=models.PROTECT,
                                   related_name="inspections")
    kind = models.CharField("检查类型", max_length=12, choices=KINDS, default="supervision")
    title = models.CharField("任务名称", max_length=120)
    checklist = models.ForeignKey(Checklist, verbose_name="检查表", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="tasks")
    inspectors = models.CharField("检查人员", max_length=120, blank=True)
    planned_on = models.DateField("计划检查日期", default=timezone.localdate)
    executed_on = models.DateField("实际检查日期", null=True, blank=True)
    status = models.CharField("任务状态", max_length=12, choices=STATUSES, default="planned")
    summary = models.TextField("检查结论", blank=True)
    items = models.JSONField("检查项（来自检查表）", default=list, editable=False)

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = "检查任务"

    def __str__(self):
        return self.title

    def clean(self):
        if self.enterprise_id:
            self.follow_enterprise(self.enterprise)
        super().clean()
        if self.checklist_id and not self.items:
            self.items = self.checklist.item_list()
        if self.status == "completed" and not self.executed_on:
            raise ValidationError({"executed_on": "已完成的检查任务须填写实际检查日期"})


class HiddenHazard(EnterpriseOwned, LocatedRecord):
    """A hidden hazard (事故隐患) moving through the four-lists loop.

    ``state`` and everything the loop records are not editable by forms: they change only
    through :func:`yingji.hazards.loop.transition` (checked, audited).
    """

    write_capability = "hazards.report"
    SOURCES = [("self_check", "企业自查自报"), ("inspection", "监管检查发现"), ("report", "举报及其他")]
    GRADES = list(loop.GRADES.items())
    STATES = list(loop.STATES.items())

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", on_delete=models.PROTECT,
                                   related_name="hidden_hazards")
    inspection = models.ForeignKey(InspectionTask, verbose_name="检查任务", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="hidden_hazards")
    title = models.CharField("隐患名称", max_length=120)
    description = models.TextField("隐患描述")
    location_text = models.CharField("隐患部位", max_length=120, blank=True)
    clause = models.CharField("违反的法规标准条款", max_length=200, blank=True)
    source = models.CharField("隐患来源", max_length=12, choices=SOURCES, default="self_check")
    proposed_grade = models.CharField("初判等级", max_length=10, choices=GRADES, default=loop.GRADE_GENERAL)
    discovered_on = models.DateField("发现日期", default=timezone.localdate)
    # --- recorded by the loop -----------------------------------------------------------
    grade = models.CharField("隐患等级", max_length=10, choices=GRADES, blank=True, editable=False)
    state = models.CharField("状态", max_length=24, choices=STATES, default=loop.INITIAL_STATE, editable=False,
                             db_index=True)
    state_changed_at = models.DateTimeField("状态变更时间", null=True, blank=True, editable=False)
    measures = models.TextField("整改措施", blank=True, editable=False)
    responsible_person = models.CharField("整改责任人", max_length=60, blank=True, editable=False)
    funds_yuan = models.DecimalField("整改资金（元）", max_digits=14, decimal_places=2, null=True, blank=True,
                                     editable=False)
    deadline = models.DateField("整改期限", null=True, blank=True, editable=False)
    plan_goals = models.TextField("治理目标和任务", blank=True, editable=False)
    plan_safety_measures = models.TextField("安全措施和应急预案", blank=True, editable=False)
    plan_approved = models.BooleanField("治理方案已批准", default=False, editable=False)
    is_supervised = models.BooleanField("挂牌督办", default=False, editable=False)
    supervising_unit = models.CharField("督办单位", max_length=100, blank=True, editable=False)
    supervision_number = models.CharField("督办文号", max_length=60, blank=True, editable=False)
    supervised_on = models.DateField("挂牌日期", null=True, blank=True, editable=False)
    evaluation_report = models.TextField("治理效果评估报告", blank=True, editable=False)
    review_opinion = models.TextField("复查/审查意见", blank=True, editable=False)
    last_reason = models.TextField("最近退回/不通过理由", blank=True, editable=False)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField("逾期升级级别", default=0, editable=False)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True, editable=False)
    escalated_to = models.CharField("升级督办至", max_length=12, blank=True, editable=False)

    class Meta:
        ordering = ["-discovered_on", "-pk"]
        verbose_name = "隐患"

    def __str__(self):
        return self.title

    def clean(self):
        if self.enterprise_id:
            self.follow_enterprise(self.enterprise)
        super().clean()
        if self.inspection_id and self.inspection.enterprise_id != self.enterprise_id:
            raise ValidationError({"inspection": "检查任务与隐患所属企业不一致"})

    @property
    def is_major(self) -> bool:
        return (self.grade or self.proposed_grade) == loop.GRADE_MAJOR

    def is_overdue(self, now=None) -> bool:
        return loop.is_overdue(self.deadline, self.state, now or timezone.localdate())


def photo_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()
    return f"hazards/photos/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class HazardPhoto(EnterpriseOwned, ScopedRecord):
    """A photo of a hidden hazard: at discovery, after rectification, at review."""

    write_capability = "hazards.report"
    STAGES = [("discovery", "发现时"), ("rectification", "整改后"), ("review", "复查时")]

    hazard = models.ForeignKey(HiddenHazard, verbose_name="隐患", on_delete=models.PROTECT, related_name="photos")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", on_delete=models.PROTECT,
                                   related_name="+", blank=True, editable=False)
    stage = models.CharField("阶段", max_length=16, choices=STAGES, default="discovery")
    image = models.FileField("照片", upload_to=photo_path)
    caption = models.CharField("说明", max_length=120, blank=True)
    content_type = models.CharField("文件类型", max_length=40, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)

    class Meta:
        ordering = ["hazard", "pk"]
        verbose_name = "隐患照片"

    def __str__(self):
        return f"{self.hazard} · {self.get_stage_display()}照片"

    def clean(self):
        if self.hazard_id:
            self.enterprise_id = self.hazard.enterprise_id
            self.division_code = self.hazard.division_code
        super().clean()
