"""Monitoring: monitored objects, sensors, readings (time-keyed), latest values, hourly
roll-ups, alarms, quarantined messages and device tokens.

Times of readings are stored as integer milliseconds since the UNIX epoch (UTC): the hot
path inserts tens of thousands of rows per second and compares times as integers; the API
and the console convert to local time (Asia/Shanghai) for people.
"""

from __future__ import annotations

import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.core.registry import REGISTRIES
from yingji.rules import alarm_lifecycle
from yingji.rules import monitoring as rules

CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


def validate_device_code(value: str) -> None:
    if not CODE_RE.match(value or ""):
        raise ValidationError("设备编码只能包含字母、数字、下划线、点和连字符（用于 MQTT 主题），不超过 64 位")


def registry_choices() -> list[tuple[str, str]]:
    """The registries a monitored object may link to, by their Chinese names (resolved when
    asked: every app's registries are declared at start-up)."""
    return [(key, registry.label) for key, registry in REGISTRIES.items()]


class MonitoredObject(LocatedRecord):
    """Something watched by sensors: a tank farm, a tailings pond, a river gauge, a station.

    It links to the registry that holds the object's own file (e.g. a hazard source in the
    hazards app) by a generic reference: ``registry_key`` + ``registry_id`` + ``registry_name``.
    """

    write_capability = "monitoring.write"
    scope_enterprise_field = "enterprise"
    KINDS = [
        ("hazard_source", "危险化学品重大危险源"), ("tank", "储罐（区）"), ("warehouse", "危化品仓库"),
        ("tailings_pond", "尾矿库"), ("mine", "非煤矿山"), ("geohazard", "地质灾害隐患点"),
        ("abandoned_pit", "废弃矿坑"), ("river_gauge", "河道水文站"), ("reservoir", "水库"),
        ("flood_point", "防汛重点部位"), ("weather_station", "自动气象站"), ("seismic_station", "地震台"),
        ("eew_station", "地震烈度速报与预警台站"), ("other", "其他"),
    ]

    name = models.CharField("名称", max_length=120)
    code = models.CharField("对象编码", max_length=64, unique=True, validators=[validate_device_code])
    kind = models.CharField("对象类型", max_length=20, choices=KINDS)
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="monitored_objects")
    registry_key = models.CharField("关联台账", max_length=40, blank=True, choices=registry_choices,
                                    help_text="关联的台账类型，如 重大危险源")
    registry_id = models.PositiveBigIntegerField("关联台账记录编号", null=True, blank=True)
    registry_name = models.CharField("关联台账记录名称", max_length=120, blank=True)
    owner_unit = models.CharField("管理单位", max_length=120, blank=True)
    contact = models.CharField("联系人", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)
    notes = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["division_code", "kind", "name"]
        verbose_name = "监测对象"

    def __str__(self):
        return self.name


class Sensor(ScopedRecord):
    """A measuring point. Thresholds by level (1 = 一级/红 … 4 = 四级/蓝), upper and lower."""

    write_capability = "monitoring.write"
    scope_enterprise_field = "enterprise"
    # kind: (label, default unit)
    KIND_UNITS = {
        "level": ("液位", "m"), "temperature": ("温度", "℃"), "pressure": ("压力", "MPa"),
        "flammable_gas": ("可燃气体浓度", "%LEL"), "toxic_gas": ("有毒气体浓度", "ppm"),
        "displacement": ("位移", "mm"), "rainfall": ("降雨量", "mm/h"), "water_level": ("水位", "m"),
        "phreatic_line": ("浸润线埋深", "m"), "seepage": ("渗流量", "L/s"), "wind_speed": ("风速", "m/s"),
        "intensity": ("地震动峰值加速度", "gal"), "radon": ("氡浓度", "Bq/L"), "strain": ("体应变", "10⁻⁹"),
        "other": ("其他", ""),
    }
    KINDS = [(k, v[0]) for k, v in KIND_UNITS.items()]

    code = models.CharField("设备编码", max_length=64, unique=True, validators=[validate_device_code],
                            help_text="设备上报使用的编码（即 MQTT 主题中的设备编码）")
    name = models.CharField("测点名称", max_length=120)
    monitored_object = models.ForeignKey(MonitoredObject, verbose_name="监测对象", on_delete=models.PROTECT,
                                         related_name="sensors")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   editable=False, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("监测类型", max_length=20, choices=KINDS)
    unit = models.CharField("单位", max_length=16, blank=True)
    interval_s = models.PositiveIntegerField("上报周期（秒）", default=60)
    stale_after = models.PositiveSmallIntegerField("离线判定（周期数）", default=3,
                                                   help_text="连续这么多个上报周期无数据即判为离线")
    upper_1 = models.FloatField("一级（红色）上限", null=True, blank=True)
    upper_2 = models.FloatField("二级（橙色）上限", null=True, blank=True)
    upper_3 = models.FloatField("三级（黄色）上限", null=True, blank=True)
    upper_4 = models.FloatField("四级（蓝色）上限", null=True, blank=True)
    lower_1 = models.FloatField("一级（红色）下限", null=True, blank=True)
    lower_2 = models.FloatField("二级（橙色）下限", null=True, blank=True)
    lower_3 = models.FloatField("三级（黄色）下限", null=True, blank=True)
    lower_4 = models.FloatField("四级（蓝色）下限", null=True, blank=True)
    deadband = models.FloatField("回差（死区）", default=0.0, help_text="报警解除需回落超过阈值的幅度，防止临界值反复报警")
    rate_limit_per_s = models.FloatField("变化率限值（单位/秒）", null=True, blank=True)
    rate_window_s = models.PositiveIntegerField("变化率时间窗（秒）", null=True, blank=True)
    rate_level = models.PositiveSmallIntegerField("变化率报警级别", default=3, choices=[(k, v) for k, v in rules.LEVEL_NAMES.items()])
    valid_min = models.FloatField("有效量程下限", null=True, blank=True, help_text="超出量程的数值视为异常数据，隔离不入库")
    valid_max = models.FloatField("有效量程上限", null=True, blank=True)
    enabled = models.BooleanField("启用", default=True)

    class Meta:
        ordering = ["division_code", "code"]
        verbose_name = "监测传感器"

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def upper(self) -> dict[int, float]:
        return {lv: v for lv in rules.LEVELS if (v := getattr(self, f"upper_{lv}")) is not None}

    def lower(self) -> dict[int, float]:
        return {lv: v for lv in rules.LEVELS if (v := getattr(self, f"lower_{lv}")) is not None}

    def threshold_rule(self) -> rules.ThresholdRule | None:
        upper, lower = self.upper(), self.lower()
        if not upper and not lower:
            return None
        return rules.ThresholdRule(upper=upper, lower=lower, deadband=self.deadband or 0.0)

    def rate_rule(self) -> rules.RateRule | None:
        if self.rate_limit_per_s is None or not self.rate_window_s:
            return None
        return rules.RateRule(limit_per_s=self.rate_limit_per_s, window_s=float(self.rate_window_s),
                              level=self.rate_level)

    def sensor_config(self) -> rules.SensorConfig:
        return rules.SensorConfig(threshold=self.threshold_rule(), rate=self.rate_rule(),
                                  interval_s=float(self.interval_s) if self.interval_s else None,
                                  stale_after=max(1, self.stale_after or 1))

    def clean(self):
        if self.monitored_object_id:
            obj = self.monitored_object
            self.division_code = obj.division_code
            self.enterprise_id = obj.enterprise_id
        if not self.unit and self.kind in self.KIND_UNITS:
            self.unit = self.KIND_UNITS[self.kind][1]
        super().clean()
        try:
            self.threshold_rule()
        except ValueError as exc:
            raise ValidationError({"upper_1": str(exc)}) from exc
        if (self.rate_limit_per_s is None) != (not self.rate_window_s):
            raise ValidationError({"rate_limit_per_s": "变化率限值和时间窗须同时填写"})
        try:
            self.rate_rule()
        except ValueError as exc:
            raise ValidationError({"rate_limit_per_s": str(exc)}) from exc
        if self.interval_s is not None and self.interval_s < 1:
            raise ValidationError({"interval_s": "上报周期至少 1 秒"})
        if self.valid_min is not None and self.valid_max is not None and self.valid_min >= self.valid_max:
            raise ValidationError({"valid_min": "有效量程下限必须小于上限"})


class Reading(models.Model):
    """One measurement. Primary key (sensor, t): a reading delivered twice is stored once."""

    pk = models.CompositePrimaryKey("sensor_id", "t")
    sensor = models.ForeignKey(Sensor, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    t = models.BigIntegerField("时间（毫秒，UTC）")
    value = models.FloatField("数值")
    seq = models.BigIntegerField("序号", null=True, blank=True)

    class Meta:
        verbose_name = "监测数据"


class LatestValue(models.Model):
    """The newest reading of each sensor, for dashboards and the console."""

    sensor = models.OneToOneField(Sensor, primary_key=True, on_delete=models.CASCADE, related_name="latest")
    t = models.BigIntegerField()
    value = models.FloatField()
    seq = models.BigIntegerField(null=True, blank=True)


class HourlyRollup(models.Model):
    """Downsampled series: count, min, max and sum per sensor and hour (kept after the raw
    readings are pruned by the retention policy)."""

    pk = models.CompositePrimaryKey("sensor_id", "hour")
    sensor = models.ForeignKey(Sensor, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+")
    hour = models.BigIntegerField("小时起点（毫秒，UTC）")
    n = models.PositiveIntegerField()
    vmin = models.FloatField()
    vmax = models.FloatField()
    vsum = models.FloatField()


class MonitoringState(models.Model):
    """Small key/value facts of the monitoring machinery (roll-up watermark, ...)."""

    key = models.CharField(max_length=40, primary_key=True)
    value = models.BigIntegerField(default=0)


class Alarm(ScopedRecord):
    """One alarm per sensor and rule while it is open; repeats update it (see
    :mod:`yingji.rules.alarm_lifecycle`)."""

    write_capability = "alarms.respond"
    scope_enterprise_field = "enterprise"
    RULES = [(rules.RULE_THRESHOLD, "阈值报警"), (rules.RULE_RATE, "变化速率报警"), (rules.RULE_STALE, "离线（数据中断）"),
             (rules.RULE_GAP, "数据缺失（序号不连续）")]
    LEVELS = [(k, v) for k, v in rules.LEVEL_NAMES.items()]
    STATES = list(alarm_lifecycle.STATES.items())
    SIDES = [("", "—"), (rules.UPPER, "超上限"), (rules.LOWER, "低于下限")]

    sensor = models.ForeignKey(Sensor, verbose_name="传感器", on_delete=models.PROTECT, related_name="alarms")
    monitored_object = models.ForeignKey(MonitoredObject, verbose_name="监测对象", on_delete=models.PROTECT,
                                         related_name="alarms")
    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    rule = models.CharField("报警规则", max_length=12, choices=RULES)
    level = models.PositiveSmallIntegerField("报警级别", choices=LEVELS)
    side = models.CharField("方向", max_length=8, choices=SIDES, blank=True)
    state = models.CharField("状态", max_length=14, choices=STATES, default=alarm_lifecycle.INITIAL_STATE)
    is_open = models.BooleanField("未关闭", default=True)
    condition_active = models.BooleanField("报警条件仍存在", default=True)
    first_value = models.FloatField("首次报警值", null=True, blank=True)
    last_value = models.FloatField("最近报警值", null=True, blank=True)
    peak_value = models.FloatField("最大偏离值", null=True, blank=True)
    raised_at = models.DateTimeField("报警时间")
    level_changed_at = models.DateTimeField("当前级别起始时间", help_text="升级计时从此刻起算")
    last_triggered_at = models.DateTimeField("最近触发时间")
    occurrences = models.PositiveIntegerField("触发次数", default=1)
    cleared_at = models.DateTimeField("恢复正常时间", null=True, blank=True)
    acknowledged_at = models.DateTimeField("确认时间", null=True, blank=True)
    acknowledged_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="确认人", null=True, blank=True,
                                        on_delete=models.SET_NULL, related_name="+")
    acknowledge_note = models.CharField("确认说明", max_length=300, blank=True)
    handled_at = models.DateTimeField("处置时间", null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处置人", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    handling_note = models.TextField("处置情况", blank=True)
    closed_at = models.DateTimeField("关闭时间", null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="关闭人", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="+")
    close_note = models.CharField("关闭说明", max_length=300, blank=True)
    dismissed = models.BooleanField("误报关闭", default=False)
    escalation_tier = models.PositiveSmallIntegerField("已升级层级", default=0)
    escalated_at = models.DateTimeField("最近升级时间", null=True, blank=True)
    incident_url = models.CharField("转为事件", max_length=200, blank=True)
    detail = models.CharField("报警说明", max_length=300, blank=True, help_text="如数据缺失报警的缺失序号范围")
    trigger_value = models.FloatField("触发读数", null=True, blank=True, help_text="使报警达到当前级别的那一条读数")
    trigger_threshold = models.FloatField("触发阈值", null=True, blank=True, help_text="触发时该级别的阈值（此后修改阈值不影响）")

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = "监测报警"
        constraints = [
            models.UniqueConstraint(fields=["sensor", "rule"], condition=Q(is_open=True),
                                    name="monitoring_one_open_alarm_per_sensor_rule"),
        ]
        indexes = [models.Index(fields=["is_open", "division_code"]), models.Index(fields=["state", "raised_at"])]

    def __str__(self):
        return f"{self.sensor.name} {self.get_level_display()}{self.get_rule_display()}"

    @property
    def level_color(self) -> str:
        return {1: "red", 2: "orange", 3: "yellow", 4: "blue"}.get(self.level, "blue")


class QuarantinedMessage(models.Model):
    """A message or reading the ingest refused, kept with the reason (never silently dropped)."""

    REASONS = [
        ("bad_topic", "主题格式错误"), ("bad_json", "不是有效的 JSON"), ("bad_shape", "报文结构错误"),
        ("bad_time", "时间无效"), ("bad_value", "数值无效"), ("unknown_sensor", "未登记的传感器"),
        ("disabled_sensor", "传感器已停用"), ("division_mismatch", "主题区划与传感器不符"),
        ("out_of_range", "超出有效量程"), ("storage_error", "入库失败"), ("forbidden", "无权上报该传感器"),
    ]

    received_at = models.DateTimeField("接收时间", auto_now_add=True, db_index=True)
    source = models.CharField("来源", max_length=8, choices=[("mqtt", "MQTT"), ("http", "HTTP"), ("local", "内置模拟")])
    topic = models.CharField("主题/接口", max_length=200, blank=True)
    sensor_code = models.CharField("设备编码", max_length=64, blank=True)
    division_code = models.CharField("区划", max_length=12, blank=True, db_index=True)
    reason = models.CharField("原因", max_length=20, choices=REASONS, db_index=True)
    detail = models.CharField("说明", max_length=300, blank=True)
    payload = models.TextField("原始内容", blank=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "隔离数据"


class DeviceToken(models.Model):
    """A token for HTTP ingest: a device (or gateway) may report only sensors inside its
    division (and of its enterprise, when set). Only the SHA-256 digest is stored."""

    audit_exclude = frozenset({"digest", "last_used_at"})

    name = models.CharField("名称", max_length=60)
    division_code = models.CharField("允许上报的区划", max_length=12)
    enterprise = models.ForeignKey("regions.Enterprise", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked = models.BooleanField(default=False)

    class Meta:
        verbose_name = "设备令牌"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def new_token() -> str:
        return "yjd_" + secrets.token_urlsafe(32)
