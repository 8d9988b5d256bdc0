"""The append-only audit log.

Rows are only ever inserted. The model refuses updates and deletes, the queryset
refuses bulk updates and deletes, and database triggers (SQLite and PostgreSQL,
installed by migration 0002) refuse them at the database level as well. Each row is a
link of a hash chain (``chain.py``; ``yingji audit verify``), so a row edited, deleted or
inserted behind the application's back is detected.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能修改")

    def delete(self):
        raise AppendOnlyError("审计日志只能追加，不能删除")


class AuditEntry(models.Model):
    ACTIONS = [
        ("create", "新增"),
        ("update", "修改"),
        ("delete", "删除"),
        ("transition", "状态变更"),
        ("import", "导入"),
        ("export", "导出"),
        ("login", "登录"),
        ("login_failed", "登录失败"),
        ("logout", "退出"),
        ("token", "签发令牌"),
    ]

    at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField("操作人", max_length=150, blank=True)
    address = models.CharField("来源地址", max_length=64, blank=True)
    action = models.CharField("操作", max_length=20, choices=ACTIONS, db_index=True)
    model = models.CharField("对象类型", max_length=60, db_index=True)
    object_id = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    division_code = models.CharField("所属区划", max_length=12, blank=True, db_index=True)
    before = models.JSONField("修改前", null=True, blank=True)
    after = models.JSONField("修改后", null=True, blank=True)
    changed_fields = models.JSONField("变更字段", default=list, blank=True)
    note = models.CharField("说明", max_length=300, blank=True)
    seq = models.BigIntegerField("链序号", null=True, unique=True, editable=False)
    prev_hash = models.CharField("前序哈希", max_length=64, blank=True, editable=False)
    entry_hash = models.CharField("本条哈希", max_length=64, blank=True, editable=False)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = "审计记录"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("审计日志只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("审计日志只能追加，不能删除")
