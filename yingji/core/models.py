"""Abstract bases for business records (regional scope, optimistic locking, location) and the
spreadsheet import batch every registry uses."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from yingji.geo import divcodes

COORD_SYSTEMS = [("WGS84", "WGS-84"), ("CGCS2000", "CGCS2000"), ("GCJ02", "GCJ-02（火星坐标）"), ("BD09", "BD-09（百度）")]


def validate_division_code(value: str) -> None:
    try:
        divcodes.normalise(value)
    except divcodes.DivisionCodeError as exc:
        raise ValidationError(str(exc)) from exc


class ScopedRecord(models.Model):
    """A business record that belongs to a division (and so to a regional scope)."""

    division_code = models.CharField("所属行政区划", max_length=12, db_index=True, validators=[validate_division_code])
    is_synthetic = models.BooleanField("合成示例数据", default=False)
    version = models.PositiveIntegerField("版本", default=1, editable=False)
    created_at = models.DateTimeField("创建时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="创建人", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="最后修改人", null=True, blank=True, editable=False,
        on_delete=models.SET_NULL, related_name="+",
    )

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if self.division_code:
            try:
                self.division_code = divcodes.normalise(self.division_code)
            except divcodes.DivisionCodeError as exc:
                raise ValidationError({"division_code": str(exc)}) from exc


class LocatedRecord(ScopedRecord):
    """A scoped record with a point location stored in WGS-84."""

    lon = models.FloatField("经度", null=True, blank=True)
    lat = models.FloatField("纬度", null=True, blank=True)
    coord_source = models.CharField("原始坐标系", max_length=10, choices=COORD_SYSTEMS, default="WGS84")

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        if (self.lon is None) != (self.lat is None):
            raise ValidationError({"lon": "经度和纬度须同时填写"})
        if self.lon is not None and not (73 <= self.lon <= 136 and 3 <= self.lat <= 54):
            raise ValidationError({"lon": "坐标不在中国范围内，请检查经纬度是否填反"})


class ImportBatch(models.Model):
    """One uploaded spreadsheet and its outcome (see ``yingji.core.importer`` and ``yingji.core.batches``).

    The table keeps its original name: the model moved here from the resources app."""

    STATUSES = [("queued", "排队中"), ("running", "处理中"), ("done", "已完成"), ("failed", "失败")]

    registry = models.CharField("登记类别", max_length=40)
    filename = models.CharField("文件名", max_length=200)
    user = models.ForeignKey("accounts.User", verbose_name="上传人", on_delete=models.CASCADE, related_name="+")
    content = models.BinaryField("文件内容", blank=True, default=b"")
    dry_run = models.BooleanField("仅校验", default=False)
    status = models.CharField("状态", max_length=10, choices=STATUSES, default="queued")
    total_rows = models.PositiveIntegerField("总行数", default=0)
    result = models.JSONField("结果", null=True, blank=True)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导入批次"
        db_table = "resources_importbatch"

    def __str__(self):
        return f"{self.filename}（{self.get_status_display()}）"
