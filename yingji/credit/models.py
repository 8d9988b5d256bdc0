"""The serious-dishonesty list (严重失信主体名单): one listing per enterprise and condition, with
every date of the procedure. Steps change it only through ``credit.services``."""

from __future__ import annotations

from django.db import models

from yingji.core.models import ScopedRecord
from yingji.rules import credit as rules


class Listing(ScopedRecord):
    write_capability = "credit.manage"
    scope_enterprise_field = "enterprise"
    CONDITIONS = [(code, f"第{code}项：{text[:40]}…" if len(text) > 40 else f"第{code}项：{text}")
                  for code, (text, _tag) in rules.CONDITIONS.items()]
    STATES = list(rules.STATES.items())

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="失信主体（单位）", on_delete=models.PROTECT,
                                   related_name="dishonesty_listings")
    condition = models.CharField("列入情形", max_length=2, choices=CONDITIONS)
    case = models.ForeignKey("enforcement.Case", verbose_name="行政处罚案件", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    penalty_reference = models.CharField("行政处罚决定书文号", max_length=80)
    persons = models.CharField("同时列入的有关人员（主要负责人等）", max_length=200, blank=True)
    facts = models.TextField("失信行为事实")
    notice_on = models.DateField("告知日期")
    # --- recorded by the steps -------------------------------------------------------------
    state = models.CharField("状态", max_length=18, choices=STATES, default="proposed", editable=False, db_index=True)
    objection_due = models.DateField("陈述申辩期限", null=True, blank=True, editable=False)
    objection = models.TextField("异议（陈述申辩）内容", blank=True, editable=False)
    objection_on = models.DateField("提出异议日期", null=True, blank=True, editable=False)
    reply = models.TextField("复核意见 / 理由", blank=True, editable=False)
    decision_number = models.CharField("列入决定书文号", max_length=80, blank=True, editable=False)
    decided_on = models.DateField("列入决定日期", null=True, blank=True, editable=False)
    published_on = models.DateField("公示日期", null=True, blank=True, editable=False)
    early_removal_from = models.DateField("可申请提前移出日期", null=True, blank=True, editable=False)
    expires_on = models.DateField("期满移出日期", null=True, blank=True, editable=False)
    repair_applied_on = models.DateField("信用修复申请日期", null=True, blank=True, editable=False)
    repair_statement = models.TextField("信用修复申请说明", blank=True, editable=False)
    removed_on = models.DateField("移出日期", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-notice_on", "-pk"]
        verbose_name = "严重失信主体名单"

    def __str__(self):
        return f"{self.enterprise} · {self.get_state_display()}"

    def clean(self):
        if self.enterprise_id:  # filed where the enterprise is, so the enterprise sees its own listing
            self.division_code = self.enterprise.division_code
        super().clean()

    def dates(self) -> rules.ListingDates:
        return rules.listing_dates(self.notice_on, self.decided_on)

    @property
    def on_list(self) -> bool:
        return self.state in rules.ON_LIST
