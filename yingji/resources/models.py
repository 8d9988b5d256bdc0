"""Emergency resources: teams, experts, warehouses and the stock ledger, equipment, shelters,
information officers and key protection targets."""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.geo import divcodes
from yingji.rules import shelters as shelter_rules

from .fields import MultiLabelField

PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(-\d{1,6})?|\d{3,6})$")


def validate_phone(value: str) -> None:
    if value and not PHONE.match(value.replace(" ", "")):
        raise ValidationError(f"电话号码“{value}”格式不正确：应为 11 位手机号、带区号的固定电话（如 0418-2800000）或 3–6 位短号")


# ----------------------------------------------------------------------------- teams
TEAM_SPECIALTIES = ("危化", "矿山", "森林草原防灭火", "地震地质", "防汛抗旱", "电力", "通信", "医疗", "水域",
                    "燃气", "供水排水", "供热", "道路抢通", "建筑施工", "工贸", "综合救援")


class RescueTeam(LocatedRecord):
    CATEGORIES = [
        ("comprehensive", "综合性消防救援"),
        ("professional", "专业"),
        ("part_time", "兼职"),
        ("social", "社会应急力量"),
        ("military", "驻军武警民兵"),
    ]
    LEVELS = [("city", "市级"), ("county", "县级"), ("township", "乡镇"), ("enterprise", "企业")]
    READINESS = [("standby", "待命"), ("on_mission", "执行任务"), ("resting", "休整"), ("training", "训练"),
                 ("unavailable", "暂不可用")]

    name = models.CharField("队伍名称", max_length=100)
    category = models.CharField("队伍类别", max_length=20, choices=CATEGORIES, db_index=True)
    specialties = MultiLabelField("专业领域", options=TEAM_SPECIALTIES)
    level = models.CharField("队伍级别", max_length=12, choices=LEVELS)
    headcount = models.PositiveIntegerField("人数", validators=[MinValueValidator(1)])
    parent_unit = models.CharField("隶属单位", max_length=100, blank=True)
    leader = models.CharField("负责人", max_length=40)
    leader_phone = models.CharField("负责人电话", max_length=40, validators=[validate_phone])
    duty_phone = models.CharField("24小时值班电话", max_length=40, validators=[validate_phone])
    equipment = models.TextField("携带装备", blank=True)
    readiness = models.CharField("战备状态", max_length=12, choices=READINESS, default="standby", db_index=True)
    address = models.CharField("驻地地址", max_length=200, blank=True)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "救援队伍"
        indexes = [models.Index(fields=["division_code", "name"]), models.Index(fields=["category", "division_code", "name"])]

    def __str__(self):
        return self.name


# ----------------------------------------------------------------------------- experts
EXPERT_CATEGORIES = [
    ("hazchem", "危险化学品"), ("mining", "矿山安全"), ("industry", "工贸安全"), ("fire", "消防救援"),
    ("flood", "防汛抗旱"), ("earthquake", "地震地质"), ("forest_fire", "森林草原防灭火"), ("weather", "气象"),
    ("medical", "医疗卫生"), ("transport", "交通运输"), ("utilities", "电力通信"), ("management", "应急管理与法律"),
]


class Expert(ScopedRecord):
    import_lookup = ("name", "phone")
    LEVELS = [("national", "国家级"), ("province", "省级"), ("city", "市级"), ("county", "县级")]
    TITLES = [("senior", "正高级"), ("associate", "副高级"), ("intermediate", "中级"), ("other", "其他")]
    AVAILABILITY = [("available", "可随时响应"), ("appointment", "需提前预约"), ("unavailable", "暂不可用")]

    name = models.CharField("姓名", max_length=40)
    category = models.CharField("专家类别", max_length=20, choices=EXPERT_CATEGORIES, db_index=True)
    specialties = models.CharField("专业特长", max_length=200, blank=True)
    title = models.CharField("职称", max_length=12, choices=TITLES, default="other")
    employer = models.CharField("工作单位", max_length=100)
    level = models.CharField("专家级别", max_length=12, choices=LEVELS)
    phone = models.CharField("联系电话", max_length=40, validators=[validate_phone])
    availability = models.CharField("可响应状态", max_length=12, choices=AVAILABILITY, default="available")
    notes = models.TextField("备注", blank=True)

    class Meta:
        ordering = ["category", "name"]
        verbose_name = "应急专家"

    def __str__(self):
        return self.name


class ExpertConsultation(ScopedRecord):
    """Who was consulted when: the 'dynamic' part of the expert database."""

    KINDS = [("risk_assessment", "风险评估"), ("consultation", "会商研判"), ("incident", "事故（事件）处置"),
             ("hazard_check", "隐患排查"), ("plan_review", "预案评审"), ("research", "课题研究"), ("training", "培训授课")]

    expert = models.ForeignKey(Expert, verbose_name="专家", on_delete=models.PROTECT, related_name="consultations")
    consulted_at = models.DateTimeField("咨询时间", default=timezone.now)
    kind = models.CharField("咨询类型", max_length=20, choices=KINDS)
    topic = models.CharField("事由", max_length=200)
    requested_by = models.CharField("邀请单位", max_length=100, blank=True)
    outcome = models.TextField("意见与结果", blank=True)

    class Meta:
        ordering = ["-consulted_at"]
        verbose_name = "专家咨询记录"

    def __str__(self):
        return f"{self.expert}·{self.topic}"


# ----------------------------------------------------------------------------- warehouses and materials
class Warehouse(LocatedRecord):
    import_lookup = ("code", "name")
    LEVELS = [("central", "中央"), ("province", "省级"), ("city", "市级"), ("county", "县级"), ("township", "乡镇")]
    KINDS = [("relief", "救灾物资储备库"), ("equipment", "应急装备储备库"), ("flood", "防汛物资仓库"),
             ("forest_fire", "森林防灭火物资库"), ("comprehensive", "综合储备库")]

    code = models.CharField("库编号", max_length=30, unique=True)
    name = models.CharField("储备库名称", max_length=100)
    level = models.CharField("级别", max_length=12, choices=LEVELS)
    kind = models.CharField("类型", max_length=20, choices=KINDS, default="relief")
    owner_unit = models.CharField("主管单位", max_length=100, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    area_m2 = models.DecimalField("库房面积（m²）", max_digits=10, decimal_places=1, validators=[MinValueValidator(0)])
    manager = models.CharField("管理员", max_length=40)
    manager_phone = models.CharField("管理员电话", max_length=40, validators=[validate_phone])

    class Meta:
        ordering = ["division_code", "code"]
        verbose_name = "储备库"

    def __str__(self):
        return self.name


class Material(ScopedRecord):
    """The material catalogue (物资目录): reference data readable by every user."""

    import_lookup = ("code", "name")
    CATEGORIES = [
        ("living", "生活保障类"), ("shelter", "安置帐篷类"), ("lifesaving", "生命救护类"), ("rescue", "抢险救援类"),
        ("flood", "防汛抗旱类"), ("fire", "森林防灭火类"), ("protection", "个体防护类"), ("power_comm", "动力照明通信类"),
        ("medical", "医疗防疫类"), ("hazchem", "危化处置类"),
    ]
    code = models.CharField("物资编码", max_length=20, unique=True,
                            help_text="类别码-序号，如 SH-001")
    name = models.CharField("物资名称", max_length=60)
    category = models.CharField("物资类别", max_length=20, choices=CATEGORIES, db_index=True)
    spec = models.CharField("规格型号", max_length=100, blank=True)
    unit = models.CharField("计量单位", max_length=10)
    min_stock = models.DecimalField("最低储备量（每库）", max_digits=12, decimal_places=2, default=0,
                                    validators=[MinValueValidator(0)])
    shelf_life_days = models.PositiveIntegerField("保质期（天）", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "物资目录"

    def __str__(self):
        return self.name


class StockMovement(ScopedRecord):
    """One line of the stock ledger (台账). Written only by ``services.record_movement``; never
    edited or deleted — a mistake is corrected by a reverse movement."""

    write_capability = "resources.stock.write"
    KINDS = [("in", "入库"), ("out", "出库"), ("transfer", "调拨"), ("recover", "回收"), ("disinfect", "消毒"),
             ("scrap", "报废")]

    warehouse = models.ForeignKey(Warehouse, verbose_name="储备库", on_delete=models.PROTECT, related_name="movements")
    material = models.ForeignKey(Material, verbose_name="物资", on_delete=models.PROTECT, related_name="movements")
    kind = models.CharField("业务类型", max_length=10, choices=KINDS, db_index=True)
    quantity = models.DecimalField("数量", max_digits=12, decimal_places=2,
                                   validators=[MinValueValidator(0.01, "数量必须大于 0")])
    other_warehouse = models.ForeignKey(Warehouse, verbose_name="调入库（调拨）", null=True, blank=True,
                                        on_delete=models.PROTECT, related_name="+")
    delta = models.DecimalField("库存变动", max_digits=12, decimal_places=2, default=0, editable=False)
    batch = models.CharField("批次号", max_length=40, blank=True)
    production_date = models.DateField("生产日期", null=True, blank=True)
    expiry_date = models.DateField("有效期至", null=True, blank=True)
    signer = models.CharField("签字人（谁签字谁负责）", max_length=40)
    occurred_at = models.DateTimeField("发生时间", default=timezone.now)
    counterparty = models.CharField("来源/去向", max_length=100, blank=True)
    reference = models.CharField("关联事件/任务", max_length=100, blank=True)
    note = models.CharField("备注", max_length=200, blank=True)
    paired = models.ForeignKey("self", verbose_name="调拨对应记录", null=True, blank=True, editable=False,
                               on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-occurred_at", "-id"]
        verbose_name = "物资台账"
        indexes = [models.Index(fields=["warehouse", "material", "batch"])]

    def __str__(self):
        return f"{self.get_kind_display()} {self.material} {self.quantity}"

    def clean(self):
        super().clean()
        if self.production_date and self.expiry_date and self.expiry_date < self.production_date:
            raise ValidationError({"expiry_date": "有效期不能早于生产日期"})
        if self.kind == "transfer":
            if not self.other_warehouse_id:
                raise ValidationError({"other_warehouse": "调拨须填写调入库"})
            if self.other_warehouse_id == self.warehouse_id:
                raise ValidationError({"other_warehouse": "调入库不能与调出库相同"})


# ----------------------------------------------------------------------------- equipment
class Equipment(LocatedRecord):
    KINDS = [("vehicle", "车辆"), ("drone", "无人机"), ("pump", "排涝泵/抽水机"), ("generator", "发电机组"),
             ("comms", "通信装备"), ("machinery", "工程机械"), ("boat", "舟艇"), ("lighting", "照明装备"),
             ("other", "其他")]
    STATUSES = [("ready", "完好待命"), ("in_use", "执行任务"), ("maintenance", "维修保养"), ("retired", "报废停用")]

    name = models.CharField("装备名称", max_length=100)
    kind = models.CharField("装备类型", max_length=12, choices=KINDS, db_index=True)
    model_spec = models.CharField("型号规格", max_length=100, blank=True)
    identifier = models.CharField("车牌/编号", max_length=40, blank=True)
    key_parameters = models.CharField("主要参数", max_length=200, blank=True)
    owner_unit = models.CharField("所属单位", max_length=100)
    warehouse = models.ForeignKey(Warehouse, verbose_name="存放储备库", null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField("状态", max_length=12, choices=STATUSES, default="ready", db_index=True)
    keeper = models.CharField("保管人", max_length=40, blank=True)
    keeper_phone = models.CharField("保管人电话", max_length=40, blank=True, validators=[validate_phone])

    class Meta:
        ordering = ["division_code", "kind", "name"]
        verbose_name = "大型装备"

    def __str__(self):
        return self.name


# ----------------------------------------------------------------------------- shelters
SHELTER_FACILITIES = ("休息区", "物资分发点", "出入口及通道", "消防", "照明", "标识", "管理区", "宿住区",
                      "医疗卫生救护区", "物资储备区", "垃圾收集点", "供水", "供电", "广播", "排污", "通风",
                      "指挥区", "停车场", "停机坪", "淋浴", "通信", "无障碍设施")


class Shelter(LocatedRecord):
    # GB 51143-2015 types; GB/T 44013-2024 levels (docs/rules.md §10).
    TYPES = [("emergency", "紧急避难场所"), ("fixed_short", "固定避难场所（短期）"), ("fixed_medium", "固定避难场所（中期）"),
             ("fixed_long", "固定避难场所（长期）"), ("central", "中心避难场所")]
    HAZARDS = [("comprehensive", "综合"), ("earthquake", "地震"), ("extreme_weather", "极端天气"), ("specific", "特定")]
    LEVELS = [("province", "省级"), ("city", "市级"), ("county", "县级"), ("township", "乡镇（街道）级"),
              ("village", "村（社区）级")]
    SPACES = [("outdoor", "室外场地型"), ("indoor", "室内建筑型")]
    HOSTS = [("park", "公园"), ("green", "绿地"), ("square", "广场"), ("school", "学校"), ("stadium", "体育场馆"),
             ("exhibition", "会展中心"), ("civil_defence", "人防工程"), ("community", "社区/村委会"), ("other", "其他")]
    STATUSES = [("closed", "未启用"), ("open", "开放"), ("full", "已满员")]

    name = models.CharField("场所名称", max_length=100)
    shelter_type = models.CharField("场所类型", max_length=15, choices=TYPES, db_index=True)
    hazard = models.CharField("避难种类", max_length=16, choices=HAZARDS, default="comprehensive")
    level = models.CharField("场所级别", max_length=10, choices=LEVELS)
    space = models.CharField("空间类型", max_length=10, choices=SPACES, default="outdoor")
    host = models.CharField("依托设施", max_length=16, choices=HOSTS, default="park")
    address = models.CharField("地址", max_length=200, blank=True)
    total_area_m2 = models.DecimalField("总面积（m²）", max_digits=12, decimal_places=1, validators=[MinValueValidator(0)])
    effective_area_m2 = models.DecimalField("有效避难面积（m²）", max_digits=12, decimal_places=1,
                                            validators=[MinValueValidator(0)])
    capacity_override = models.PositiveIntegerField("核定容纳人数（人工核定）", null=True, blank=True,
                                                    help_text="留空则按有效面积和人均 1.5 m² 计算（GB 21734-2008 §5.4）")
    capacity = models.PositiveIntegerField("容纳人数", default=0, editable=False)
    facilities = MultiLabelField("设施配置", options=SHELTER_FACILITIES)
    service_radius_m = models.PositiveIntegerField("服务半径（m）", default=500)
    manager = models.CharField("管理人", max_length=40)
    manager_phone = models.CharField("管理人电话", max_length=40, validators=[validate_phone])
    status = models.CharField("启用状态", max_length=8, choices=STATUSES, default="closed", db_index=True)
    occupancy = models.PositiveIntegerField("当前安置人数", default=0)
    standardised = models.BooleanField("已标准化建设", default=False)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "应急避难场所"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        errors = {}
        if self.total_area_m2 is not None and self.effective_area_m2 is not None:
            if self.effective_area_m2 > self.total_area_m2:
                errors["effective_area_m2"] = "有效避难面积不能大于总面积"
            else:
                self.capacity = shelter_rules.effective_capacity(self.effective_area_m2, self.capacity_override)
        if self.occupancy and self.occupancy > self.capacity:
            errors["occupancy"] = f"当前安置人数 {self.occupancy} 超过容纳人数 {self.capacity}"
        if self.occupancy and self.status == "closed":
            errors["status"] = "场所未启用时当前安置人数应为 0"
        if errors:
            raise ValidationError(errors)

    def save(self, *args, **kwargs):
        if self.effective_area_m2 is not None:
            self.capacity = shelter_rules.effective_capacity(self.effective_area_m2, self.capacity_override)
        super().save(*args, **kwargs)


# ----------------------------------------------------------------------------- people and places
OFFICER_ROLES = ("灾害信息员", "网格员", "气象信息员", "群测群防员")


class InformationOfficer(LocatedRecord):
    name = models.CharField("姓名", max_length=40)
    roles = MultiLabelField("岗位（可一员多职）", options=OFFICER_ROLES, blank=False)
    village = models.CharField("所在村（社区）", max_length=60, blank=True)
    phone = models.CharField("手机", max_length=40, validators=[validate_phone])
    trained = models.BooleanField("已参加培训", default=False)
    notes = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "基层信息员"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.division_code and divcodes.level_of(self.division_code) not in ("township", "village"):
            raise ValidationError({"division_code": "信息员须登记到乡镇（街道）或村（社区），请填写 9 位或 12 位区划代码"})


class ProtectionTarget(LocatedRecord):
    KINDS = [("school", "学校"), ("kindergarten", "幼儿园"), ("hospital", "医院"), ("elderly_care", "养老机构"),
             ("welfare", "福利机构"), ("crowded", "人员密集场所"), ("station", "车站"), ("other", "其他")]

    name = models.CharField("目标名称", max_length=100)
    kind = models.CharField("目标类型", max_length=14, choices=KINDS, db_index=True)
    population = models.PositiveIntegerField("人数/床位", default=0)
    contact = models.CharField("负责人", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True, validators=[validate_phone])
    address = models.CharField("地址", max_length=200, blank=True)
    notes = models.CharField("防护要点", max_length=200, blank=True)

    class Meta:
        ordering = ["division_code", "kind", "name"]
        verbose_name = "重点防护目标"

    def __str__(self):
        return self.name
