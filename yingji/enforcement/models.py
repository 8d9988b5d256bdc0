"""Enforcement (监管执法): inspectors and their certificates, supervision grades, annual plans
with their recorded random draws, inspections with findings, enforcement cases with evidence
and archived documents. Models hold data and invariants; the steps are in ``inspections`` and
``cases`` (through ``core.records``)."""

from __future__ import annotations

import uuid

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yingji.core.models import ScopedRecord
from yingji.rules import enforcement as rules
from yingji.rules import enforcement_measures as measures
from yingji.rules import hidden_hazard as loop


class EnterpriseOwned:
    scope_enterprise_field = "enterprise"

    def follow_enterprise(self) -> None:
        if self.enterprise_id:
            self.division_code = self.enterprise.division_code


class Inspector(ScopedRecord):
    """An enforcement officer (执法人员) with his or her enforcement certificate (执法证)."""

    write_capability = "enforcement.plan"

    name = models.CharField("姓名", max_length=40)
    organisation = models.CharField("所在单位", max_length=100)
    certificate_number = models.CharField("执法证号", max_length=40, unique=True)
    valid_until = models.DateField("执法证有效期至")
    active = models.BooleanField("执法证有效（未注销、未暂停）", default=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "执法人员"

    def __str__(self):
        return self.name

    def fact(self) -> rules.InspectorFact:
        return rules.InspectorFact(str(self.pk), self.name, self.certificate_number, self.valid_until, self.active)


class SupervisionGrade(EnterpriseOwned, ScopedRecord):
    """An enterprise's supervision grade (分类分级) for one year."""

    write_capability = "enforcement.plan"
    GRADES = list(rules.GRADES.items())

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="企业", on_delete=models.PROTECT,
                                   related_name="supervision_grades")
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("监管等级", max_length=1, choices=GRADES)
    suggested_grade = models.CharField("系统建议等级", max_length=1, choices=GRADES, blank=True, editable=False)
    reason = models.CharField("定级理由", max_length=300, blank=True)

    class Meta:
        ordering = ["-year", "grade", "division_code"]
        verbose_name = "企业监管分级"
        constraints = [models.UniqueConstraint(fields=["enterprise", "year"], name="enforcement_one_grade_per_year")]

    def __str__(self):
        return f"{self.enterprise} {self.year}年 {self.get_grade_display()}"

    def clean(self):
        self.follow_enterprise()
        super().clean()


class InspectionPlan(ScopedRecord):
    """The annual supervision and inspection plan (年度监督检查计划) of one bureau."""

    write_capability = "enforcement.plan"
    STATES = [("draft", "编制中"), ("approved", "已批准")]

    year = models.PositiveSmallIntegerField("年度")
    name = models.CharField("计划名称", max_length=120)
    national_workdays = models.PositiveSmallIntegerField("国家法定工作日", default=250)
    inspectors_count = models.PositiveSmallIntegerField("执法人员数", default=4)
    other_enforcement_days = models.PositiveIntegerField("其他执法工作日", default=300)
    non_enforcement_days = models.PositiveIntegerField("非执法工作日", default=200)
    key_days = models.PositiveIntegerField("重点检查工作日", default=300)
    ratio_b = models.DecimalField("B级随机抽查比例", max_digits=4, decimal_places=2, default=rules.DEFAULT_RANDOM_RATIOS["B"])
    ratio_c = models.DecimalField("C级随机抽查比例", max_digits=4, decimal_places=2, default=rules.DEFAULT_RANDOM_RATIOS["C"])
    state = models.CharField("状态", max_length=10, choices=STATES, default="draft", editable=False)
    approved_on = models.DateField("批准日期", null=True, blank=True, editable=False)
    approval_document = models.CharField("批准文号", max_length=80, blank=True, editable=False)

    class Meta:
        ordering = ["-year", "division_code"]
        verbose_name = "年度监督检查计划"
        constraints = [models.UniqueConstraint(fields=["division_code", "year"], name="enforcement_one_plan_per_year")]

    def __str__(self):
        return self.name

    def capacity(self) -> rules.PlanCapacity:
        return rules.plan_capacity(self.national_workdays, self.inspectors_count, self.other_enforcement_days,
                                   self.non_enforcement_days, self.key_days)

    def clean(self):
        super().clean()
        for field in ("ratio_b", "ratio_c"):
            value = getattr(self, field)
            if value is not None and not (0 <= value <= 1):
                raise ValidationError({field: "抽查比例应在 0 到 1 之间（如 0.30 表示 30%）"})
        try:
            self.capacity()
        except ValueError as exc:
            raise ValidationError({"key_days": str(exc)}) from exc


class RandomDraw(ScopedRecord):
    """One 双随机 draw, kept so anyone can repeat it: the seed, the candidates, the result."""

    write_capability = "enforcement.plan"
    KINDS = [("enterprises", "抽取检查对象"), ("inspectors", "抽取执法人员")]

    plan = models.ForeignKey(InspectionPlan, verbose_name="检查计划", on_delete=models.PROTECT, related_name="draws")
    kind = models.CharField("抽取类别", max_length=12, choices=KINDS)
    label = models.CharField("说明", max_length=120)
    seed = models.CharField("随机种子", max_length=64)
    candidates = models.JSONField("候选名单（编号）", default=list)
    count = models.PositiveIntegerField("抽取数量")
    result = models.JSONField("抽取结果（编号）", default=list)
    drawn_at = models.DateTimeField("抽取时间", default=timezone.now)

    class Meta:
        ordering = ["plan", "pk"]
        verbose_name = "随机抽取记录"

    def __str__(self):
        return self.label

    def reproduces(self) -> bool:
        return rules.draw(self.candidates, self.count, self.seed) == self.result


class Inspection(EnterpriseOwned, ScopedRecord):
    """An inspection of one enterprise by two certified inspectors."""

    write_capability = "enforcement.inspect"
    SOURCES = [("key", "重点检查"), ("random", "双随机抽查"), ("complaint", "举报投诉核查"), ("assigned", "上级交办")]
    STATES = list(rules.INSPECTION_STATES.items())

    plan = models.ForeignKey(InspectionPlan, verbose_name="检查计划", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="inspections")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="被检查单位", on_delete=models.PROTECT,
                                   related_name="enforcement_inspections")
    source = models.CharField("检查来源", max_length=10, choices=SOURCES, default="key")
    planned_on = models.DateField("计划检查日期")
    inspector_a = models.ForeignKey(Inspector, verbose_name="执法人员（主办）", on_delete=models.PROTECT,
                                    related_name="+")
    inspector_b = models.ForeignKey(Inspector, verbose_name="执法人员（协办）", on_delete=models.PROTECT,
                                    related_name="+")
    checklist = models.ForeignKey("hazards.Checklist", verbose_name="检查表", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    state = models.CharField("状态", max_length=16, choices=STATES, default="planned", editable=False, db_index=True)
    inspected_on = models.DateField("检查日期", null=True, blank=True, editable=False)
    place = models.CharField("检查场所", max_length=200, blank=True, editable=False)
    summary = models.TextField("检查情况", blank=True, editable=False)
    items = models.JSONField("检查项及结果", default=list, editable=False)
    signed_by = models.CharField("被检查单位负责人（签字）", max_length=60, blank=True, editable=False)
    order_number = models.CharField("整改指令书文号", max_length=60, blank=True, editable=False)
    ordered_on = models.DateField("下达整改指令日期", null=True, blank=True, editable=False)
    deadline = models.DateField("整改期限", null=True, blank=True, editable=False)
    reviewed_on = models.DateField("复查日期", null=True, blank=True, editable=False)
    review_opinion = models.TextField("复查意见", blank=True, editable=False)

    class Meta:
        ordering = ["-planned_on", "-pk"]
        verbose_name = "执法检查"

    def __str__(self):
        return f"{self.enterprise} {self.planned_on:%Y-%m-%d} {self.get_source_display()}"

    def clean(self):
        self.follow_enterprise()
        super().clean()
        if self.inspector_a_id and self.inspector_a_id == self.inspector_b_id:
            raise ValidationError({"inspector_b": "执法检查须由两名不同的执法人员进行"})

    def inspectors(self) -> list[Inspector]:
        return [self.inspector_a, self.inspector_b]

    def review_due_on(self):
        return rules.add_calendar_days(self.deadline, rules.DEFAULT_REVIEW_DAYS) if self.deadline else None


class Finding(ScopedRecord):
    """A problem found on site; it becomes a hidden hazard (事故隐患) of the hazards loop."""

    write_capability = "enforcement.inspect"
    GRADES = list(loop.GRADES.items())

    inspection = models.ForeignKey(Inspection, verbose_name="执法检查", on_delete=models.PROTECT, related_name="findings")
    description = models.TextField("问题描述")
    clause = models.CharField("违反的法规标准条款", max_length=200, blank=True)
    location_text = models.CharField("部位", max_length=120, blank=True)
    grade = models.CharField("隐患等级", max_length=10, choices=GRADES, default=loop.GRADE_GENERAL)
    hidden_hazard = models.ForeignKey("hazards.HiddenHazard", verbose_name="隐患", null=True, blank=True,
                                      on_delete=models.PROTECT, related_name="+", editable=False)

    class Meta:
        ordering = ["inspection", "pk"]
        verbose_name = "检查发现的问题"

    def __str__(self):
        return self.description[:40]

    def clean(self):
        if self.inspection_id:
            self.division_code = self.inspection.division_code
        super().clean()


class Case(EnterpriseOwned, ScopedRecord):
    """An enforcement case (行政处罚案件, 一般程序) from 立案 to 结案."""

    write_capability = "enforcement.case"
    STATES = list(rules.CASE_STATES.items())
    PARTY_KINDS = [("unit", "单位"), ("person", "个人")]
    PENALTIES = list(rules.PENALTY_KINDS.items())
    REVIEW_RESULTS = [("", "未审核"), ("passed", "审核通过"), ("failed", "审核未通过")]

    number = models.CharField("立案编号", max_length=60, blank=True, editable=False)
    year = models.PositiveSmallIntegerField("年度", editable=False)
    serial = models.PositiveIntegerField("序号", editable=False)
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="当事人（单位）", on_delete=models.PROTECT,
                                   related_name="enforcement_cases")
    inspection = models.ForeignKey(Inspection, verbose_name="来源检查", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="cases")
    party_kind = models.CharField("当事人类别", max_length=6, choices=PARTY_KINDS, default="unit")
    party_name = models.CharField("当事人名称（个人填姓名）", max_length=120, blank=True)
    cause = models.CharField("案由", max_length=200)
    handler_a = models.ForeignKey(Inspector, verbose_name="承办人", on_delete=models.PROTECT, related_name="+")
    handler_b = models.ForeignKey(Inspector, verbose_name="承办人（二）", on_delete=models.PROTECT, related_name="+")
    filed_on = models.DateField("立案日期", default=timezone.localdate)
    major_public_interest = models.BooleanField("涉及重大公共利益", default=False)
    complex_case = models.BooleanField("案件情况疑难复杂、涉及多个法律关系", default=False)
    other_law = models.BooleanField("法律、法规规定应当进行法制审核", default=False)
    # --- recorded by the steps ---------------------------------------------------------------
    state = models.CharField("状态", max_length=14, choices=STATES, default="filed", editable=False, db_index=True)
    facts = models.TextField("违法事实", blank=True, editable=False)
    legal_basis = models.TextField("处罚依据", blank=True, editable=False)
    penalty = models.CharField("处罚种类", max_length=14, choices=PENALTIES, blank=True, editable=False)
    fine_yuan = models.DecimalField("罚款金额（元）", max_digits=14, decimal_places=2, null=True, blank=True,
                                    editable=False)
    notified_on = models.DateField("告知日期", null=True, blank=True, editable=False)
    waived = models.BooleanField("当事人放弃陈述申辩和听证", default=False, editable=False)
    hearing_requested_on = models.DateField("申请听证日期", null=True, blank=True, editable=False)
    hearing_on = models.DateField("听证日期", null=True, blank=True, editable=False)
    hearing_held = models.BooleanField("已举行听证", default=False, editable=False)
    law_review_result = models.CharField("法制审核结果", max_length=8, choices=REVIEW_RESULTS, blank=True,
                                         editable=False)
    law_reviewer = models.CharField("法制审核人员", max_length=60, blank=True, editable=False)
    law_reviewed_on = models.DateField("法制审核日期", null=True, blank=True, editable=False)
    law_review_opinion = models.TextField("法制审核意见", blank=True, editable=False)
    decision_number = models.CharField("处罚决定书文号", max_length=60, blank=True, editable=False)
    decided_on = models.DateField("决定日期", null=True, blank=True, editable=False)
    served_on = models.DateField("送达日期", null=True, blank=True, editable=False)
    paid_on = models.DateField("缴纳罚款日期", null=True, blank=True, editable=False)
    surcharge_yuan = models.DecimalField("加处罚款（元）", max_digits=14, decimal_places=2, null=True, blank=True,
                                         editable=False)
    executed_on = models.DateField("执行完毕日期", null=True, blank=True, editable=False)
    published_on = models.DateField("公示日期", null=True, blank=True, editable=False)
    closed_on = models.DateField("结案日期", null=True, blank=True, editable=False)
    last_note = models.TextField("最近意见", blank=True, editable=False)
    decision_extension = models.CharField("办案期限延长", max_length=10, blank=True, editable=False,
                                          choices=list(measures.DECISION_EXTENSIONS.items()))
    extended_on = models.DateField("批准延长日期", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-filed_on", "-pk"]
        verbose_name = "执法案件"
        constraints = [models.UniqueConstraint(fields=["number"], name="enforcement_case_number_unique")]

    def __str__(self):
        return f"{self.number} {self.cause}" if self.number else self.cause

    def clean(self):
        self.follow_enterprise()
        super().clean()
        if self.handler_a_id and self.handler_a_id == self.handler_b_id:
            raise ValidationError({"handler_b": "案件须由两名不同的执法人员承办"})
        if self.inspection_id and self.inspection.enterprise_id != self.enterprise_id:
            raise ValidationError({"inspection": "来源检查与当事人企业不一致"})

    @property
    def party(self) -> str:
        return self.party_name or self.enterprise.name

    @property
    def needs_law_review(self) -> bool:
        return rules.needs_law_review(major_public_interest=self.major_public_interest, hearing_held=self.hearing_held,
                                      complex_case=self.complex_case, other_law=self.other_law)

    @property
    def hearing_right(self) -> bool:
        return bool(self.penalty) and rules.hearing_right(self.party_kind, self.penalty, self.fine_yuan)

    def clocks(self) -> list[rules.CaseClock]:
        return rules.case_clocks(
            filed_on=self.filed_on, decided_on=self.decided_on, notified_on=self.notified_on,
            hearing_requested_on=self.hearing_requested_on,
            served_on=self.served_on, published_on=self.published_on, paid_on=self.paid_on,
            fine=self.penalty == "fine",
            decision=measures.decision_clock(self.filed_on, self.decided_on, self.decision_extension))


def evidence_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:8] if "." in filename else "bin"
    return f"enforcement/evidence/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


def document_path(instance, filename: str) -> str:
    return f"enforcement/documents/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.docx"


class Evidence(ScopedRecord):
    """A piece of evidence of a case, kept with its SHA-256 so any later change shows."""

    write_capability = "enforcement.case"
    KINDS = [("record", "询问笔录"), ("inspection", "勘验笔录、现场检查记录"), ("photo", "照片、视听资料"),
             ("document", "书证"), ("sample", "抽样取证凭证"), ("expert", "鉴定意见"), ("other", "其他")]

    case = models.ForeignKey(Case, verbose_name="案件", on_delete=models.PROTECT, related_name="evidence")
    kind = models.CharField("证据种类", max_length=12, choices=KINDS)
    description = models.CharField("证据说明", max_length=200)
    collected_on = models.DateField("取证日期", default=timezone.localdate)
    file = models.FileField("文件", upload_to=evidence_path)
    original_name = models.CharField("原文件名", max_length=200, blank=True)
    size = models.PositiveIntegerField("大小（字节）", default=0)
    sha256 = models.CharField("SHA-256", max_length=64, editable=False)

    class Meta:
        ordering = ["case", "pk"]
        verbose_name = "证据"

    def __str__(self):
        return self.description


class CaseDocument(ScopedRecord):
    """A document issued at a step (立案审批表, 告知书, 决定书 …), archived with its hash."""

    write_capability = "enforcement.case"

    case = models.ForeignKey(Case, verbose_name="案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="documents")
    inspection = models.ForeignKey(Inspection, verbose_name="执法检查", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="documents")
    on_spot = models.ForeignKey("enforcement.OnSpotPenalty", verbose_name="当场处罚", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="documents")
    measure = models.ForeignKey("enforcement.CoerciveMeasure", verbose_name="强制措施", null=True, blank=True,
                                on_delete=models.PROTECT, related_name="documents")
    kind = models.CharField("文书种类", max_length=30)
    title = models.CharField("文书名称", max_length=120)
    file = models.FileField("文件", upload_to=document_path)
    sha256 = models.CharField("SHA-256", max_length=64)
    issued_at = models.DateTimeField("制作时间", default=timezone.now)

    class Meta:
        ordering = ["pk"]
        verbose_name = "执法文书"

    def __str__(self):
        return self.title


class OnSpotPenalty(EnterpriseOwned, ScopedRecord):
    """简易程序: a warning or a small fine decided on the spot (当场处罚决定书), with its record
    filing, the cash handover or the payment clock."""

    write_capability = "enforcement.case"
    PARTY_KINDS = Case.PARTY_KINDS
    PENALTIES = list(measures.SIMPLE_PENALTIES.items())

    number = models.CharField("决定书编号", max_length=60, unique=True, editable=False)
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="当事人（单位）", on_delete=models.PROTECT,
                                   related_name="on_spot_penalties")
    inspection = models.ForeignKey(Inspection, verbose_name="来源检查", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="on_spot_penalties")
    party_kind = models.CharField("当事人类别", max_length=6, choices=PARTY_KINDS, default="unit")
    party_name = models.CharField("当事人名称（个人填姓名）", max_length=120, blank=True)
    officer_a = models.ForeignKey(Inspector, verbose_name="执法人员", on_delete=models.PROTECT, related_name="+")
    officer_b = models.ForeignKey(Inspector, verbose_name="执法人员（二）", on_delete=models.PROTECT, related_name="+")
    facts = models.TextField("违法事实")
    legal_basis = models.CharField("处罚依据", max_length=300)
    penalty = models.CharField("处罚种类", max_length=8, choices=PENALTIES)
    fine_yuan = models.DecimalField("罚款金额（元）", max_digits=10, decimal_places=2, null=True, blank=True)
    decided_on = models.DateField("决定日期", default=timezone.localdate)
    cash_collected = models.BooleanField("当场收缴罚款", default=False)
    hard_to_collect = models.BooleanField("不当场收缴事后难以执行", default=False)
    paid_on = models.DateField("缴纳罚款日期", null=True, blank=True, editable=False)
    handed_over_on = models.DateField("罚款交至机关日期", null=True, blank=True, editable=False)
    recorded_on = models.DateField("报机关备案日期", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-decided_on", "-pk"]
        verbose_name = "当场处罚（简易程序）"

    def __str__(self):
        return f"{self.number} {self.party}"

    @property
    def party(self) -> str:
        return self.party_name or self.enterprise.name

    def clean(self):
        self.follow_enterprise()
        super().clean()
        if self.officer_a_id and self.officer_a_id == self.officer_b_id:
            raise ValidationError({"officer_b": "当场处罚须由两名不同的执法人员作出"})

    def clocks(self) -> list[rules.CaseClock]:
        return measures.simple_clocks(decided_on=self.decided_on, fine=self.penalty == "fine",
                                      cash_collected=self.cash_collected, recorded_on=self.recorded_on,
                                      handed_over_on=self.handed_over_on, paid_on=self.paid_on)


class CoerciveMeasure(EnterpriseOwned, ScopedRecord):
    """查封 / 扣押 (行政强制法) or 先行登记保存 (行政处罚法 第五十六条) of things at an enterprise,
    with its list (清单), its 30(+30)-day or 7-day clock, extension and release or disposal."""

    write_capability = "enforcement.case"
    KINDS = list(measures.MEASURES.items())
    STATES = list(measures.MEASURE_STATES.items())

    number = models.CharField("决定书编号", max_length=60, unique=True, editable=False)
    kind = models.CharField("措施", max_length=10, choices=KINDS)
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="当事人（单位）", on_delete=models.PROTECT,
                                   related_name="coercive_measures")
    case = models.ForeignKey(Case, verbose_name="执法案件", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="measures")
    inspection = models.ForeignKey(Inspection, verbose_name="执法检查", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="measures")
    reason = models.TextField("理由和依据")
    items = models.TextField("查封扣押（登记保存）清单（每行一项：名称 数量 状况）")
    place = models.CharField("场所、设施或者财物所在地", max_length=200)
    approved_by = models.CharField("批准的机关负责人", max_length=60)
    started_on = models.DateField("实施日期", default=timezone.localdate)
    state = models.CharField("状态", max_length=10, choices=STATES, default="in_force", editable=False)
    extended_on = models.DateField("延长日期", null=True, blank=True, editable=False)
    extension_reason = models.CharField("延长理由", max_length=200, blank=True, editable=False)
    ended_on = models.DateField("解除或处理日期", null=True, blank=True, editable=False)
    outcome = models.TextField("解除或处理决定", blank=True, editable=False)

    class Meta:
        ordering = ["-started_on", "-pk"]
        verbose_name = "查封扣押与先行登记保存"

    def __str__(self):
        return f"{self.number} {self.get_kind_display()}"

    def clean(self):
        self.follow_enterprise()
        super().clean()
        if self.case_id and self.case.enterprise_id != self.enterprise_id:
            raise ValidationError({"case": "案件当事人与被采取措施的单位不一致"})
        if self.inspection_id and self.inspection.enterprise_id != self.enterprise_id:
            raise ValidationError({"inspection": "执法检查的被检查单位与被采取措施的单位不一致"})

    def item_lines(self) -> list[str]:
        return [line.strip() for line in self.items.splitlines() if line.strip()]

    def fact(self) -> measures.MeasureFact:
        return measures.MeasureFact(self.kind, self.started_on, bool(self.extended_on), self.ended_on)

    def clock(self) -> rules.CaseClock:
        return measures.measure_clock(self.fact())
