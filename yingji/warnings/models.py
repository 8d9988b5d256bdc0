"""Public warnings (预警信息), their approval log, public subscribers, dissemination channels and
deliveries, and CAP messages received from other agencies."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from yingji.cap import labels as cap_labels
from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.regions.services import name_of
from yingji.rules import warning_workflow as wf
from yingji.rules.incident_types import INCIDENT_TYPES
from yingji.rules.warning_levels import LEVELS

from .capdoc import headline_of

LEVEL_CHOICES = [(info.level, f"{info.color}（{info.grade}）") for info in LEVELS]
EVENT_TYPE_CHOICES = [(t.code, f"{t.category_name}·{t.name}") for t in INCIDENT_TYPES]
# CAP code values carry the Chinese labels of yingji.cap.labels (one place for the platform).
CAP_CATEGORY_CHOICES = list(cap_labels.CATEGORY.items())
URGENCY_CHOICES = [(code, cap_labels.URGENCY[code]) for code in ("Unknown", "Immediate", "Expected", "Future", "Past")]
CERTAINTY_CHOICES = [(code, cap_labels.CERTAINTY[code])
                     for code in ("Unknown", "Observed", "Likely", "Possible", "Unlikely")]
CAP_STATUS_CHOICES = [(code, cap_labels.STATUS[code]) for code in ("Actual", "Exercise", "Test")]
CHANNELS = [("sms", "短信"), ("broadcast", "应急广播"), ("email", "电子邮件"), ("web", "网站与订阅源"), ("inapp", "平台内通知")]
CHANNEL_KEYS = [key for key, _ in CHANNELS]
AUDIENCES = [("public", "公众订阅用户"), ("officials", "平台用户（领导干部、工作人员）"), ("officers", "信息员")]


def default_channels() -> list[str]:
    return list(CHANNEL_KEYS)


def default_audiences() -> list[str]:
    return ["public", "officials", "officers"]


class Warning(ScopedRecord):
    """One warning message (首次发布, 更新, 升级, 降级 or 解除) with the fields 突发事件应对法
    第六十四条 requires. ``division_code`` is the issuing bureau's division."""

    write_capability = "warnings.draft"
    KINDS = [("alert", "首次发布"), ("update", "更新"), ("upgrade", "升级"), ("downgrade", "降级"), ("lift", "解除")]

    kind = models.CharField("类型", max_length=10, choices=KINDS, default="alert")
    supersedes = models.ForeignKey("self", verbose_name="原预警", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="successors")
    state = models.CharField("状态", max_length=12, choices=list(wf.STATES.items()), default=wf.DRAFT, db_index=True)
    event_type = models.CharField("预警类别", max_length=40, choices=EVENT_TYPE_CHOICES)
    event = models.CharField("预警事件", max_length=40, help_text="如：暴雨、大风、危险化学品泄漏")
    level = models.PositiveSmallIntegerField("预警级别", choices=LEVEL_CHOICES)
    cap_category = models.CharField("CAP 类别", max_length=10, choices=CAP_CATEGORY_CHOICES, blank=True,
                                    help_text="留空时按预警类别自动确定")
    urgency = models.CharField("紧迫程度", max_length=10, choices=URGENCY_CHOICES, default="Unknown")
    certainty = models.CharField("确定程度", max_length=10, choices=CERTAINTY_CHOICES, default="Unknown")
    headline = models.CharField("标题", max_length=200, blank=True, help_text="留空时自动生成，级别后缀如 [Ⅲ级/较重] 自动添加")
    area_desc = models.CharField("影响范围描述", max_length=300)
    area_codes = models.JSONField("影响区划代码", default=list, blank=True)
    area_polygon = models.JSONField("影响范围多边形（[经度, 纬度] 列表，WGS-84）", null=True, blank=True)
    circle_lon = models.FloatField("圆形范围中心经度", null=True, blank=True)
    circle_lat = models.FloatField("圆形范围中心纬度", null=True, blank=True)
    circle_radius_km = models.FloatField("圆形范围半径（公里）", null=True, blank=True)
    effective = models.DateTimeField("生效时间")
    onset = models.DateTimeField("开始时间", null=True, blank=True)
    expires = models.DateTimeField("失效时间")
    description = models.TextField("警示事项")
    instruction = models.TextField("防御指南（应当采取的措施）", blank=True)
    sender_name = models.CharField("发布单位", max_length=100)
    sender_code = models.CharField("发布单位代码", max_length=14, help_text="14 位：区划代码6位 + 机构编码3位 + 000 + 00")
    contact = models.CharField("咨询求助电话", max_length=60, blank=True)
    cap_status = models.CharField("发布性质", max_length=10, choices=CAP_STATUS_CHOICES, default="Actual")
    channels = models.JSONField("发布渠道", default=default_channels)
    audiences = models.JSONField("接收对象", default=default_audiences)
    sms_text = models.TextField("短信内容", blank=True, help_text="留空时由标题和防御指南生成")
    # Filled in by the workflow:
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="审核人", null=True, blank=True, editable=False,
                                 on_delete=models.SET_NULL, related_name="+")
    reviewed_at = models.DateTimeField("审核时间", null=True, blank=True, editable=False)
    signer = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True, blank=True, editable=False,
                               on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField("签发时间", null=True, blank=True, editable=False)
    publisher = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发布人", null=True, blank=True, editable=False,
                                  on_delete=models.SET_NULL, related_name="+")
    sent = models.DateTimeField("发布时间", null=True, blank=True, editable=False, db_index=True)
    identifier = models.CharField("CAP 标识", max_length=40, blank=True, editable=False, db_index=True)
    seq = models.PositiveSmallIntegerField("同秒顺序号", default=0, editable=False)
    cap_xml = models.TextField("CAP 报文", blank=True, editable=False)
    ended_at = models.DateTimeField("解除/更新时间", null=True, blank=True, editable=False)
    # What publishing did about dissemination (written by the publishing service, never by a form):
    # {"skipped": {channel: reason}, "targeting": {"status", "mode", "job", "done", "total", "counts",
    #  "started", "finished", "seconds", "error"}} — see dissemination.targeting_summary.
    dissemination = models.JSONField("投递准备情况", default=dict, blank=True, editable=False)

    class Meta:
        ordering = ["-updated_at", "-id"]
        verbose_name = "预警信息"

    def __str__(self):
        return self.title

    @property
    def title(self) -> str:
        return headline_of(self)

    @property
    def drafter_id(self):
        return self.created_by_id

    @property
    def channel_labels(self) -> list[str]:
        names = dict(CHANNELS)
        return [names.get(key, key) for key in self.channels or []]

    @property
    def is_active(self) -> bool:
        return self.state == wf.PUBLISHED and self.kind != "lift" and self.expires > timezone.now()

    @property
    def state_label(self) -> str:
        return wf.STATES[self.state]

    def clean(self):
        super().clean()
        problems = {}
        if self.effective and self.expires and self.expires <= self.effective:
            problems["expires"] = "失效时间必须晚于生效时间"
        if self.onset and self.expires and self.onset >= self.expires:
            problems["onset"] = "开始时间必须早于失效时间"
        circle = [self.circle_lon, self.circle_lat, self.circle_radius_km]
        if any(v is not None for v in circle) and any(v is None for v in circle):
            problems["circle_radius_km"] = "圆形范围须同时填写中心经纬度和半径"
        if self.circle_radius_km is not None and self.circle_radius_km <= 0:
            problems["circle_radius_km"] = "半径必须大于 0"
        if not (self.area_codes or self.area_polygon or self.circle_radius_km):
            problems["area_codes"] = "请至少选择一个影响区划，或绘制多边形/圆形范围"
        unknown = [c for c in self.channels or [] if c not in CHANNEL_KEYS]
        if unknown:
            problems["channels"] = f"未知发布渠道：{'、'.join(unknown)}"
        if problems:
            raise ValidationError(problems)


class WarningAction(models.Model):
    """One step of the approval workflow, with the comment given (e.g. why it was returned)."""

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField("操作", max_length=20)
    label = models.CharField("操作名称", max_length=20)
    from_state = models.CharField("原状态", max_length=12)
    to_state = models.CharField("新状态", max_length=12)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150)
    comment = models.TextField("意见", blank=True)
    at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        ordering = ["at", "id"]

    @property
    def from_state_label(self) -> str:
        return wf.STATES.get(self.from_state, self.from_state)

    @property
    def to_state_label(self) -> str:
        return wf.STATES.get(self.to_state, self.to_state)


class Subscriber(LocatedRecord):
    """A member of the public who receives warnings by SMS for a division (and, optionally,
    at a location: then drawn areas reach them precisely)."""

    write_capability = "warnings.subscribers.write"
    SOURCES = [("web", "网站自助订阅"), ("sms", "短信订阅"), ("import", "批量导入"), ("counter", "窗口登记")]

    phone = models.CharField("手机号码", max_length=20, unique=True)
    name = models.CharField("称呼", max_length=40, blank=True)
    active = models.BooleanField("接收预警", default=True)
    source = models.CharField("订阅来源", max_length=10, choices=SOURCES, default="counter")

    class Meta:
        ordering = ["division_code", "phone"]
        verbose_name = "公众订阅用户"
        indexes = [models.Index(fields=["lon", "lat"], name="warnings_sub_lonlat")]  # covering: bbox scans use the index only

    def __str__(self):
        return f"{self.phone[:3]}****{self.phone[-4:]}" if len(self.phone) >= 7 else self.phone

    def clean(self):
        super().clean()
        phone = (self.phone or "").replace(" ", "").replace("-", "")
        if not (phone.isdigit() and len(phone) == 11 and phone.startswith("1")):
            raise ValidationError({"phone": "手机号码应为 11 位数字，以 1 开头"})
        self.phone = phone


class AreaPopulation(ScopedRecord):
    """Population of a division, the denominator of a warning's coverage report."""

    population = models.PositiveIntegerField("常住人口")
    year = models.PositiveSmallIntegerField("统计年份")
    source = models.CharField("数据来源", max_length=200)

    class Meta:
        ordering = ["division_code"]
        verbose_name = "区域人口"
        constraints = [models.UniqueConstraint(fields=["division_code"], name="warnings_population_division")]

    def __str__(self):
        return f"{name_of(self.division_code)} {self.population} 人（{self.year}）"


class ChannelConfig(ScopedRecord):
    """Where and how fast a dissemination channel sends."""

    literal_fields = ("endpoint", "smtp_host", "mail_from")  # addresses, shown as they are

    channel = models.CharField("渠道", max_length=10, choices=CHANNELS, unique=True)
    name = models.CharField("名称", max_length=60)
    enabled = models.BooleanField("启用", default=True)
    endpoint = models.CharField("接口地址", max_length=300, blank=True, help_text="短信网关或应急广播平台的 HTTP 地址")
    smtp_host = models.CharField("SMTP 服务器", max_length=120, blank=True)
    smtp_port = models.PositiveIntegerField("SMTP 端口", default=25)
    mail_from = models.CharField("发件地址", max_length=120, blank=True)
    signature = models.CharField("短信签名", max_length=30, blank=True, help_text="如【阜新市应急管理局】，计入短信长度")
    rate_per_second = models.FloatField("发送速率上限（条/秒）", default=50)
    batch_size = models.PositiveIntegerField("每次请求条数", default=100)
    max_attempts = models.PositiveSmallIntegerField("最多尝试次数", default=5)
    retry_base_seconds = models.FloatField("重试间隔基数（秒）", default=30, help_text="第 n 次失败后等待 基数×2^(n-1) 秒，最长 1 小时")
    timeout_seconds = models.FloatField("超时（秒）", default=10)
    receipt_token = models.CharField("回执令牌", max_length=80, blank=True, help_text="短信网关回传送达回执时携带的令牌")

    class Meta:
        ordering = ["channel"]
        verbose_name = "发布渠道"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if self.rate_per_second <= 0:
            raise ValidationError({"rate_per_second": "速率必须大于 0"})
        if self.batch_size < 1:
            raise ValidationError({"batch_size": "每次请求至少 1 条"})
        if self.endpoint and not self.endpoint.startswith(("http://", "https://")):
            raise ValidationError({"endpoint": "接口地址应以 http:// 或 https:// 开头"})


class Delivery(models.Model):
    """One message to one recipient over one channel. Written in bulk (set-based SQL)."""

    STATUSES = [("queued", "排队"), ("sending", "发送中"), ("sent", "已发送"), ("delivered", "已送达"),
                ("failed", "失败"), ("cancelled", "已取消")]
    RECIPIENT_KINDS = [("public", "公众"), ("official", "平台用户"), ("officer", "信息员"), ("endpoint", "平台/终端")]

    # No index of its own: the unique key below starts with it (one index less to keep per row of
    # a 1.2-million-recipient warning).
    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="deliveries", db_index=False)
    channel = models.CharField("渠道", max_length=10, choices=CHANNELS)
    recipient_kind = models.CharField("接收对象", max_length=10, choices=RECIPIENT_KINDS)
    recipient_id = models.BigIntegerField("接收对象编号")
    address = models.CharField("地址", max_length=300)
    division_code = models.CharField("区划", max_length=12)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="queued")
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    next_attempt_at = models.DateTimeField("下次尝试")
    locked_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField("发送时间", null=True, blank=True)
    delivered_at = models.DateTimeField("送达时间", null=True, blank=True)
    external_id = models.CharField("网关消息编号", max_length=64, blank=True)
    last_error = models.CharField("最近错误", max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["warning", "channel", "recipient_kind", "recipient_id"],
                                               name="warnings_delivery_once")]
        indexes = [models.Index(fields=["channel", "status", "next_attempt_at"], name="warnings_delivery_due")]


class DeliveryBatch(models.Model):
    """Up to ``dissemination.BATCH`` public subscribers of one warning, listed by a background
    targeting run (a city-wide warning: 1.2 M subscribers in about 2,400 rows instead of 1.2 M) and
    turned into their :class:`Delivery` rows when a channel sender takes the batch
    (``dissemination.expand_batches``). Who is in the batch is fixed when it is listed; a
    subscriber who unsubscribes before the batch is sent is left out."""

    STATUSES = [("pending", "排队"), ("expanded", "已转入发送"), ("cancelled", "已取消")]

    warning = models.ForeignKey(Warning, on_delete=models.CASCADE, related_name="batches", db_index=False)
    channel = models.CharField("渠道", max_length=10, choices=CHANNELS)
    recipient_kind = models.CharField("接收对象", max_length=10, choices=Delivery.RECIPIENT_KINDS)
    # what the batch holds, unique per warning and channel so that a resumed run lists nobody twice:
    # "<step kind><step>:<id bucket>" (d: the warning's divisions, p: the drawn area, t: subscribers
    # without a location in a township the drawn area touches)
    key = models.CharField(max_length=40)
    ids = models.JSONField("订阅用户编号")
    counties = models.JSONField("各县区人数", default=dict)  # {"210902": 71, …}: coverage by county
    size = models.PositiveIntegerField("人数")
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="pending")
    created_at = models.DateTimeField(default=timezone.now)
    expanded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["warning", "channel", "recipient_kind", "key"],
                                               name="warnings_batch_once")]
        indexes = [models.Index(fields=["channel", "status", "id"], name="warnings_batch_due")]


class CapFeed(ScopedRecord):
    """An Atom or plain-CAP feed of another agency that the platform polls."""

    literal_fields = ("url",)  # an address, shown as it is (core.registry.Registry.is_literal)

    name = models.CharField("名称", max_length=100)
    url = models.CharField("地址", max_length=500)
    enabled = models.BooleanField("启用", default=True)
    interval_minutes = models.PositiveIntegerField("轮询间隔（分钟）", default=5)
    last_polled_at = models.DateTimeField("最近轮询", null=True, blank=True, editable=False)
    last_result = models.CharField("最近结果", max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        verbose_name = "CAP 订阅源"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        if not self.url.startswith(("http://", "https://")):
            raise ValidationError({"url": "地址应以 http:// 或 https:// 开头"})


SIGNATURE_STATES = [("valid", "有效"), ("invalid", "无效"), ("unsigned", "未签名"), ("unverified", "未核验")]


class CapImport(models.Model):
    """One received CAP document (kept byte for byte) and what was decided about it."""

    SOURCES = [("upload", "文件上传"), ("feed", "订阅源轮询"), ("api", "接口推送"), ("cli", "命令行")]
    DECISIONS = [("accept", "接收"), ("accept_with_note", "接收（附说明）"), ("reject", "拒收")]

    source = models.CharField("来源方式", max_length=10, choices=SOURCES)
    source_name = models.CharField("来源", max_length=300, blank=True)
    feed = models.ForeignKey(CapFeed, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports")
    received_at = models.DateTimeField("接收时间", default=timezone.now, db_index=True)
    decision = models.CharField("处理结果", max_length=20, choices=DECISIONS)
    notes = models.JSONField("说明", default=list)
    reasons = models.JSONField("拒收原因", default=list)
    raw = models.BinaryField("原始报文")
    sha256 = models.CharField(max_length=64, db_index=True)
    new_alerts = models.PositiveIntegerField("新增警报", default=0)
    duplicate_alerts = models.PositiveIntegerField("重复警报", default=0)
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    signature = models.CharField("数字签名", max_length=10, choices=SIGNATURE_STATES, default="unsigned")
    signature_detail = models.CharField("签名校验说明", max_length=300, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = "CAP 接收记录"

    def __str__(self):
        return f"{self.get_source_display()} {self.source_name}"


class ImportedAlert(models.Model):
    """A CAP alert received from another agency; CAP identity (sender, identifier, sent) is unique."""

    STATES = [("active", "有效"), ("superseded", "已被更新"), ("cancelled", "已取消")]

    cap_import = models.ForeignKey(CapImport, on_delete=models.PROTECT, related_name="alerts")
    sender = models.CharField("发送者", max_length=200)
    identifier = models.CharField("标识", max_length=200)
    sent = models.DateTimeField("发送时间")
    version = models.CharField("CAP 版本", max_length=4)
    status = models.CharField("状态 status", max_length=10)
    msg_type = models.CharField("消息类型", max_length=10)
    references = models.JSONField("引用", default=list)
    updates = models.ForeignKey("self", verbose_name="更新/取消的原警报", null=True, blank=True,
                                on_delete=models.SET_NULL, related_name="followups")
    state = models.CharField("当前状态", max_length=10, choices=STATES, default="active")
    language = models.CharField("语言", max_length=10, blank=True)
    event = models.CharField("事件", max_length=200, blank=True)
    headline = models.CharField("标题", max_length=300, blank=True)
    description = models.TextField("描述", blank=True)
    instruction = models.TextField("指引", blank=True)
    sender_name = models.CharField("发布单位", max_length=200, blank=True)
    severity = models.CharField("严重程度", max_length=10, blank=True)
    level = models.PositiveSmallIntegerField("预警级别", null=True, blank=True, choices=LEVEL_CHOICES)
    urgency = models.CharField("紧迫程度", max_length=10, blank=True)
    certainty = models.CharField("确定程度", max_length=12, blank=True)
    effective = models.DateTimeField("生效时间", null=True, blank=True)
    onset = models.DateTimeField("开始时间", null=True, blank=True)
    expires = models.DateTimeField("失效时间", null=True, blank=True)
    area_desc = models.TextField("区域", blank=True)
    geocodes = models.JSONField("区域代码", default=list)
    geometry = models.JSONField("范围（GeoJSON）", null=True, blank=True)
    division_code = models.CharField("对应区划", max_length=12, blank=True, db_index=True)
    is_synthetic = models.BooleanField("合成示例数据", default=False)
    scope = models.CharField("发布范围 scope", max_length=12, blank=True)
    infos = models.JSONField("全部信息块", default=list, blank=True,
                             help_text="每个 info（各语言）：类别、事件代码、响应类型、参数、资源、网址、联系方式、区域……")
    cap_xml = models.TextField("原始警报", blank=True, help_text="收到的该条 CAP 警报原文，可原样导出")
    signature = models.CharField("数字签名", max_length=10, choices=SIGNATURE_STATES, default="unsigned")

    class Meta:
        ordering = ["-sent", "-id"]
        verbose_name = "外部预警"
        constraints = [models.UniqueConstraint(fields=["sender", "identifier", "sent"], name="warnings_imported_identity")]

    def __str__(self):
        return self.headline or self.event or self.identifier

    def get_msg_type_label(self) -> str:
        from yingji.cap.labels import MSG_TYPE, label

        return label(MSG_TYPE, self.msg_type)

    @property
    def is_active(self) -> bool:
        return (self.state == "active" and self.msg_type != "Cancel" and self.status == "Actual"
                and (self.expires is None or self.expires > timezone.now()))
