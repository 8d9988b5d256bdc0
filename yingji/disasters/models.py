"""Disaster management (灾情管理): disaster events, loss reports per division and stage,
local relief-response tables, relief payments and material issues. Data and invariants only;
every write goes through ``services``."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from yingji.core.models import ScopedRecord
from yingji.rules.disaster_reports import HAZARD_TYPES, STAGES
from yingji.rules.relief import CONDITION_BY_CODE, LEVEL_LABELS, ReliefTable

NON_NEGATIVE = [MinValueValidator(0, "不能为负数")]

# The statistics indicators of the 自然灾害损失情况统计快报表 (rules-cn-2.md §1.4), in base units.
FIGURES: tuple[tuple[str, str, str], ...] = (
    ("affected_population", "受灾人口", "人"),
    ("deaths", "因灾死亡人口", "人"),
    ("missing", "因灾失踪人口", "人"),
    ("relocated", "紧急转移安置人口", "人"),
    ("needing_aid", "需紧急生活救助人口", "人"),
    ("collapsed_rooms", "倒塌房屋", "间"),
    ("collapsed_households", "倒塌房屋", "户"),
    ("severe_rooms", "严重损坏房屋", "间"),
    ("severe_households", "严重损坏房屋", "户"),
    ("general_rooms", "一般损坏房屋", "间"),
    ("general_households", "一般损坏房屋", "户"),
    ("crop_affected_ha", "农作物受灾面积", "公顷"),
    ("crop_damaged_ha", "农作物成灾面积", "公顷"),
    ("crop_lost_ha", "农作物绝收面积", "公顷"),
    ("drought_aid_people", "因旱需生活救助人口", "人"),
    ("direct_loss_wan", "直接经济损失", "万元"),
)
FIGURE_NAMES = tuple(name for name, _, _ in FIGURES)
FIGURE_LABELS = {name: f"{label}（{unit}）" for name, label, unit in FIGURES}
DECIMAL_FIGURES = {"crop_affected_ha", "crop_damaged_ha", "crop_lost_ha", "direct_loss_wan"}


class ReliefTableConfig(ScopedRecord):
    """A relief-response table entered by a bureau (Liaoning, city or county plan) with its
    document number; the national 2024 table ships in ``yingji.rules.relief``."""

    code = models.SlugField("编码", max_length=40, unique=True, help_text="命令行选用本表时填写的编码（字母、数字或连字符），如 210900-2024")
    name = models.CharField("名称", max_length=100)
    document = models.CharField("文号", max_length=60, help_text="如 辽政办〔2024〕54号")
    thresholds = models.JSONField("分级阈值", help_text='{"1": {"dead_missing": 10, ...}, "2": {...}}，以上含本数')
    source = models.CharField("来源", max_length=200, blank=True)
    active = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["division_code", "code"]
        verbose_name = "救助响应分级表"

    def __str__(self):
        return f"{self.name}（{self.document}）"

    def clean(self):
        super().clean()
        try:
            self.as_table()
        except ValueError as exc:
            raise ValidationError({"thresholds": str(exc)}) from exc

    def get_thresholds_display(self) -> str:
        """一级：死亡和失踪 ≥ 10 人，……; the thresholds as the table's document states them."""
        lines = []
        for level, conditions in sorted((self.thresholds or {}).items(), key=lambda item: str(item[0])):
            parts = []
            for code, value in (conditions or {}).items():
                cond = CONDITION_BY_CODE.get(code)
                parts.append(f"{cond.name} ≥ {value} {cond.unit}" if cond else f"{code} ≥ {value}")
            label = LEVEL_LABELS.get(int(level), level) if str(level).isdigit() else level
            lines.append(f"{label}：{'，'.join(parts)}")
        return "；".join(lines)

    def as_table(self) -> ReliefTable:
        return ReliefTable.from_dict({"code": self.code, "name": self.name, "document": self.document,
                                      "thresholds": self.thresholds, "source": self.source})


class DisasterEvent(ScopedRecord):
    """One disaster process (一次灾害过程). ``division_code`` is the bureau that owns it (county
    or city); loss reports are filed for that division and the divisions below it."""

    write_capability = "disasters.report"

    title = models.CharField("灾害过程名称", max_length=120)
    hazard_type = models.CharField("灾种", max_length=30, choices=list(HAZARD_TYPES.items()))
    start_at = models.DateTimeField("开始时间")
    end_at = models.DateTimeField("结束时间", null=True, blank=True)
    stabilised_at = models.DateTimeField("灾情稳定时间", null=True, blank=True, editable=False)
    affected_codes = models.JSONField("受灾区划", default=list, blank=True, help_text="到乡镇（街道）的区划代码")
    description = models.TextField("灾情概述", blank=True)
    agricultural_population = models.PositiveBigIntegerField(
        "农牧业人口", default=0, help_text="干旱需救助人数占农牧业人口比例的分母（不涉及干旱可填0）")
    relief_table = models.ForeignKey(ReliefTableConfig, verbose_name="救助响应分级表", null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="events",
                                     help_text="留空使用国家预案（国办函〔2024〕11号）")
    daily_reporting = models.BooleanField(
        "启动24小时零报告", default=False,
        help_text="重大、特别重大灾害期间：灾情稳定前各县区每日9时前报送（含无变化的零报告）")
    incidents = models.ManyToManyField("incidents.Incident", verbose_name="关联突发事件", blank=True,
                                       related_name="disaster_events")
    warnings = models.ManyToManyField("warnings.Warning", verbose_name="关联预警", blank=True,
                                      related_name="disaster_events")

    class Meta:
        ordering = ["-start_at"]
        verbose_name = "灾害过程"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.end_at and self.start_at and self.end_at < self.start_at:
            raise ValidationError({"end_at": "结束时间不能早于开始时间"})


REVIEW_STATES = [("pending", "待县级审核"), ("accepted", "已审核上报")]


class LossReport(ScopedRecord):
    """One loss report of one division for one event at one stage (初报 / 续报 / 核报).

    A report filed by a village or township 灾害信息员 (who may not review) waits in 待县级审核
    and does not count in any total until the county reviews it; the county may correct its
    figures with a recorded reason (``corrections`` keeps every before/after) and accepts it,
    which submits it upward. Otherwise never edited: a later change is the next 续报."""

    write_capability = "disasters.file_report"

    event = models.ForeignKey(DisasterEvent, verbose_name="灾害过程", on_delete=models.CASCADE, related_name="reports")
    stage = models.CharField("报告阶段", max_length=10, choices=list(STAGES.items()))
    sequence = models.PositiveIntegerField("本区划报告序号")
    report_at = models.DateTimeField("报告时间")
    reporter = models.CharField("填报人", max_length=40)
    affected_population = models.PositiveIntegerField("受灾人口（人）", default=0)
    deaths = models.PositiveIntegerField("因灾死亡人口（人）", default=0)
    missing = models.PositiveIntegerField("因灾失踪人口（人）", default=0)
    relocated = models.PositiveIntegerField("紧急转移安置人口（人）", default=0)
    needing_aid = models.PositiveIntegerField("需紧急生活救助人口（人）", default=0)
    collapsed_rooms = models.PositiveIntegerField("倒塌房屋（间）", default=0)
    collapsed_households = models.PositiveIntegerField("倒塌房屋（户）", default=0)
    severe_rooms = models.PositiveIntegerField("严重损坏房屋（间）", default=0)
    severe_households = models.PositiveIntegerField("严重损坏房屋（户）", default=0)
    general_rooms = models.PositiveIntegerField("一般损坏房屋（间）", default=0)
    general_households = models.PositiveIntegerField("一般损坏房屋（户）", default=0)
    crop_affected_ha = models.DecimalField("农作物受灾面积（公顷）", max_digits=12, decimal_places=2, default=0,
                                           validators=NON_NEGATIVE)
    crop_damaged_ha = models.DecimalField("农作物成灾面积（公顷）", max_digits=12, decimal_places=2, default=0,
                                          validators=NON_NEGATIVE)
    crop_lost_ha = models.DecimalField("农作物绝收面积（公顷）", max_digits=12, decimal_places=2, default=0,
                                       validators=NON_NEGATIVE)
    drought_aid_people = models.PositiveIntegerField("因旱需生活救助人口（人）", default=0)
    direct_loss_wan = models.DecimalField("直接经济损失（万元）", max_digits=14, decimal_places=2, default=0,
                                          validators=NON_NEGATIVE)
    summary = models.TextField("灾情及救灾工作简述", blank=True)
    jumps = models.JSONField("较上次报告大幅变化的指标", default=list, blank=True)
    jump_explanation = models.TextField("数据大幅变化说明", blank=True)
    differences = models.JSONField("与下级合计不一致的指标", default=list, blank=True)
    difference_explanation = models.TextField("与下级合计差异说明", blank=True)
    review_state = models.CharField("审核状态", max_length=10, choices=REVIEW_STATES, default="accepted")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核上报时间", null=True, blank=True)
    corrections = models.JSONField("审核更正（更正前后）", default=list, blank=True)
    correction_reason = models.TextField("更正原因", blank=True)

    class Meta:
        ordering = ["event", "division_code", "sequence"]
        verbose_name = "灾情报告"
        constraints = [
            models.UniqueConstraint(fields=["event", "division_code", "sequence"], name="loss_report_sequence"),
            # one 初报 and one 核报 per division and event (any number of 续报)
            models.UniqueConstraint(fields=["event", "division_code", "stage"], condition=Q(stage__in=["initial", "final"]),
                                    name="loss_report_single_stage"),
        ]

    def __str__(self):
        return f"{self.event} · {self.division_code} · {self.get_stage_display()}（第{self.sequence}次）"

    def figures(self) -> dict:
        return {name: getattr(self, name) for name in FIGURE_NAMES}

    def clean(self):
        super().clean()
        errors = {}
        if self.crop_lost_ha is not None and self.crop_damaged_ha is not None and self.crop_lost_ha > self.crop_damaged_ha:
            errors["crop_lost_ha"] = "绝收面积不能大于成灾面积"
        if self.crop_damaged_ha is not None and self.crop_affected_ha is not None and self.crop_damaged_ha > self.crop_affected_ha:
            errors["crop_damaged_ha"] = "成灾面积不能大于受灾面积"
        for kind, label in (("collapsed", "倒塌"), ("severe", "严重损坏"), ("general", "一般损坏")):
            if (getattr(self, f"{kind}_households") or 0) > (getattr(self, f"{kind}_rooms") or 0):
                errors[f"{kind}_households"] = f"{label}房屋户数不能大于间数"
        if errors:
            raise ValidationError(errors)


RELIEF_CATEGORIES = [
    ("emergency", "应急期生活救助"),
    ("transitional", "过渡期生活救助"),
    ("winter_spring", "冬春生活救助"),
    ("rebuild", "倒损住房恢复重建"),
]


class ReliefPayment(ScopedRecord):
    """Assistance to one household for one event and category (no household twice)."""

    write_capability = "disasters.report"

    event = models.ForeignKey(DisasterEvent, verbose_name="灾害过程", on_delete=models.PROTECT, related_name="payments")
    category = models.CharField("救助类别", max_length=20, choices=RELIEF_CATEGORIES)
    head_name = models.CharField("户主姓名", max_length=40)
    head_id_number = models.CharField("户主身份证号", max_length=18)
    household_size = models.PositiveSmallIntegerField("家庭人口（人）", default=1)
    people = models.PositiveSmallIntegerField("需救助人口（人）", default=1)
    amount_yuan = models.DecimalField("救助金额（元）", max_digits=12, decimal_places=2, default=0, validators=NON_NEGATIVE)
    paid_at = models.DateTimeField("发放时间")
    signer = models.CharField("领取人签字", max_length=40)

    class Meta:
        ordering = ["event", "category", "division_code", "head_name"]
        verbose_name = "救助发放"
        constraints = [models.UniqueConstraint(fields=["event", "category", "head_id_number"],
                                               name="relief_payment_once_per_household")]

    def __str__(self):
        return f"{self.head_name} · {self.get_category_display()}"

    def clean(self):
        super().clean()
        if self.people and self.household_size and self.people > self.household_size:
            raise ValidationError({"people": "需救助人口不能多于家庭人口"})


class ReliefMaterialIssue(ScopedRecord):
    """Relief materials issued to a household: the stock decrease is the ledger's 出库 line."""

    write_capability = "disasters.relief_logistics"

    payment = models.ForeignKey(ReliefPayment, verbose_name="救助发放", on_delete=models.PROTECT, related_name="issues")
    movement = models.ForeignKey("resources.StockMovement", verbose_name="台账出库记录", on_delete=models.PROTECT,
                                 related_name="+")
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发放人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = "救灾物资发放"

    def __str__(self):
        return f"{self.payment} · {self.movement}"


class IndicatorBaseline(ScopedRecord):
    """Baselines of the core indicators for one division and year, with their source."""

    year = models.PositiveSmallIntegerField("年份", validators=[MinValueValidator(2000, "年份不早于2000")])
    gdp_yi = models.DecimalField("地区生产总值（亿元）", max_digits=12, decimal_places=2, null=True, blank=True,
                                 validators=NON_NEGATIVE)
    population = models.PositiveIntegerField("常住人口（人）", null=True, blank=True)
    workers = models.PositiveIntegerField("工矿商贸就业人员（人）", null=True, blank=True)
    source = models.CharField("数据来源", max_length=200, help_text="如 阜新市2021年国民经济和社会发展统计公报")

    class Meta:
        ordering = ["division_code", "-year"]
        verbose_name = "指标基础数据"
        constraints = [models.UniqueConstraint(fields=["division_code", "year"], name="indicator_baseline_year")]

    def __str__(self):
        return f"{self.division_code[:6]} {self.year}年基础数据"


CASUALTY_STATUS = [("dead", "死亡"), ("missing", "失踪"), ("found", "已找到（生还）")]


class CasualtyRecord(ScopedRecord):
    """因灾死亡失踪人口一览表: one dead or missing person, counted where the event happened.
    A missing person found dead moves to 死亡, found alive to 已找到; every change is audited."""

    write_capability = "disasters.report"

    event = models.ForeignKey(DisasterEvent, verbose_name="灾害过程", on_delete=models.PROTECT, related_name="casualties")
    status = models.CharField("状态", max_length=10, choices=CASUALTY_STATUS)
    name = models.CharField("姓名", max_length=40)
    gender = models.CharField("性别", max_length=2, choices=[("男", "男"), ("女", "女")], blank=True)
    age = models.PositiveSmallIntegerField("年龄", null=True, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    residence = models.CharField("户籍地", max_length=120, blank=True)
    occurred_at = models.DateTimeField("死亡（失踪）时间")
    place = models.CharField("死亡（失踪）地点", max_length=120)
    cause = models.CharField("致死（失踪）原因", max_length=120, help_text="如 洪水冲走、房屋倒塌")

    class Meta:
        ordering = ["event", "division_code", "occurred_at"]
        verbose_name = "因灾死亡失踪人员"

    def __str__(self):
        return f"{self.name}（{self.get_status_display()}）"


class ReliefDispatch(ScopedRecord):
    """One relief shipment to a disaster area, timed against the plans' targets (装运 4 h,
    运抵 8 h from the dispatch order). ``division_code`` is the destination."""

    write_capability = "disasters.relief_logistics"

    event = models.ForeignKey(DisasterEvent, verbose_name="灾害过程", on_delete=models.PROTECT, related_name="dispatches")
    warehouse = models.ForeignKey("resources.Warehouse", verbose_name="发出储备库", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    items = models.CharField("物资及数量", max_length=200)
    ordered_at = models.DateTimeField("调运指令时间")
    loaded_at = models.DateTimeField("装运完毕时间", null=True, blank=True)
    delivered_at = models.DateTimeField("运抵时间", null=True, blank=True)

    class Meta:
        ordering = ["event", "ordered_at"]
        verbose_name = "救灾物资调运"

    def __str__(self):
        return f"{self.items}（{self.division_code[:9]}）"

    def clean(self):
        super().clean()
        if self.loaded_at and self.ordered_at and self.loaded_at < self.ordered_at:
            raise ValidationError({"loaded_at": "装运完毕时间不能早于调运指令时间"})
        if self.delivered_at and (self.loaded_at is None or self.delivered_at < self.loaded_at):
            raise ValidationError({"delivered_at": "须先装运完毕，且运抵时间不能早于装运时间"})


class ReliefNotice(ScopedRecord):
    """公示: the list of households and amounts of one category posted in a village or township
    (救助条例 第十九、二十六条), with where and for how long; objections are recorded in ``note``."""

    write_capability = "disasters.report"

    event = models.ForeignKey(DisasterEvent, verbose_name="灾害过程", on_delete=models.PROTECT, related_name="notices")
    category = models.CharField("救助类别", max_length=20, choices=RELIEF_CATEGORIES)
    posted_at = models.DateTimeField("公示开始时间")
    days = models.PositiveSmallIntegerField("公示天数", default=7)
    place = models.CharField("张贴地点", max_length=120)
    households = models.PositiveIntegerField("公示户数", default=0, editable=False)
    amount_yuan = models.DecimalField("公示金额合计（元）", max_digits=14, decimal_places=2, default=0, editable=False)
    note = models.TextField("异议及处理情况", blank=True)

    class Meta:
        ordering = ["event", "-posted_at"]
        verbose_name = "救助公示"

    def __str__(self):
        return f"{self.get_category_display()}公示（{self.division_code[:9]}）"


class DeadlineAlert(models.Model):
    """One reminder or overdue alert of one reporting deadline, claimed once (so several workers
    never alert twice). Written only by the deadline job."""

    event = models.ForeignKey(DisasterEvent, on_delete=models.CASCADE, related_name="deadline_alerts")
    key = models.CharField(max_length=80)  # county, stage and due time of the deadline
    kind = models.CharField(max_length=10)  # "reminder" or "overdue"
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "灾情报告时限提醒"
        constraints = [models.UniqueConstraint(fields=["event", "key", "kind"], name="disaster_deadline_alert_once")]
