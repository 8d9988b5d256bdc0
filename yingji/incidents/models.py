"""Incidents (突发事件信息报告): intake, versioned reports, receipts, deadlines, timeline."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.core.registry import format_number
from yingji.regions.services import full_name
from yingji.rules.accident import wan_yuan
from yingji.rules.incident_types import CATEGORIES, INCIDENT_TYPES, GradingTable, incident_type
from yingji.rules.report_chain import REPORT_KINDS, STATES

SOURCES = [
    ("phone", "电话"),
    ("enterprise", "企业报告"),
    ("subordinate", "下级上报"),
    ("monitoring", "监测报警"),
    ("public", "群众"),
    ("media", "媒体"),
    ("department", "部门通报"),
]
TYPE_CHOICES = [(t.code, f"{t.category_name}·{t.name}") for t in INCIDENT_TYPES]
NON_NEGATIVE = [MinValueValidator(0, "不能为负数")]

# Figures carried by the intake and by every report; the incident's current figures are the
# latest report's.
FIGURE_FIELDS = ("deaths", "missing", "serious_injuries", "injuries", "trapped", "relocated",
                 "affected_population", "direct_loss_yuan")
FIGURE_LABELS = {
    "deaths": "死亡", "missing": "失踪（下落不明）", "serious_injuries": "重伤（含急性工业中毒）", "injuries": "轻伤",
    "trapped": "被困", "relocated": "紧急转移安置", "affected_population": "受灾（影响）人口",
    "direct_loss_yuan": "直接经济损失（元）",
}


def _band_text(band, unit: str) -> str:
    """lo ≤ x < hi as a plan writes it (以上含本数，以下不含本数)."""
    lo = f"{format_number(band.lo)}{unit}以上" if band.lo is not None else ""
    hi = f"{format_number(band.hi)}{unit}以下" if band.hi is not None else ""
    return f"（{lo}{hi}）" if lo or hi else ""


def figure_label(name: str) -> str:
    """The figure's name without the unit of its input field (直接经济损失, not …（元）)."""
    return FIGURE_LABELS[name].removesuffix("（元）")


class Figures(models.Model):
    deaths = models.PositiveIntegerField("死亡人数", default=0, validators=NON_NEGATIVE)
    missing = models.PositiveIntegerField("失踪人数", default=0, validators=NON_NEGATIVE)
    serious_injuries = models.PositiveIntegerField("重伤人数（含急性工业中毒）", default=0, validators=NON_NEGATIVE)
    injuries = models.PositiveIntegerField("轻伤人数", default=0, validators=NON_NEGATIVE)
    trapped = models.PositiveIntegerField("被困人数", default=0, validators=NON_NEGATIVE)
    relocated = models.PositiveIntegerField("紧急转移安置人数", default=0, validators=NON_NEGATIVE)
    affected_population = models.PositiveIntegerField("受灾（影响）人口", default=0, validators=NON_NEGATIVE)
    direct_loss_yuan = models.DecimalField("初步估计直接经济损失（元）", max_digits=16, decimal_places=2, default=0,
                                           validators=NON_NEGATIVE)
    grade_level = models.PositiveSmallIntegerField("等级", null=True, blank=True)
    grade_name = models.CharField("等级名称", max_length=30, blank=True)
    grade_reasons = models.JSONField("定级依据", default=list, blank=True)
    grade_basis = models.CharField("分级标准", max_length=120, blank=True)

    class Meta:
        abstract = True

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in FIGURE_FIELDS}


class Incident(LocatedRecord, Figures):
    """One 突发事件 as the duty room knows it. ``division_code`` is where it happened."""

    write_capability = "incidents.report"

    client_token = models.UUIDField("提交令牌", unique=True,
                                    help_text="同一次接报的重复提交（双击、网络重试）只建一条事件")
    title = models.CharField("事件名称", max_length=120)
    source = models.CharField("信息来源", max_length=20, choices=SOURCES)
    type_code = models.CharField("事件类型", max_length=60, choices=TYPE_CHOICES)
    category = models.CharField("事件类别", max_length=20)
    received_at = models.DateTimeField("接报时间")
    occurred_at = models.DateTimeField("事发时间", null=True, blank=True)
    address = models.CharField("事发地点", max_length=200, blank=True)
    caller_name = models.CharField("报告人", max_length=60, blank=True)
    caller_phone = models.CharField("报告人电话", max_length=40, blank=True)
    caller_unit = models.CharField("报告单位", max_length=100, blank=True)
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="涉事企业", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="incidents")
    description = models.TextField("事件简要情况")
    receiving_unit = models.ForeignKey("regions.Organisation", verbose_name="接报单位", on_delete=models.PROTECT,
                                       related_name="received_incidents")
    received_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接报人", null=True,
                                    on_delete=models.SET_NULL, related_name="+")
    state = models.CharField("报告状态", max_length=20, choices=list(STATES.items()), default="received")
    closed_at = models.DateTimeField("办结时间", null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "突发事件"
        indexes = [models.Index(fields=["division_code", "state"]), models.Index(fields=["received_at"])]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.state != "closed"

    @property
    def place(self) -> str:
        """The address as reported, else the division's full name (e.g. 阜新市彰武县)."""
        return self.address or full_name(self.division_code)


class IncidentAttachment(ScopedRecord):
    write_capability = "incidents.report"

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="incidents/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    size = models.PositiveIntegerField("大小（字节）", default=0)

    class Meta:
        ordering = ["created_at"]
        verbose_name = "事件附件"

    def __str__(self):
        return self.name


def figure_text(name: str, value) -> str:
    """A figure as a bureau writes it: people as integers, the loss in 万元 (entered in 元)."""
    if name == "direct_loss_yuan":
        return wan_yuan(value or 0)
    return str(value)


def figure_changes(before: dict, after: dict) -> list[dict]:
    """The figures that differ, in the order of FIGURE_FIELDS, as text ready to show."""
    return [{"field": name, "label": figure_label(name), "before": figure_text(name, before.get(name, 0)),
             "after": figure_text(name, after.get(name, 0))}
            for name in FIGURE_FIELDS if Decimal(str(before.get(name, 0))) != Decimal(str(after.get(name, 0)))]


def changes_text(changes: list[dict]) -> str:
    return "、".join(f"{c['label']} {c['before']}→{c['after']}" for c in changes)


class IncidentReport(ScopedRecord, Figures):
    """One version of the incident report: 首报, 续报 (any number), 终报, 补报. Never edited."""

    write_capability = "incidents.report"
    KINDS = list(REPORT_KINDS.items())

    incident = models.ForeignKey(Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="reports")
    kind = models.CharField("报告类型", max_length=12, choices=KINDS)
    sequence = models.PositiveIntegerField("版本号")
    kind_sequence = models.PositiveIntegerField("同类序号", default=1)
    title = models.CharField("标题", max_length=160)
    reporting_unit = models.ForeignKey("regions.Organisation", verbose_name="报送单位", on_delete=models.PROTECT,
                                       related_name="incident_reports")
    issuer = models.CharField("签发人", max_length=40)
    report_at = models.DateTimeField("报告时间")
    unit_overview = models.TextField("事故发生单位概况", blank=True)
    time_place_scene = models.TextField("事故发生的时间、地点以及事故现场情况", blank=True)
    brief_course = models.TextField("事故的简要经过", blank=True)
    casualties_and_loss = models.TextField("伤亡人数和初步估计的直接经济损失", blank=True)
    measures_taken = models.TextField("已经采取的措施", blank=True)
    other_matters = models.TextField("其他应当报告的情况", blank=True)
    # What this report changed against the last known figures (the intake's for the first report,
    # else the previous report's): [{"field", "label", "before", "after"}], kept as filed.
    compared_with = models.CharField("对比对象", max_length=40, blank=True)
    changes = models.JSONField("与上次相比的变化", default=list, blank=True)

    class Meta:
        ordering = ["incident", "sequence"]
        verbose_name = "事件报告"
        constraints = [models.UniqueConstraint(fields=["incident", "sequence"], name="incident_report_sequence")]

    @property
    def changes_text(self) -> str:
        return changes_text(self.changes)

    def __str__(self):
        label = self.get_kind_display()
        if self.kind in ("follow_up", "supplement"):
            label += f"（第{self.kind_sequence}次）"
        return f"{self.incident.title if self.incident_id else ''} · {label}"


class ReportReceipt(ScopedRecord):
    """A report delivered to another duty room (upward) or forwarded to a department.

    ``division_code`` is the receiving unit's; ``received_at`` is when it arrived there (deadlines
    of that level run from it); ``acknowledged_*`` is who signed for it and when.
    """

    write_capability = "incidents.report"
    ROUTES = [("upward", "上报上级"), ("forward", "转送部门")]

    report = models.ForeignKey(IncidentReport, verbose_name="报告", on_delete=models.CASCADE, related_name="receipts")
    incident = models.ForeignKey(Incident, verbose_name="事件", on_delete=models.CASCADE, related_name="receipts")
    route = models.CharField("方式", max_length=10, choices=ROUTES)
    sending_unit = models.ForeignKey("regions.Organisation", verbose_name="报送单位", on_delete=models.PROTECT,
                                     related_name="+")
    receiving_unit = models.ForeignKey("regions.Organisation", verbose_name="接收单位", on_delete=models.PROTECT,
                                       related_name="incident_receipts")
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", null=True, on_delete=models.SET_NULL,
                                related_name="+")
    received_at = models.DateTimeField("送达时间")
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签收人", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField("签收时间", null=True, blank=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "报告接收记录"
        constraints = [models.UniqueConstraint(fields=["report", "receiving_unit"], name="receipt_once_per_unit")]

    def __str__(self):
        return f"{self.report} → {self.receiving_unit.name if self.receiving_unit_id else ''}"


class IncidentDeadline(ScopedRecord):
    """A reporting deadline of one unit (duty room) for one incident."""

    write_capability = "incidents.report"
    STATUSES = [("pending", "待完成"), ("done", "已完成"), ("cancelled", "不再适用")]

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadlines")
    unit = models.ForeignKey("regions.Organisation", verbose_name="责任单位", on_delete=models.PROTECT,
                             related_name="incident_deadlines")
    level_from_unit = models.PositiveSmallIntegerField("层级", default=1)
    kind = models.CharField("时限类型", max_length=40)
    label = models.CharField("时限", max_length=60)
    starts_at = models.DateTimeField("起算时间")
    clock = models.CharField("起算依据", max_length=20)
    due_at = models.DateTimeField("截止时间", db_index=True)
    source = models.CharField("依据", max_length=300)
    window = models.BooleanField("期间型（非报告截止）", default=False)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="pending")
    done_at = models.DateTimeField("完成时间", null=True, blank=True)
    done_note = models.CharField("完成说明", max_length=200, blank=True)
    overdue_alerted_at = models.DateTimeField("超时提醒时间", null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = "报告时限"
        constraints = [models.UniqueConstraint(fields=["incident", "unit", "kind"], name="deadline_once_per_unit_kind")]

    def __str__(self):
        return f"{self.label}（{self.unit.name if self.unit_id else ''}）"

    @property
    def late(self) -> bool:
        if self.window or self.status == "cancelled":
            return False
        return (self.done_at or timezone.now()) > self.due_at


class TimelineEntry(models.Model):
    """The incident timeline: every report, call, change and action, who and when."""

    KINDS = [
        ("intake", "接报"), ("report", "报告"), ("upward", "上报"), ("forward", "转送"), ("receipt", "签收"),
        ("call", "电话"), ("action", "处置措施"), ("grade", "等级变化"), ("change", "信息变更"),
        ("deadline", "时限"), ("overdue", "超时"), ("close", "办结"), ("document", "公文"),
    ]

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="timeline")
    at = models.DateTimeField("时间", db_index=True)
    recorded_at = models.DateTimeField("记录时间", auto_now_add=True)
    kind = models.CharField("类型", max_length=12, choices=KINDS)
    text = models.TextField("内容")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("记录人", max_length=60)
    unit_name = models.CharField("单位", max_length=100, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name = "事件时间线"

    def __str__(self):
        return f"{self.get_kind_display()}：{self.text[:40]}"


class GradingTableConfig(ScopedRecord):
    """A configurable grading table for non-accident types of one jurisdiction.

    ``event_scope`` is a category code (e.g. ``natural``) or a sub-type code; ``table`` is the
    JSON form read by ``yingji.rules.incident_types.GradingTable.from_dict``. The most specific
    row (longest division prefix, then sub-type over category) wins over the shipped default.
    """

    event_scope = models.CharField("适用类别或类型代码", max_length=60)
    table = models.JSONField("分级表（JSON）")
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["division_code", "event_scope"]
        verbose_name = "事件分级表"

    def __str__(self):
        return f"{self.table.get('name', self.event_scope) if isinstance(self.table, dict) else self.event_scope}"

    def get_event_scope_display(self) -> str:
        """The category or sub-type by name (自然灾害 / 自然灾害·洪涝灾害), not its code."""
        if self.event_scope in CATEGORIES:
            return CATEGORIES[self.event_scope]
        try:
            return incident_type(self.event_scope).name
        except ValueError:
            return self.event_scope

    def get_table_display(self) -> str:
        """The table as its document states it: each criterion's bands per level."""
        try:
            table = GradingTable.from_dict(self.table)
        except (KeyError, TypeError, ValueError, AttributeError):
            return "（分级表格式不正确）"
        lines = [table.name + (f"（{table.source}）" if table.source else "")]
        for criterion in table.criteria:
            bands = "，".join(f"{table.level_names.get(b.label, b.label)}{_band_text(b, criterion.unit)}"
                              for b in criterion.bands)
            lines.append(f"{criterion.name}：{bands}")
        return "；".join(lines)

    def clean(self):
        super().clean()
        if self.event_scope not in CATEGORIES:
            try:
                incident_type(self.event_scope)
            except ValueError as exc:
                raise ValidationError({"event_scope": str(exc)}) from exc
        try:
            GradingTable.from_dict(self.table)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValidationError({"table": f"分级表格式不正确：{exc}"}) from exc
