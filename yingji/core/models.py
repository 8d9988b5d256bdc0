"""Abstract bases for business records: regional scope, optimistic locking, location."""

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
