"""Major hazard sources (GB 18218-2018), risk points and the hidden-hazard loop (双重预防).

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
from yingji.regions.models import Enterprise
from yingji.rules import hidden_hazard as loop
from yingji.rules import risk as risk_rules
from yingji.rules.gb18218 import BetaChoice, SharedKeyPolicy

EVALUATION_PERIOD_YEARS = 3  # 重大危险源安全评估每三年至少一次（原安监总局令第40号第十条）

GRADE_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def division_at(lon: float, lat: float) -> str | None:
    """The township (or county) containing a WGS-84 point, for records not filed under an enterprise."""
    from yingji.geo.townships import township_at
    from yingji.regions.services import county_at

    county = county_at(lon, lat)
    township = township_at(lon, lat)
    if township and county and township.startswith(county[:6]):
        return township.ljust(12, "0")
    return county


class EnterpriseOwned:
    """Mixin for records filed under an enterprise: division and location follow the enterprise."""

    scope_enterprise_field = "enterprise"

    def follow_enterprise(self, enterprise) -> None:
        if enterprise is None:
            return
        self.division_code = enterprise.division_code
        if hasattr(self, "lon") and self.lon is None and enterprise.lon is not None:
            self.lon, self.lat, self.coord_source = enterprise.lon, enterprise.lat, "WGS84"


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
        from yingji.rules.gb18218 import GradingSettings

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
        from .grading import check_chemical

        check_chemical(self)


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


class RiskPoint(EnterpriseOwned, LocatedRecord):
    """A risk point (风险点) of an enterprise or a public place, assessed by LEC or the matrix."""

    write_capability = "hazards.write"
    METHODS = [(risk_rules.METHOD_LEC, "LEC（作业条件危险性分析法）"), (risk_rules.METHOD_MATRIX, "风险矩阵（L×S）")]
    LEVELS = [(level.level, level.name) for level in risk_rules.RISK_LEVELS.values()]
    CONTROL_LEVELS = [("company", "公司级"), ("workshop", "车间级"), ("team", "班组级"), ("post", "岗位级")]
    KINDS = [("enterprise", "企业"), ("public", "公共场所")]

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="risk_points")
    kind = models.CharField("类别", max_length=12, choices=KINDS, default="enterprise")
    name = models.CharField("风险点名称", max_length=120)
    location_text = models.CharField("所在部位", max_length=120, blank=True)
    hazard_factors = models.TextField("危险有害因素", blank=True)
    accident_types = models.CharField("可能导致的事故类型", max_length=120, blank=True)
    method = models.CharField("评价方法", max_length=4, choices=METHODS, default=risk_rules.METHOD_LEC)
    lec_l = models.CharField("L（可能性）", max_length=5, blank=True, choices=risk_rules.choices(risk_rules.LEC_L))
    lec_e = models.CharField("E（暴露频繁程度）", max_length=5, blank=True, choices=risk_rules.choices(risk_rules.LEC_E))
    lec_c = models.CharField("C（后果）", max_length=5, blank=True, choices=risk_rules.choices(risk_rules.LEC_C))
    matrix_l = models.PositiveSmallIntegerField("矩阵L（可能性1–5）", null=True, blank=True,
                                                choices=[(v, str(v)) for v in risk_rules.MATRIX_VALUES])
    matrix_s = models.PositiveSmallIntegerField("矩阵S（严重性1–5）", null=True, blank=True,
                                                choices=[(v, str(v)) for v in risk_rules.MATRIX_VALUES])
    control_measures = models.TextField("管控措施", blank=True)
    control_level = models.CharField("管控层级", max_length=10, choices=CONTROL_LEVELS, default="workshop")
    responsible_person = models.CharField("管控责任人", max_length=40, blank=True)
    assessed_on = models.DateField("评价日期", default=timezone.localdate)
    score = models.DecimalField("风险值（D或R）", max_digits=10, decimal_places=2, null=True, editable=False)
    level = models.PositiveSmallIntegerField("风险等级", choices=LEVELS, null=True, editable=False)
    colour_code = models.CharField("颜色", max_length=8, blank=True, editable=False)
    assessment = models.CharField("评价过程", max_length=300, blank=True, editable=False)
    band_settings = models.JSONField("所用分级界限", default=dict, editable=False)

    class Meta:
        ordering = ["level", "division_code", "name"]
        verbose_name = "风险点"

    def __str__(self):
        return self.name

    def clean(self):
        if self.enterprise_id:
            self.follow_enterprise(self.enterprise)
            self.kind = "enterprise"
        elif self.lon is not None and self.lat is not None and self.coord_source in ("WGS84", "CGCS2000"):
            self.division_code = division_at(self.lon, self.lat) or self.division_code
        super().clean()
        from .risk import assess_point

        assess_point(self)

    @property
    def colour_name(self) -> str:
        return risk_rules.RISK_LEVELS[self.level].colour if self.level else ""


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
    import uuid

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

