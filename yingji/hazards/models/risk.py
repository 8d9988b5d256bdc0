"""Risk points (风险点). Score, level and colour are derived by ``yingji.hazards.risk.assess_point``
before every save (the registry's ``derive`` step), not by the model."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from yingji.core.models import LocatedRecord
from yingji.rules import risk as risk_rules

from .base import EnterpriseOwned, division_at


class RiskPoint(EnterpriseOwned, LocatedRecord):
    """A risk point (风险点) of an enterprise or a public place, assessed by LEC or the matrix."""

    write_capability = "hazards.write"
    METHODS = [(risk_rules.METHOD_LEC, "LEC（作业条件危险性分析法）"), (risk_rules.METHOD_MATRIX, "风险矩阵（L×S）")]
    LEVELS = [(level.level, level.name) for level in risk_rules.RISK_LEVELS.values()]
    CONTROL_LEVELS = [("company", "公司级"), ("workshop", "车间级"), ("team", "班组级"), ("post", "岗位级")]
    KINDS = [("enterprise", "企业"), ("public", "公共场所")]

    enterprise = models.ForeignKey("regions.Enterprise", verbose_name="所属企业", null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="risk_points")
    kind = models.CharField("类别", max_length=12, choices=KINDS, default="enterprise")
    name = models.CharField("风险点名称", max_length=120)
    location_text = models.CharField("所在部位", max_length=120, blank=True)
    hazard_factors = models.TextField("危险有害因素", blank=True)
    accident_types = models.CharField("可能导致的事故类型", max_length=120, blank=True)
    method = models.CharField("评价方法", max_length=4, choices=METHODS, default=risk_rules.METHOD_LEC)
    lec_l = models.CharField("L（可能性）", max_length=5, blank=True, choices=risk_rules.choices(risk_rules.LEC_L))
    lec_e = models.CharField("E（暴露频繁程度）", max_length=5, blank=True, choices=risk_rules.choices(risk_rules.LEC_E))
    lec_c = models.CharField("C（后果）", max_length=5, blank=True, choices=risk_rules.choices(risk_rules.LEC_C))
    matrix_l = models.PositiveSmallIntegerField("矩阵L（可能性1–5）", null=True, blank=True,
                                                choices=[(v, str(v)) for v in risk_rules.MATRIX_VALUES])
    matrix_s = models.PositiveSmallIntegerField("矩阵S（严重性1–5）", null=True, blank=True,
                                                choices=[(v, str(v)) for v in risk_rules.MATRIX_VALUES])
    control_measures = models.TextField("管控措施", blank=True)
    control_level = models.CharField("管控层级", max_length=10, choices=CONTROL_LEVELS, default="workshop")
    responsible_person = models.CharField("管控责任人", max_length=40, blank=True)
    assessed_on = models.DateField("评价日期", default=timezone.localdate)
    score = models.DecimalField("风险值（D或R）", max_digits=10, decimal_places=2, null=True, editable=False)
    level = models.PositiveSmallIntegerField("风险等级", choices=LEVELS, null=True, editable=False)
    colour_code = models.CharField("颜色", max_length=8, blank=True, editable=False)
    assessment = models.CharField("评价过程", max_length=300, blank=True, editable=False)
    band_settings = models.JSONField("所用分级界限", default=dict, editable=False)

    class Meta:
        ordering = ["level", "division_code", "name"]
        verbose_name = "风险点"

    def __str__(self):
        return self.name

    def clean(self):
        if self.enterprise_id:
            self.follow_enterprise(self.enterprise)
            self.kind = "enterprise"
        elif self.lon is not None and self.lat is not None and self.coord_source in ("WGS84", "CGCS2000"):
            self.division_code = division_at(self.lon, self.lat) or self.division_code
        super().clean()

    @property
    def colour_name(self) -> str:
        return risk_rules.RISK_LEVELS[self.level].colour if self.level else ""
