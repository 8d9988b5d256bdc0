"""Installation-to-installation exchange (上下级平台对接): the links between a child installation
(a county) and its parent (the city), the outbox of messages waiting to go, the inbox of messages
received (the idempotency keys) and the latest state of each record received."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils import timezone

from yingji.core.models import ScopedRecord

DIRECTIONS = [("up", "上报"), ("down", "下发")]
OUTCOMES = [("applied", "已处理"), ("stale", "已有更新版本，未覆盖"), ("failed", "处理失败")]


class ChildLink(ScopedRecord):
    """At the parent: one child installation, identified by the credential issued for it.
    ``division_code`` is the child's division: it may only report records of that division."""

    write_capability = "exchange.manage"
    audit_exclude = frozenset({"secret"})
    literal_fields = ("key_id",)

    name = models.CharField("下级平台名称", max_length=100)
    key_id = models.CharField("凭据编号", max_length=40, unique=True, editable=False)
    secret = models.CharField("共享密钥", max_length=80, editable=False)
    active = models.BooleanField("启用", default=True)
    last_contact_at = models.DateTimeField("最近联系时间", null=True, blank=True, editable=False)
    child_pending = models.PositiveIntegerField("下级待上报条数", default=0, editable=False)
    last_error = models.CharField("最近错误", max_length=300, blank=True, editable=False)
    last_error_at = models.DateTimeField("最近错误时间", null=True, blank=True, editable=False)
    received_count = models.PositiveIntegerField("已接收条数", default=0, editable=False)

    class Meta:
        ordering = ["division_code", "pk"]
        verbose_name = "下级平台"

    def __str__(self):
        return self.name


class ParentLink(ScopedRecord):
    """At the child: the parent installation it reports to (at most one active).
    ``division_code`` is this installation's own division, as the parent issued it."""

    write_capability = "exchange.manage"
    audit_exclude = frozenset({"secret"})
    literal_fields = ("url", "key_id")

    name = models.CharField("上级平台名称", max_length=100)
    url = models.URLField("上级平台地址", max_length=300)
    key_id = models.CharField("凭据编号", max_length=40, editable=False)
    secret = models.CharField("共享密钥", max_length=80, editable=False)
    active = models.BooleanField("启用", default=True)
    last_contact_at = models.DateTimeField("最近成功联系时间", null=True, blank=True, editable=False)
    last_attempt_at = models.DateTimeField("最近尝试时间", null=True, blank=True, editable=False)
    failures = models.PositiveIntegerField("连续失败次数", default=0, editable=False)
    next_attempt_at = models.DateTimeField("下次尝试时间", default=timezone.now, editable=False)
    last_error = models.CharField("最近错误", max_length=300, blank=True, editable=False)

    class Meta:
        ordering = ["-active", "pk"]
        verbose_name = "上级平台"

    def __str__(self):
        return self.name


class OutboxMessage(models.Model):
    """A message waiting to go (or gone): written in the same transaction as the record change.
    The body is sealed (serialised, then never changed) when the message is first sent or
    exported, so every retry carries the same bytes. ``child`` is the target of a downward
    message; an upward message goes to the active parent link."""

    message_id = models.UUIDField("消息编号", default=uuid.uuid4, unique=True, editable=False)
    direction = models.CharField("方向", max_length=4, choices=DIRECTIONS)
    child = models.ForeignKey(ChildLink, verbose_name="下级平台", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="outbox")
    kind = models.CharField("类型", max_length=30)
    record_key = models.CharField("记录标识", max_length=80)
    record_id = models.CharField("本地记录编号", max_length=40)
    origin_code = models.CharField("发送方行政区划", max_length=12)
    seq = models.PositiveIntegerField("记录内序号")
    title = models.CharField("标题", max_length=200, blank=True)
    division_code = models.CharField("所属行政区划", max_length=12, db_index=True)
    deleted = models.BooleanField("记录已删除", default=False)
    body = models.JSONField("报文内容", null=True, blank=True)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    sealed_at = models.DateTimeField("封装时间", null=True, blank=True)
    sent_at = models.DateTimeField("对方确认时间", null=True, blank=True, db_index=True)
    sent_via = models.CharField("送达方式", max_length=10, blank=True, choices=[("link", "网络"), ("file", "文件")])
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = "待发消息"
        constraints = [models.UniqueConstraint(fields=["direction", "child", "record_key", "seq"],
                                               name="exchange_outbox_record_seq")]

    def __str__(self):
        return self.title or self.record_key


class InboxMessage(models.Model):
    """A message received: its id is the idempotency key (a retried delivery is recognised and
    not applied again)."""

    message_id = models.UUIDField("消息编号", unique=True)
    direction = models.CharField("方向", max_length=4, choices=DIRECTIONS)
    child = models.ForeignKey(ChildLink, verbose_name="下级平台", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="inbox")
    origin_code = models.CharField("发送方行政区划", max_length=12)
    kind = models.CharField("类型", max_length=30)
    record_key = models.CharField("记录标识", max_length=80)
    seq = models.PositiveIntegerField("记录内序号")
    outcome = models.CharField("处理结果", max_length=8, choices=OUTCOMES)
    error = models.CharField("错误", max_length=300, blank=True)
    via = models.CharField("接收方式", max_length=10, choices=[("link", "网络"), ("file", "文件")], default="link")
    received_at = models.DateTimeField("接收时间", auto_now_add=True)

    class Meta:
        ordering = ["-pk"]
        verbose_name = "已收消息"

    def __str__(self):
        return self.record_key


class ReceivedRecord(ScopedRecord):
    """The latest state of one record received from another installation (a county's incident
    at the city, a city warning at the county), with the sequence number that ordered it.
    ``division_code`` is the record's own division."""

    write_capability = "exchange.manage"

    direction = models.CharField("方向", max_length=4, choices=DIRECTIONS)
    child = models.ForeignKey(ChildLink, verbose_name="下级平台", null=True, blank=True, on_delete=models.CASCADE,
                              related_name="records")
    origin_code = models.CharField("发送方行政区划", max_length=12)
    kind = models.CharField("类型", max_length=30, db_index=True)
    schema = models.CharField("格式版本", max_length=30)
    record_key = models.CharField("记录标识", max_length=80, unique=True)
    seq = models.PositiveIntegerField("记录内序号")
    title = models.CharField("标题", max_length=200)
    body = models.JSONField("内容")
    deleted = models.BooleanField("对方已删除", default=False)
    received_at = models.DateTimeField("最近接收时间")

    class Meta:
        ordering = ["-received_at", "-pk"]
        verbose_name = "上下级报送记录"

    def __str__(self):
        return self.title


class Instruction(ScopedRecord):
    """A leader's 批示 to a lower installation. ``division_code`` is the receiving division; it
    goes down to the child installation of that division (and is kept here as issued)."""

    write_capability = "exchange.manage"

    leader = models.CharField("批示领导", max_length=40)
    text = models.TextField("批示内容")
    issued_at = models.DateTimeField("批示时间", default=timezone.now)
    about = models.ForeignKey(ReceivedRecord, verbose_name="所批示的报送记录", null=True, blank=True,
                              on_delete=models.SET_NULL, related_name="instructions")

    class Meta:
        ordering = ["-issued_at", "-pk"]
        verbose_name = "领导批示"

    def __str__(self):
        return f"{self.leader}批示：{self.text[:30]}"
