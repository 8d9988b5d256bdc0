"""The emergency-plan registry (应急预案数据库): plans of every level and kind with their
lifecycle, versions with full text, opinions, named resources, linkage, evaluations and the
revision tasks. Data and invariants only; writes go through ``preparedness.plans``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from yingji.core.models import ScopedRecord
from yingji.rules.incident_types import incident_type_names
from yingji.rules import plan_lifecycle as pl


class EmergencyPlan(ScopedRecord):
    write_capability = "plans.draft"
    scope_enterprise_field = "enterprise"

    name = models.CharField("预案名称", max_length=150)
    kind = models.CharField("预案类别", max_length=30, choices=list(pl.KINDS.items()), db_index=True)
    catastrophe = models.BooleanField("巨灾情景预案", default=False)
    owner_unit = models.CharField("编制单位", max_length=100)
    organisation = models.ForeignKey("regions.Organisation", verbose_name="编制单位（组织机构）", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    event_types = models.JSONField("适用事件类型", default=list, blank=True)
    response_levels = models.TextField("响应分级与启动条件", blank=True)
    document_number = models.CharField("文号", max_length=60, blank=True)
    classified = models.BooleanField("涉密（不公开）", default=False)
    brief = models.TextField("简明版", blank=True)
    electronic = models.ForeignKey("command.Plan", verbose_name="数字化预案（指挥调度使用）", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    # lifecycle (set by the service, never by forms)
    state = models.CharField("状态", max_length=12, choices=list(pl.STATES.items()), default=pl.DRAFTING,
                             editable=False, db_index=True)
    revision = models.PositiveIntegerField("修订版次", default=1, editable=False)
    review_round = models.PositiveIntegerField("审查轮次", default=1, editable=False,
                                               help_text="退回修改后重新征求意见和评审时加一：只有本轮的意见算数")
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="起草人", null=True, editable=False,
                                   on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, editable=False,
                                    on_delete=models.SET_NULL, related_name="+")
    approved_at = models.DateTimeField("审批时间", null=True, editable=False)
    published_at = models.DateTimeField("印发时间", null=True, editable=False)
    filing_due_at = models.DateTimeField("备案期限", null=True, editable=False)
    filed_at = models.DateTimeField("备案时间", null=True, editable=False)
    filing_receipt = models.CharField("备案登记编号", max_length=60, blank=True, editable=False)
    last_evaluated_on = models.DateField("最近评估日期", null=True, editable=False)

    class Meta:
        ordering = ["division_code", "kind", "name"]
        verbose_name = "应急预案"

    def __str__(self):
        return self.name

    def get_event_types_display(self) -> str:
        return incident_type_names(self.event_types)

    @property
    def filing_target(self) -> str:
        return pl.FILING_TARGETS.get(self.kind, "")

    def clean(self):
        super().clean()
        if self.kind in pl.ENTERPRISE_KINDS and not self.enterprise_id:
            raise ValidationError({"enterprise": "企业预案须选择所属企业"})
        if self.kind not in pl.ENTERPRISE_KINDS and self.enterprise_id:
            raise ValidationError({"enterprise": "只有企业预案填写所属企业"})


class PlanVersion(models.Model):
    """One saved text of a plan (a draft or the text that was published), with the uploaded
    file it came from. Versions are never edited; the diff compares any two."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本号")
    revision = models.PositiveIntegerField("修订版次")
    text = models.TextField("正文")
    file_name = models.CharField("原文件", max_length=200, blank=True)
    file_content = models.BinaryField("原文件内容", blank=True, default=b"", editable=False)
    note = models.CharField("修改说明", max_length=200, blank=True)
    published = models.BooleanField("印发版本", default=False)
    created_at = models.DateTimeField("保存时间", auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="保存人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    audit_exclude = ("file_content",)

    class Meta:
        ordering = ["plan", "-number"]
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number")]
        verbose_name = "预案版本"

    def __str__(self):
        return f"{self.plan} 第{self.number}版"


OPINION_STAGES = [("consultation", "征求意见"), ("review", "专家评审")]
CONCLUSIONS = [("pass", "通过"), ("pass_with_changes", "修改后通过"), ("fail", "不通过")]


class PlanOpinion(models.Model):
    """An opinion on a plan: a consulted unit's feedback or one expert's review with a conclusion."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="opinions")
    stage = models.CharField("阶段", max_length=12, choices=OPINION_STAGES)
    revision = models.PositiveIntegerField("修订版次")
    review_round = models.PositiveIntegerField("审查轮次", default=1)
    source = models.CharField("提出单位或专家", max_length=100)
    expert = models.ForeignKey("resources.Expert", verbose_name="评审专家", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="+")
    content = models.TextField("意见内容")
    conclusion = models.CharField("评审结论", max_length=20, choices=CONCLUSIONS, blank=True)
    handling = models.CharField("采纳情况", max_length=200, blank=True)
    recorded_at = models.DateTimeField("登记时间", auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="登记人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "recorded_at", "pk"]
        verbose_name = "预案意见"

    def __str__(self):
        return f"{self.source}：{self.content[:30]}"


LINK_KINDS = [("team", "救援队伍"), ("warehouse", "储备库"), ("shelter", "避难场所"), ("organisation", "成员单位")]


class PlanResource(models.Model):
    """A team, warehouse, shelter or member unit a plan names. The name is kept as written in the
    plan, so a disbanded (deleted) team still shows what the plan relies on."""

    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="resources")
    kind = models.CharField("类别", max_length=12, choices=LINK_KINDS)
    name = models.CharField("预案中的名称", max_length=120)
    team = models.ForeignKey("resources.RescueTeam", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    warehouse = models.ForeignKey("resources.Warehouse", null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    shelter = models.ForeignKey("resources.Shelter", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    organisation = models.ForeignKey("regions.Organisation", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    role = models.CharField("在预案中的任务", max_length=200, blank=True)

    class Meta:
        ordering = ["plan", "kind", "pk"]
        verbose_name = "预案关联资源"

    def __str__(self):
        return f"{self.get_kind_display()}：{self.name}"


RELATIONS = [("parent", "上下级衔接"), ("peer", "同级部门衔接"), ("gov_enterprise", "政企衔接"), ("neighbour", "相邻地区衔接")]


class PlanRelation(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="relations")
    other = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="+", verbose_name="衔接预案")
    kind = models.CharField("衔接关系", max_length=16, choices=RELATIONS)
    note = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "other", "kind"], name="plan_relation_once")]
        verbose_name = "预案衔接"

    def __str__(self):
        return f"{self.get_kind_display()}：{self.other}"


EVALUATION_CONCLUSIONS = [("keep", "继续有效"), ("revise", "需要修订")]


class PlanEvaluation(models.Model):
    plan = models.ForeignKey(EmergencyPlan, on_delete=models.CASCADE, related_name="evaluations")
    evaluated_on = models.DateField("评估日期")
    evaluators = models.CharField("评估人员", max_length=200)
    conclusion = models.CharField("评估结论", max_length=10, choices=EVALUATION_CONCLUSIONS)
    findings = models.TextField("评估意见")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["plan", "-evaluated_on"]
        verbose_name = "预案评估"

    def __str__(self):
        return f"{self.plan} {self.evaluated_on:%Y-%m-%d} 评估"


TASK_STATES = [("open", "待办"), ("done", "已完成"), ("cancelled", "已撤销")]


class RevisionTask(ScopedRecord):
    """A condition that forces a revision, raised as a task with an owner and a deadline."""

    write_capability = "plans.draft"

    plan = models.ForeignKey(EmergencyPlan, verbose_name="预案", on_delete=models.CASCADE, related_name="revision_tasks")
    trigger = models.CharField("修订情形", max_length=20, choices=list(pl.REVISION_TRIGGERS.items()))
    detail = models.TextField("具体情况")
    owner_unit = models.CharField("责任单位", max_length=100)
    due_on = models.DateField("完成期限")
    state = models.CharField("状态", max_length=10, choices=TASK_STATES, default="open", editable=False)
    closed_at = models.DateTimeField("完成时间", null=True, editable=False)
    result = models.TextField("办理结果", blank=True, editable=False)
    source_key = models.CharField("来源", max_length=60, blank=True, editable=False,
                                  help_text="自动提出的任务的来源（避免重复提出）")

    class Meta:
        ordering = ["state", "due_on", "pk"]
        verbose_name = "预案修订任务"
        constraints = [models.UniqueConstraint(fields=["plan", "source_key"], condition=~models.Q(source_key=""),
                                               name="revision_task_source_once")]

    def __str__(self):
        return f"{self.plan}：{self.get_trigger_display()}"
