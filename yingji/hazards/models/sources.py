"""Major hazard sources (GB 18218-2018): rule settings, sources, units, chemicals and gradings.

Monitoring links sensors to :class:`HazardUnit` (``ForeignKey("hazards.HazardUnit")``): the unit
is the stable target; its primary key never changes and units are protected from deletion
while anything refers to them.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.rules import risk as risk_rules
from yingji.rules.gb18218 import BetaChoice, GradingSettings, SharedKeyPolicy

from .base import EVALUATION_PERIOD_YEARS, GRADE_NAMES, EnterpriseOwned, add_years


class HazardRuleSetting(ScopedRecord):
    """The choices GB 18218 and the risk-banding practice leave open, recorded per jurisdiction.

    The setting of the nearest enclosing division applies (a county's overrides the city's);
    without one the rule layer's defaults apply. Every grading stores the settings it used.
    """

    BETA_CHOICES = [(BetaChoice.MAXIMUM.value, "取各类别中最大的β（从严）"),
                    (BetaChoice.PRIMARY.value, "取主类别的β")]
    SHARED_KEY_CHOICES = [(SharedKeyPolicy.REQUIRE_SPECIFICATION.value, "须写明规格（否则报错）"),
                          (SharedKeyPolicy.LOWEST_Q.value, "取临界量最小的一项（从严）")]
    CUT_OWNER_CHOICES = [("lower", "界限值归较低等级"), ("higher", "界限值归较高等级")]

    name = models.CharField("设置名称", max_length=80)
    beta_choice = models.CharField("多类别时β取值", max_length=20, choices=BETA_CHOICES, default="maximum")
    beta_without_category = models.DecimalField("无表4类别时β", max_digits=6, decimal_places=2, default=Decimal("1"))
    shared_key_policy = models.CharField("名称/CAS对应表1多项时", max_length=30, choices=SHARED_KEY_CHOICES,
                                         default="require_specification")
    decimal_places = models.PositiveSmallIntegerField("S、R显示小数位（截断）", default=6)
    lec_cut_major = models.DecimalField("LEC 重大/较大界限", max_digits=8, decimal_places=2, default=Decimal(320))
    lec_cut_high = models.DecimalField("LEC 较大/一般界限", max_digits=8, decimal_places=2, default=Decimal(160))
    lec_cut_general = models.DecimalField("LEC 一般/低界限", max_digits=8, decimal_places=2, default=Decimal(70))
    lec_cut_owner = models.CharField("LEC 界限值归属", max_length=10, choices=CUT_OWNER_CHOICES, default="lower")
    matrix_cut_major = models.DecimalField("风险矩阵 重大/较大界限", max_digits=6, decimal_places=2, default=Decimal(20))
    matrix_cut_high = models.DecimalField("风险矩阵 较大/一般界限", max_digits=6, decimal_places=2, default=Decimal(15))
    matrix_cut_general = models.DecimalField("风险矩阵 一般/低界限", max_digits=6, decimal_places=2, default=Decimal(9))
    matrix_cut_owner = models.CharField("风险矩阵 界限值归属", max_length=10, choices=CUT_OWNER_CHOICES,
                                        default="higher")
    notes = models.TextField("依据与说明", blank=True)

    class Meta:
        ordering = ["division_code"]
        verbose_name = "分级规则设置"
        constraints = [models.UniqueConstraint(fields=["division_code"], name="hazards_one_setting_per_division")]

    def __str__(self):
        return self.name

    def grading_settings(self):
        return GradingSettings(beta_choice=self.beta_choice, beta_without_category=Decimal(self.beta_without_category),
                               shared_key_policy=self.shared_key_policy, decimal_places=self.decimal_places)

    def band_settings(self) -> risk_rules.RiskBandSettings:
        return risk_rules.RiskBandSettings(
            lec_cuts=(self.lec_cut_major, self.lec_cut_high, self.lec_cut_general), lec_cut_owner=self.lec_cut_owner,
            matrix_cuts=(self.matrix_cut_major, self.matrix_cut_high, self.matrix_cut_general),
            matrix_cut_owner=self.matrix_cut_owner,
        )

    def clean(self):
        super().clean()
        try:
            self.grading_settings()
            self.band_settings()
        except (ValueError, TypeError) as exc:
            raise ValidationError({"__all__": str(exc)}) from exc


class HazardSource(EnterpriseOwned, LocatedRecord):
    """A major hazard source (重大危险源) of an enterprise: a set of production/storage units."""

    write_capability = "hazards.write"
    FILING = [("unfiled", "未备案"), ("filed", "已备案"), ("changed", "变更待重新备案"), ("cancelled", "已核销")]

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", on_delete=models.PROTECT,
                                   related_name="hazard_sources")
    name = models.CharField("危险源名称", max_length=120)
    code = models.CharField("危险源编码", max_length=40, blank=True)
    exposed_people = models.PositiveIntegerField("厂区边界外500米范围内常住人数", default=0,
                                                 help_text="用于GB 18218-2018 表5 校正系数α")
    filing_status = models.CharField("备案状态", max_length=12, choices=FILING, default="unfiled")
    filing_number = models.CharField("备案编号", max_length=60, blank=True)
    filed_on = models.DateField("备案日期", null=True, blank=True)
    evaluated_on = models.DateField("最近安全评估日期", null=True, blank=True)
    evaluation_due_on = models.DateField("下次安全评估到期日", null=True, blank=True, editable=False)
    person_main = models.CharField("主要负责人（包保）", max_length=40, blank=True)
    person_main_phone = models.CharField("主要负责人电话", max_length=40, blank=True)
    person_technical = models.CharField("技术负责人（包保）", max_length=40, blank=True)
    person_technical_phone = models.CharField("技术负责人电话", max_length=40, blank=True)
    person_operational = models.CharField("操作负责人（包保）", max_length=40, blank=True)
    person_operational_phone = models.CharField("操作负责人电话", max_length=40, blank=True)
    emergency_plan = models.CharField("应急预案（名称及备案编号）", max_length=200, blank=True)
    notes = models.TextField("备注", blank=True)
    # Current grading (a copy of the latest HazardGrading, kept for lists and maps).
    is_major_hazard = models.BooleanField("构成重大危险源", default=False, editable=False)
    current_grade = models.PositiveSmallIntegerField("当前分级", null=True, blank=True, editable=False,
                                                     choices=list(GRADE_NAMES.items()))
    current_s = models.DecimalField("S值", max_digits=20, decimal_places=6, null=True, blank=True, editable=False)
    current_r = models.DecimalField("R值", max_digits=20, decimal_places=6, null=True, blank=True, editable=False)
    graded_at = models.DateTimeField("最近分级时间", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["current_grade", "division_code", "name"]
        verbose_name = "重大危险源"

    def __str__(self):
        return self.name

    def clean(self):
        self.follow_enterprise(self.enterprise if self.enterprise_id else None)
        super().clean()
        self.evaluation_due_on = add_years(self.evaluated_on, EVALUATION_PERIOD_YEARS) if self.evaluated_on else None
        if self.filing_status == "filed" and not self.filed_on:
            raise ValidationError({"filed_on": "已备案的重大危险源须填写备案日期"})

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES.get(self.current_grade, "未构成重大危险源" if self.graded_at else "未分级")

    def evaluation_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.evaluation_due_on is not None and self.evaluation_due_on < today


class HazardUnit(EnterpriseOwned, ScopedRecord):
    """A production or storage unit (生产单元 / 储存单元) of a hazard source.

    Stable foreign-key target for monitoring sensors: ``ForeignKey("hazards.HazardUnit",
    on_delete=models.PROTECT)``.
    """

    write_capability = "hazards.write"
    KINDS = [("production", "生产单元"), ("storage", "储存单元")]

    hazard_source = models.ForeignKey(HazardSource, verbose_name="重大危险源", on_delete=models.PROTECT,
                                      related_name="units")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", on_delete=models.PROTECT,
                                   related_name="+", blank=True, editable=False)
    name = models.CharField("单元名称", max_length=100)
    kind = models.CharField("单元类型", max_length=12, choices=KINDS, default="storage")
    description = models.TextField("单元说明（装置、储罐、库房）", blank=True)

    class Meta:
        ordering = ["hazard_source", "pk"]
        verbose_name = "危险源单元"
        constraints = [models.UniqueConstraint(fields=["hazard_source", "name"], name="hazards_unit_name_unique")]

    def __str__(self):
        return f"{self.hazard_source}·{self.name}" if self.hazard_source_id else self.name

    def clean(self):
        if self.hazard_source_id:
            self.enterprise_id = self.hazard_source.enterprise_id
            self.division_code = self.hazard_source.division_code
        super().clean()


class UnitChemical(EnterpriseOwned, ScopedRecord):
    """A hazardous chemical in a unit with its design maximum quantity (q, tonnes)."""

    write_capability = "hazards.write"

    unit = models.ForeignKey(HazardUnit, verbose_name="单元", on_delete=models.PROTECT, related_name="chemicals")
    hazard_source = models.ForeignKey(HazardSource, verbose_name="重大危险源", on_delete=models.PROTECT,
                                      related_name="+", blank=True, editable=False)
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", on_delete=models.PROTECT,
                                   related_name="+", blank=True, editable=False)
    name = models.CharField("危险化学品名称", max_length=120, blank=True,
                            help_text="表1名称或别名；不在表1的请同时填写表2类别")
    cas = models.CharField("CAS号", max_length=40, blank=True)
    categories = models.CharField("表2类别", max_length=60, blank=True,
                                  help_text="如 W5.3；多个类别用逗号分隔，如 J5,W5.1")
    design_max_t = models.DecimalField("设计最大量（吨）", max_digits=14, decimal_places=4)
    storage_form = models.CharField("存在形式（储罐/钢瓶/管道/库房）", max_length=60, blank=True)

    class Meta:
        ordering = ["unit", "pk"]
        verbose_name = "单元危险化学品"

    def __str__(self):
        return self.name or self.cas or self.categories

    def category_list(self) -> list[str]:
        text = self.categories.replace("，", ",").replace("、", ",").replace(";", ",")
        return [c.strip() for c in text.split(",") if c.strip()]

    def as_input(self) -> dict:
        """This chemical in the JSON input format of ``yingji.rules.gb18218.grade_from_json``."""
        entry: dict = {"quantity_t": str(self.design_max_t)}
        if self.name.strip():
            entry["name"] = self.name.strip()
        if self.cas.strip():
            entry["cas"] = self.cas.strip()
        categories = self.category_list()
        if len(categories) == 1:
            entry["category"] = categories[0]
        elif categories:
            entry["categories"] = categories
        return entry

    def clean(self):
        if self.unit_id:
            self.hazard_source_id = self.unit.hazard_source_id
            self.enterprise_id = self.unit.enterprise_id
            self.division_code = self.unit.division_code
        super().clean()
        if not (self.name.strip() or self.cas.strip() or self.categories.strip()):
            raise ValidationError({"name": "请填写危险化学品名称、CAS号或表2类别"})
        if self.design_max_t is not None and self.design_max_t < 0:
            raise ValidationError({"design_max_t": "设计最大量不能为负数"})


class HazardGrading(EnterpriseOwned, ScopedRecord):
    """One identification and grading of a hazard source, with its full working (history)."""

    write_capability = "hazards.grading.write"  # granted to no role: written only by the grading service

    hazard_source = models.ForeignKey(HazardSource, verbose_name="重大危险源", on_delete=models.CASCADE,
                                      related_name="gradings")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", on_delete=models.PROTECT,
                                   related_name="+")
    graded_at = models.DateTimeField("分级时间", default=timezone.now)
    trigger = models.CharField("触发原因", max_length=200, blank=True)
    exposed_people = models.PositiveIntegerField("暴露人数")
    alpha = models.DecimalField("校正系数α", max_digits=6, decimal_places=2)
    s = models.DecimalField("S（最大单元）", max_digits=20, decimal_places=6)
    r = models.DecimalField("R（控制单元）", max_digits=20, decimal_places=6, null=True, blank=True)
    grade = models.PositiveSmallIntegerField("分级", null=True, blank=True, choices=list(GRADE_NAMES.items()))
    is_major_hazard = models.BooleanField("构成重大危险源", default=False)
    governing_unit = models.CharField("决定分级的单元", max_length=100, blank=True)
    rule_setting = models.ForeignKey(HazardRuleSetting, verbose_name="所用规则设置", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="+")
    settings_used = models.JSONField("所用设置", default=dict)
    input = models.JSONField("计算输入", default=dict)
    result = models.JSONField("计算过程与结果", default=dict)

    class Meta:
        ordering = ["-graded_at", "-pk"]
        verbose_name = "重大危险源分级记录"

    def __str__(self):
        return f"{self.hazard_source} {timezone.localtime(self.graded_at):%Y-%m-%d %H:%M} 分级"

    @property
    def grade_name(self) -> str:
        return GRADE_NAMES.get(self.grade, "未构成重大危险源")

    def get_settings_used_display(self) -> str:
        """The settings the grading used, in the words of the rule-settings form."""
        used = self.settings_used or {}
        beta = dict(HazardRuleSetting.BETA_CHOICES)
        shared = dict(HazardRuleSetting.SHARED_KEY_CHOICES)
        parts = [f"多类别时β：{beta.get(used.get('beta_choice'), used.get('beta_choice', '—'))}",
                 f"无表4类别时β：{used.get('beta_without_category', '—')}",
                 f"名称/CAS对应表1多项时：{shared.get(used.get('shared_key_policy'), used.get('shared_key_policy', '—'))}",
                 f"S、R小数位：{used.get('decimal_places', '—')}（截断，不进位）"]
        return "；".join(parts)
