"""Duty (值班): rosters with three tiers, swaps, handovers, daily reports, phone book."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yingji.core.models import ScopedRecord


TIERS = [
    ("leader", "带班领导"),
    ("chief", "值班长（值班科长）"),
    ("officer", "值班员"),
]
TIER_ORDER = {code: i for i, (code, _) in enumerate(TIERS)}


class DutyRoster(ScopedRecord):
    """One unit's duty roster for one month (排班表)."""

    write_capability = "duty.write"

    organisation = models.ForeignKey("regions.Organisation", verbose_name="值班单位", on_delete=models.PROTECT,
                                     related_name="duty_rosters")
    month = models.DateField("月份", help_text="该月第一天，如 2026-05-01")
    notes = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["-month", "division_code"]
        verbose_name = "值班表"
        constraints = [models.UniqueConstraint(fields=["organisation", "month"], name="duty_roster_unit_month")]

    def __str__(self):
        return f"{self.organisation.name if self.organisation_id else ''} {self.month:%Y年%m月}值班表"

    def clean(self):
        if self.organisation_id:
            self.division_code = self.organisation.division_code
        if self.month:
            if self.month.day != 1:
                self.month = self.month.replace(day=1)
        super().clean()


class DutyShift(ScopedRecord):
    """One person on duty in one tier for one period (usually 24 h from 08:30)."""

    write_capability = "duty.write"

    roster = models.ForeignKey(DutyRoster, verbose_name="值班表", on_delete=models.CASCADE, related_name="shifts")
    tier = models.CharField("岗位", max_length=10, choices=TIERS)
    person_name = models.CharField("值班人员", max_length=40)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    starts_at = models.DateTimeField("开始时间")
    ends_at = models.DateTimeField("结束时间")

    class Meta:
        ordering = ["starts_at", "tier"]
        verbose_name = "值班班次"
        indexes = [models.Index(fields=["division_code", "starts_at", "ends_at"])]

    def __str__(self):
        start = timezone.localtime(self.starts_at) if self.starts_at else None
        return f"{self.get_tier_display()} {self.person_name} {start:%m-%d %H:%M}" if start else self.person_name

    def clean(self):
        if self.roster_id:
            self.division_code = self.roster.division_code
        super().clean()
        if self.starts_at and self.ends_at:
            if self.ends_at <= self.starts_at:
                raise ValidationError({"ends_at": "结束时间必须晚于开始时间"})
            if self.ends_at - self.starts_at > dt.timedelta(hours=72):
                raise ValidationError({"ends_at": "一个班次不能超过72小时"})
            if self.roster_id:
                local = timezone.localtime(self.starts_at).date()
                if (local.year, local.month) != (self.roster.month.year, self.roster.month.month):
                    raise ValidationError({"starts_at": f"开始时间不在值班表月份（{self.roster.month:%Y年%m月}）内"})
                clash = (DutyShift.objects.filter(roster_id=self.roster_id, tier=self.tier,
                                                  starts_at__lt=self.ends_at, ends_at__gt=self.starts_at)
                         .exclude(pk=self.pk).first())
                if clash is not None:
                    raise ValidationError({"starts_at": f"与已有班次重叠：{clash}"})


class ShiftSwap(ScopedRecord):
    """A request to hand one shift to someone else; takes effect when approved (调班审批)."""

    write_capability = "duty.swaps.write"
    STATUSES = [("pending", "待审批"), ("approved", "已批准"), ("rejected", "已驳回")]

    shift = models.ForeignKey(DutyShift, verbose_name="班次", on_delete=models.CASCADE, related_name="swaps")
    original_name = models.CharField("原值班人员", max_length=40)
    replacement_name = models.CharField("替班人员", max_length=40)
    replacement_phone = models.CharField("替班人员电话", max_length=40, blank=True)
    reason = models.CharField("调班原因", max_length=200)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="pending")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审批人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("审批时间", null=True, blank=True)
    decision_note = models.CharField("审批意见", max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "调班申请"

    def __str__(self):
        return f"调班：{self.original_name} → {self.replacement_name}"


class Handover(ScopedRecord):
    """交接班记录: written by the outgoing shift, acknowledged by the incoming shift."""

    write_capability = "duty.handovers.write"

    organisation = models.ForeignKey("regions.Organisation", verbose_name="值班单位", on_delete=models.PROTECT,
                                     related_name="handovers")
    outgoing_name = models.CharField("交班人", max_length=40)
    incoming_name = models.CharField("接班人", max_length=40)
    handed_over_at = models.DateTimeField("交班时间")
    summary = models.TextField("本班值班情况")
    pending_items = models.TextField("待办及需跟踪事项", blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接班确认人", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledged_at = models.DateTimeField("接班确认时间", null=True, blank=True)
    acknowledge_note = models.CharField("接班意见", max_length=200, blank=True)

    class Meta:
        ordering = ["-handed_over_at"]
        verbose_name = "交接班记录"

    def __str__(self):
        return f"{timezone.localtime(self.handed_over_at):%m-%d %H:%M} {self.outgoing_name}→{self.incoming_name}"


class DailyReport(ScopedRecord):
    """值班日报 / 零报告 of one unit for one day."""

    write_capability = "duty.write"

    organisation = models.ForeignKey("regions.Organisation", verbose_name="报送单位", on_delete=models.PROTECT,
                                     related_name="daily_reports")
    report_date = models.DateField("日期")
    is_zero = models.BooleanField("零报告", default=False)
    incident_count = models.PositiveIntegerField("当日突发事件数", default=0)
    summary = models.TextField("值班情况", blank=True)
    submitted_at = models.DateTimeField("报送时间")

    class Meta:
        ordering = ["-report_date", "division_code"]
        verbose_name = "值班日报"
        constraints = [models.UniqueConstraint(fields=["organisation", "report_date"], name="duty_daily_unit_date")]

    def __str__(self):
        kind = "零报告" if self.is_zero else "值班日报"
        return f"{self.organisation.name if self.organisation_id else ''} {self.report_date:%Y-%m-%d} {kind}"


class PhoneEntry(ScopedRecord):
    """The duty room's phone book (通讯录)."""

    write_capability = "duty.write"

    name = models.CharField("姓名/岗位", max_length=60)
    unit = models.CharField("单位", max_length=100)
    position = models.CharField("职务", max_length=60, blank=True)
    office_phone = models.CharField("办公电话", max_length=40, blank=True)
    mobile = models.CharField("手机", max_length=20, blank=True)
    duty_phone = models.CharField("值班电话", max_length=40, blank=True)
    fax = models.CharField("传真", max_length=40, blank=True)
    notes = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["division_code", "unit", "name"]
        verbose_name = "值班通讯录"

    def __str__(self):
        return f"{self.unit} {self.name}"

    def clean(self):
        super().clean()
        if not (self.office_phone or self.mobile or self.duty_phone):
            raise ValidationError({"mobile": "办公电话、手机、值班电话至少填写一项"})
