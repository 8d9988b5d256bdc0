"""Government affairs (政务管理): 督查督办 tasks with their feedback, the annual assessment
(items, scores, per-unit bonus and veto) and the register of incoming and outgoing documents."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yingji.core.models import ScopedRecord
from yingji.regions.models import Organisation
from yingji.regions.services import name_of
from yingji.rules import affairs as rules


class OfficialDocument(ScopedRecord):
    """收发文: an incoming or outgoing document with its number, urgency, circulation and sign-off."""

    write_capability = "affairs.assign"
    DIRECTIONS = [("in", "收文"), ("out", "发文")]
    URGENCIES = [("normal", "平件"), ("urgent", "加急"), ("extra", "特急")]
    SECRECY = [("public", "公开"), ("internal", "内部")]  # classified documents are not kept on this platform
    STATES = [("registered", "已登记"), ("circulating", "传阅中"), ("signed", "已签批"), ("filed", "已归档")]

    direction = models.CharField("收发类别", max_length=3, choices=DIRECTIONS)
    number = models.CharField("文号", max_length=80)
    title = models.CharField("标题", max_length=200)
    counterpart = models.CharField("来文单位 / 主送单位", max_length=120)
    dated = models.DateField("收文 / 发文日期")
    urgency = models.CharField("紧急程度", max_length=8, choices=URGENCIES, default="normal")
    secrecy = models.CharField("公开属性", max_length=10, choices=SECRECY, default="internal")
    state = models.CharField("办理状态", max_length=12, choices=STATES, default="registered")
    circulation = models.TextField("传阅记录（每行：日期 人员 意见）", blank=True)
    signed_by = models.CharField("签批领导", max_length=60, blank=True)
    signed_on = models.DateField("签批日期", null=True, blank=True)

    class Meta:
        ordering = ["-dated", "-pk"]
        verbose_name = "收发文"
        constraints = [models.UniqueConstraint(fields=["direction", "number"], name="affairs_document_number_unique")]

    def __str__(self):
        return f"{self.number} {self.title}"

    def clean(self):
        super().clean()
        if self.state == "signed" and not (self.signed_by and self.signed_on):
            raise ValidationError({"signed_by": "已签批的文件须填写签批领导和签批日期"})


class SupervisionTask(ScopedRecord):
    """A 督查督办 item assigned by the city to a county or department (filed under its division)."""

    write_capability = "affairs.assign"
    SOURCES = list(rules.SOURCES.items())
    STATES = list(rules.STATES.items())

    title = models.CharField("督办事项", max_length=200)
    source = models.CharField("来源", max_length=12, choices=SOURCES, default="meeting")
    content = models.TextField("督办要求")
    assignee = models.CharField("承办单位", max_length=120)
    responsible_person = models.CharField("责任人", max_length=40, blank=True)
    deadline = models.DateField("办结时限")
    document = models.ForeignKey(OfficialDocument, verbose_name="关联文件", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="tasks")
    state = models.CharField("状态", max_length=12, choices=STATES, default="assigned", editable=False, db_index=True)
    progress = models.TextField("最近进展", blank=True, editable=False)
    done_on = models.DateField("办结日期", null=True, blank=True, editable=False)
    escalation_level = models.PositiveSmallIntegerField("逾期级别", default=0, editable=False)
    escalated_at = models.DateTimeField("升级时间", null=True, blank=True, editable=False)
    reminded_on = models.DateField("提醒日期", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["state", "deadline", "pk"]
        verbose_name = "督办事项"

    def __str__(self):
        return self.title

    @property
    def escalation_label(self) -> str:
        return rules.ESCALATION_LABELS[self.escalation_level]


class TaskFeedback(ScopedRecord):
    write_capability = "affairs.feedback"

    task = models.ForeignKey(SupervisionTask, verbose_name="督办事项", on_delete=models.PROTECT, related_name="feedback")
    kind = models.CharField("类别", max_length=12)
    text = models.TextField("内容")
    day = models.DateField("日期")

    class Meta:
        ordering = ["task", "pk"]
        verbose_name = "督办反馈"

    def __str__(self):
        return f"{self.task}：{self.kind}"


DEPARTMENT_PREFIX = "org:"


def unit_name(unit: str) -> str:
    """An assessed unit's name: a county/district by its code, a department by ``org:<id>``."""
    if unit.startswith(DEPARTMENT_PREFIX):
        org = Organisation.objects.filter(pk=unit[len(DEPARTMENT_PREFIX):]).first()
        return org.name if org else "（已撤销的单位）"
    return name_of(unit)


class Assessment(ScopedRecord):
    """The annual assessment (安全生产和消防工作考核) of the counties/districts and the city's
    departments by the city. ``units`` holds division codes and ``org:<id>`` of departments."""

    write_capability = "affairs.assign"

    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("考核名称", max_length=120)
    units = models.JSONField("被考核单位（区划代码）", default=list)
    total_points = models.DecimalField("满分", max_digits=6, decimal_places=2, default=100)

    class Meta:
        ordering = ["-year", "pk"]
        verbose_name = "年度考核"

    def __str__(self):
        return self.name


class AssessmentItem(ScopedRecord):
    write_capability = "affairs.assign"
    METRICS = list(rules.METRICS.items())

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="items")
    name = models.CharField("考核项目", max_length=120)
    points = models.DecimalField("分值（权重）", max_digits=6, decimal_places=2)
    metric = models.CharField("评分方式", max_length=20, choices=METRICS, blank=True)
    criteria = models.TextField("评分标准", blank=True)

    class Meta:
        ordering = ["assessment", "pk"]
        verbose_name = "考核项目"

    def __str__(self):
        return self.name


class AssessmentScore(ScopedRecord):
    """One unit's score on one item: the evidence the unit gave, the assessors' deduction or the
    platform figure, and the resulting score."""

    write_capability = "affairs.feedback"

    item = models.ForeignKey(AssessmentItem, verbose_name="考核项目", on_delete=models.CASCADE, related_name="scores")
    unit = models.CharField("被考核单位", max_length=12)
    evidence = models.TextField("自评及佐证材料说明", blank=True)
    deduction = models.DecimalField("扣分", max_digits=6, decimal_places=2, null=True, blank=True)
    ratio = models.DecimalField("平台数据得分率", max_digits=7, decimal_places=4, null=True, blank=True)
    figures = models.JSONField("平台数据", default=dict, blank=True)
    score = models.DecimalField("得分", max_digits=6, decimal_places=2, null=True, blank=True)
    remark = models.CharField("评分说明", max_length=200, blank=True)

    class Meta:
        ordering = ["item", "unit"]
        verbose_name = "考核得分"
        constraints = [models.UniqueConstraint(fields=["item", "unit"], name="affairs_one_score_per_item_unit")]

    def __str__(self):
        return f"{self.item} · {unit_name(self.unit)}"


class AssessmentAdjustment(ScopedRecord):
    """Bonus points and the one-vote veto of one unit."""

    write_capability = "affairs.assign"

    assessment = models.ForeignKey(Assessment, verbose_name="考核", on_delete=models.CASCADE, related_name="adjustments")
    unit = models.CharField("被考核单位", max_length=12)
    bonus = models.DecimalField("加分", max_digits=5, decimal_places=2, default=0)
    veto = models.BooleanField("一票否决", default=False)
    reason = models.CharField("加分或否决理由", max_length=200, blank=True)

    class Meta:
        ordering = ["assessment", "unit"]
        verbose_name = "考核加分与否决"
        constraints = [models.UniqueConstraint(fields=["assessment", "unit"], name="affairs_one_adjustment_per_unit")]

    def __str__(self):
        return f"{self.assessment} · {unit_name(self.unit)}"


def evidence_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"affairs/evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


class AssessmentEvidence(ScopedRecord):
    """A file the assessed unit uploads as evidence for one item (佐证材料), kept with its SHA-256."""

    write_capability = "affairs.feedback"

    score = models.ForeignKey(AssessmentScore, verbose_name="考核得分", on_delete=models.PROTECT,
                              related_name="files")
    file = models.FileField("文件", upload_to=evidence_path)
    original_name = models.CharField("原文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）")
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)

    class Meta:
        ordering = ["score", "pk"]
        verbose_name = "考核佐证材料"

    def __str__(self):
        return self.original_name
