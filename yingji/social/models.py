"""Social mobilisation (社会动员): social emergency forces with their capabilities, members and
equipment; volunteers and their call-ups; the villages the grassroots information officers
cover; 科普 articles for the public portal; reports from the public; reports from the field app."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.geo import divcodes
from yingji.resources.fields import MultiLabelField
from yingji.resources.models import validate_phone
from yingji.rules import social as rules
from yingji.rules.uscc import USCCError, validate_uscc

GRADE_CHOICES = [(k, v) for k, v in rules.GRADES.items()]


def upload_path(instance, filename: str) -> str:
    ext = filename.rsplit(".", 1)[-1].lower()[:5]
    return f"social/{type(instance).__name__.lower()}/{timezone.localdate():%Y/%m}/{uuid.uuid4().hex}.{ext}"


# ----------------------------------------------------------------------------- social forces
class SocialForce(LocatedRecord):
    """A social emergency force (社会应急力量): registered by the organisation, reviewed by the bureau.
    Once approved it is a rescue team of category 社会应急力量 (``team``), so command finds and
    dispatches it like any team — with the force's consent recorded on the dispatch."""

    write_capability = "social.forces.register"
    REVIEW_STATES = [("submitted", "待审核"), ("approved", "已审核通过"), ("rejected", "未通过"), ("suspended", "暂停调用")]

    name = models.CharField("组织名称", max_length=100)
    uscc = models.CharField("统一社会信用代码", max_length=18)
    civil_registration = models.CharField("民政登记证号", max_length=40, blank=True)
    supervisor = models.CharField("业务主管单位", max_length=100, blank=True)
    specialties = MultiLabelField("救援类别", options=rules.SPECIALTIES, blank=False)
    leader = models.CharField("负责人", max_length=40)
    leader_phone = models.CharField("负责人电话", max_length=40, validators=[validate_phone])
    duty_phone = models.CharField("24小时值班电话", max_length=40, validators=[validate_phone])
    address = models.CharField("驻地地址", max_length=200, blank=True)
    review_state = models.CharField("审核状态", max_length=12, choices=REVIEW_STATES, default="submitted",
                                    db_index=True, editable=False)
    review_note = models.CharField("审核意见", max_length=300, blank=True, editable=False)
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    reviewer_name = models.CharField("审核人", max_length=60, blank=True, editable=False)
    team = models.OneToOneField("resources.RescueTeam", verbose_name="救援队伍档案", null=True, blank=True,
                                editable=False, on_delete=models.PROTECT, related_name="social_force")

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "社会应急力量"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            self.uscc = validate_uscc(self.uscc)
        except USCCError as exc:
            raise ValidationError({"uscc": str(exc)}) from exc


class ForceCapability(ScopedRecord):
    """What the force declares for one rescue type, and the grade the bureau recorded for it."""

    write_capability = "social.forces.register"
    RANGES = list(rules.RANGES.items())

    force = models.ForeignKey(SocialForce, verbose_name="社会应急力量", on_delete=models.CASCADE, related_name="capabilities")
    specialty = models.CharField("救援类别", max_length=20, choices=[(s, s) for s in rules.SPECIALTIES])
    range = models.CharField("作业范围", max_length=10, choices=RANGES, default="local")
    assemble_hours = models.DecimalField("集结时间（小时）", max_digits=4, decimal_places=1,
                                         validators=[MinValueValidator(0)])
    sites = models.PositiveSmallIntegerField("可同时作业点数", default=1, validators=[MinValueValidator(1)])
    sustain_hours = models.PositiveSmallIntegerField("连续作业时间（小时）", validators=[MaxValueValidator(720)])
    has_support_teams = models.BooleanField("设前突分队和后方保障分队", default=False)
    suggested_grade = models.PositiveSmallIntegerField("指标对应等级", choices=GRADE_CHOICES, null=True, blank=True,
                                                       editable=False)
    grade = models.PositiveSmallIntegerField("测评等级", choices=GRADE_CHOICES, null=True, blank=True, editable=False)
    grade_document = models.CharField("测评结果文号", max_length=60, blank=True, editable=False)
    graded_on = models.DateField("定级日期", null=True, blank=True, editable=False)

    class Meta:
        ordering = ["force", "specialty"]
        verbose_name = "救援能力"
        constraints = [models.UniqueConstraint(fields=["force", "specialty"], name="social_capability_once")]

    def __str__(self):
        return f"{self.force}·{self.specialty}"


class ForceMember(ScopedRecord):
    """A member of a force with a certificate and the personal accident insurance
    (突发事件应对法 2024 第三十九、四十条)."""

    write_capability = "social.forces.register"
    force = models.ForeignKey(SocialForce, verbose_name="社会应急力量", on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("手机", max_length=40, validators=[validate_phone])
    skills = MultiLabelField("救援类别", options=rules.SPECIALTIES)
    certificate = models.CharField("资格证书", max_length=100, blank=True)
    certificate_no = models.CharField("证书编号", max_length=60, blank=True)
    certificate_expires = models.DateField("证书有效期至", null=True, blank=True)
    insurer = models.CharField("保险公司", max_length=60, blank=True)
    insurance_policy = models.CharField("意外伤害保险单号", max_length=60, blank=True)
    insured_until = models.DateField("保险有效期至", null=True, blank=True)

    class Meta:
        ordering = ["force", "name"]
        verbose_name = "社会应急力量队员"

    def __str__(self):
        return self.name

    def clean(self):
        if self.force_id:
            self.division_code = self.force.division_code
        super().clean()
        if self.insured_until and not self.insurance_policy:
            raise ValidationError({"insurance_policy": "填写保险有效期时须填写保险单号"})


class ForceEquipment(ScopedRecord):
    write_capability = "social.forces.register"
    KINDS = [("vehicle", "车辆"), ("boat", "舟艇"), ("drone", "无人机"), ("search", "搜救器材"), ("diving", "潜水装具"),
             ("medical", "医疗救护器材"), ("comms", "通信装备"), ("lighting", "照明发电"), ("other", "其他")]

    force = models.ForeignKey(SocialForce, verbose_name="社会应急力量", on_delete=models.CASCADE, related_name="equipment")
    name = models.CharField("装备名称", max_length=100)
    kind = models.CharField("装备类型", max_length=10, choices=KINDS)
    quantity = models.PositiveIntegerField("数量", default=1, validators=[MinValueValidator(1)])
    notes = models.CharField("说明", max_length=200, blank=True)

    class Meta:
        ordering = ["force", "kind", "name"]
        verbose_name = "社会应急力量装备"

    def __str__(self):
        return self.name

    def clean(self):
        if self.force_id:
            self.division_code = self.force.division_code
        super().clean()


# ----------------------------------------------------------------------------- volunteers
VOLUNTEER_SKILLS = ("医疗救护", "心理疏导", "搜救", "驾驶", "通信", "物资搬运", "后勤保障", "宣传引导", "外语翻译", "信息统计")


class Volunteer(ScopedRecord):
    write_capability = "social.volunteers.manage"
    STATES = [("pending", "待审核"), ("active", "在册"), ("inactive", "已退出")]
    AVAILABILITY = [("anytime", "随时"), ("weekend", "节假日"), ("evening", "工作日晚间"), ("emergency", "仅重大灾害时")]
    SOURCES = [("portal", "公众门户自助登记"), ("console", "工作人员登记")]

    name = models.CharField("姓名", max_length=40)
    phone = models.CharField("手机", max_length=40, validators=[validate_phone])
    skills = MultiLabelField("技能特长", options=VOLUNTEER_SKILLS)
    availability = models.CharField("可服务时间", max_length=10, choices=AVAILABILITY, default="weekend")
    training_hours = models.DecimalField("培训学时", max_digits=6, decimal_places=1, default=0,
                                         validators=[MinValueValidator(0)])
    hours_served = models.DecimalField("累计服务时长（小时）", max_digits=8, decimal_places=1, default=0, editable=False)
    state = models.CharField("状态", max_length=10, choices=STATES, default="pending", db_index=True, editable=False)
    source = models.CharField("登记方式", max_length=10, choices=SOURCES, default="console", editable=False)
    notes = models.CharField("备注", max_length=200, blank=True)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "应急志愿者"

    def __str__(self):
        return self.name


class Callup(LocatedRecord):
    """A call-up of volunteers for an incident or a drill."""

    write_capability = "social.volunteers.manage"
    PURPOSES = [("incident", "突发事件"), ("drill", "应急演练"), ("other", "其他")]
    STATES = [("open", "召集中"), ("closed", "已结束")]

    title = models.CharField("召集事由", max_length=120)
    purpose = models.CharField("类型", max_length=10, choices=PURPOSES)
    incident = models.ForeignKey("incidents.Incident", verbose_name="关联事件", null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="+")
    drill = models.ForeignKey("preparedness.Drill", verbose_name="关联演练", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="+")
    meet_at = models.DateTimeField("集合时间")
    place = models.CharField("集合地点", max_length=200)
    needed = models.PositiveIntegerField("需要人数", validators=[MinValueValidator(1)])
    skills = MultiLabelField("所需技能", options=VOLUNTEER_SKILLS)
    state = models.CharField("状态", max_length=8, choices=STATES, default="open", db_index=True, editable=False)

    class Meta:
        ordering = ["-meet_at"]
        verbose_name = "志愿者召集"

    def __str__(self):
        return self.title

    def clean(self):
        super().clean()
        if self.purpose == "incident" and not self.incident_id:
            raise ValidationError({"incident": "突发事件召集须关联事件"})
        if self.purpose == "drill" and not self.drill_id:
            raise ValidationError({"drill": "演练召集须关联演练"})


class CallupResponse(ScopedRecord):
    write_capability = "social.volunteers.manage"
    ANSWERS = [("invited", "待答复"), ("accepted", "已接受"), ("declined", "已谢绝")]

    callup = models.ForeignKey(Callup, verbose_name="召集", on_delete=models.CASCADE, related_name="responses")
    volunteer = models.ForeignKey(Volunteer, verbose_name="志愿者", on_delete=models.PROTECT, related_name="callups")
    answer = models.CharField("答复", max_length=10, choices=ANSWERS, default="invited")
    answered_at = models.DateTimeField("答复时间", null=True, blank=True)
    checked_in_at = models.DateTimeField("签到时间", null=True, blank=True)
    checked_out_at = models.DateTimeField("签退时间", null=True, blank=True)
    hours = models.DecimalField("服务时长（小时）", max_digits=6, decimal_places=1, default=0)

    class Meta:
        ordering = ["callup", "volunteer__name"]
        verbose_name = "召集响应"
        constraints = [models.UniqueConstraint(fields=["callup", "volunteer"], name="social_callup_once")]

    def __str__(self):
        return f"{self.callup}·{self.volunteer}"


# ----------------------------------------------------------------------------- villages
class Village(ScopedRecord):
    """A village or community (村/社区): the unit of the information officers' roster and coverage."""

    KINDS = [("village", "行政村"), ("community", "社区")]
    name = models.CharField("村（社区）名称", max_length=60)
    kind = models.CharField("类型", max_length=10, choices=KINDS, default="village")
    disaster_prone = models.BooleanField("灾害易发村（社区）", default=False)
    population = models.PositiveIntegerField("常住人口", default=0)

    class Meta:
        ordering = ["division_code"]
        verbose_name = "村（社区）"
        constraints = [models.UniqueConstraint(fields=["division_code"], name="social_village_code_once")]

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.division_code and divcodes.level_of(self.division_code) != "village":
            raise ValidationError({"division_code": "村（社区）须填写 12 位村级区划代码"})


# ----------------------------------------------------------------------------- public side
class Article(ScopedRecord):
    """A 科普 article shown on the public portal once published."""

    write_capability = "social.portal.publish"
    CATEGORIES = [("flood", "防汛防台"), ("earthquake", "防震减灾"), ("fire", "森林草原防火"), ("hazchem", "危化品安全"),
                  ("home", "居家安全"), ("first_aid", "应急救护"), ("evacuation", "避险转移")]
    title = models.CharField("标题", max_length=120)
    category = models.CharField("类别", max_length=12, choices=CATEGORIES)
    summary = models.CharField("摘要", max_length=200, blank=True)
    body = models.TextField("正文")
    published = models.BooleanField("已发布", default=False)
    published_on = models.DateField("发布日期", default=timezone.localdate)

    class Meta:
        ordering = ["-published_on", "-pk"]
        verbose_name = "科普文章"

    def __str__(self):
        return self.title


class PublicReport(LocatedRecord):
    """A hidden hazard or an emergency clue reported by the public on the portal; it waits in the
    duty room's queue until someone accepts, refers or dismisses it."""

    write_capability = "social.reports.handle"
    KINDS = [("hazard", "安全隐患"), ("clue", "突发事件线索")]
    STATES = [("new", "待处理"), ("accepted", "已受理"), ("referred", "已转办"), ("dismissed", "不予受理")]
    audit_exclude = ("fingerprint",)

    kind = models.CharField("类型", max_length=8, choices=KINDS)
    description = models.TextField("情况描述")
    address = models.CharField("地点描述", max_length=200, blank=True)
    phone = models.CharField("联系电话（选填）", max_length=40, blank=True, validators=[validate_phone])
    photo = models.FileField("照片", upload_to=upload_path, blank=True)
    state = models.CharField("处理状态", max_length=10, choices=STATES, default="new", db_index=True)
    received_at = models.DateTimeField("收到时间", default=timezone.now)
    handled_at = models.DateTimeField("处理时间", null=True, blank=True)
    handler_name = models.CharField("处理人", max_length=60, blank=True)
    handling_note = models.CharField("处理意见", max_length=300, blank=True)
    fingerprint = models.CharField("来源标识", max_length=64, blank=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "群众报告"

    def __str__(self):
        return f"{self.get_kind_display()}·{self.description[:20]}"


# ----------------------------------------------------------------------------- field app
FIGURE_LABELS = {"affected_population": "受灾人口（人）", "relocated": "紧急转移安置（人）", "deaths": "死亡（人）",
                 "missing": "失踪（人）", "collapsed_rooms": "倒塌房屋（间）", "direct_loss_wan": "直接经济损失（万元）"}


class FieldReport(LocatedRecord):
    """A report filed from the field app, keyed by the id the device generated: a retried sync
    finds the same row instead of writing a second one."""

    write_capability = "field.report"
    KINDS = [("incident", "突发事件信息"), ("loss", "灾情信息"), ("hazard_check", "隐患排查"), ("task_update", "任务进展")]
    STATES = [("received", "已接收"), ("conflict", "存在冲突"), ("handled", "已处理")]

    client_id = models.UUIDField("终端生成编号", unique=True)
    kind = models.CharField("类型", max_length=14, choices=KINDS)
    title = models.CharField("标题", max_length=120)
    description = models.TextField("情况描述", blank=True)
    figures = models.JSONField("灾情数字", default=dict, blank=True)
    task = models.ForeignKey("command.Task", verbose_name="任务", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")
    task_version = models.PositiveIntegerField("填报时任务版本", null=True, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="报送人", on_delete=models.PROTECT,
                               related_name="+", editable=False)
    recorded_at = models.DateTimeField("现场记录时间")
    received_at = models.DateTimeField("服务器接收时间", default=timezone.now)
    state = models.CharField("状态", max_length=10, choices=STATES, default="received", db_index=True)
    conflict = models.CharField("冲突说明", max_length=300, blank=True)
    content_hash = models.CharField("内容摘要", max_length=64, editable=False)

    class Meta:
        ordering = ["-received_at"]
        verbose_name = "外业报送"

    def __str__(self):
        return self.title

    def figure_lines(self) -> list[str]:
        return [f"{FIGURE_LABELS.get(k, k)} {v}" for k, v in (self.figures or {}).items()]


class FieldPhoto(models.Model):
    report = models.ForeignKey(FieldReport, on_delete=models.CASCADE, related_name="photos")
    image = models.FileField("照片", upload_to=upload_path)
    content_type = models.CharField("文件类型", max_length=40)
    size = models.PositiveIntegerField("大小（字节）")

    class Meta:
        ordering = ["report", "pk"]
        verbose_name = "外业照片"
