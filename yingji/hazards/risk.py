"""Risk points: assessment with the jurisdiction's bands, and the four-colour map selectors."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import ValidationError

from yingji.core import scope
from yingji.regions.services import name_of
from yingji.core.links import record_url
from yingji.rules import risk as rules

from .grading import rule_setting_for
from .models import RiskPoint

COLOURS = {level.level: level for level in rules.RISK_LEVELS.values()}


def band_settings_for(division_code: str) -> rules.RiskBandSettings:
    setting = rule_setting_for(division_code) if division_code else None
    return setting.band_settings() if setting else rules.DEFAULT_SETTINGS


def _settings_json(settings: rules.RiskBandSettings) -> dict:
    return {"lec_cuts": [str(c) for c in settings.lec_cuts], "lec_cut_owner": settings.lec_cut_owner,
            "matrix_cuts": [str(c) for c in settings.matrix_cuts], "matrix_cut_owner": settings.matrix_cut_owner}


def assess_point(point: RiskPoint) -> None:
    """Compute score, level and colour of a risk point before it is saved (the ``derive`` step of
    its registry). Raises ValidationError."""
    settings = band_settings_for(point.division_code)
    try:
        if point.method == rules.METHOD_LEC:
            missing = [label for label, v in (("L", point.lec_l), ("E", point.lec_e), ("C", point.lec_c)) if v in (None, "")]
            if missing:
                raise ValidationError({"lec_l": f"LEC 评价须填写 {'、'.join(missing)}"})
            result = rules.assess_lec(point.lec_l, point.lec_e, point.lec_c, settings)
        else:
            if point.matrix_l is None or point.matrix_s is None:
                raise ValidationError({"matrix_l": "风险矩阵评价须填写可能性L和严重性S（1–5）"})
            result = rules.assess_matrix(point.matrix_l, point.matrix_s, settings)
    except ValueError as exc:
        raise ValidationError({"lec_l" if point.method == rules.METHOD_LEC else "matrix_l": str(exc)}) from exc
    point.score = result.score
    point.level = result.level
    point.colour_code = result.colour_code
    point.assessment = result.reason[:300]
    point.band_settings = _settings_json(settings)


def _summary(points) -> dict:
    counts = {level: 0 for level in COLOURS}
    for p in points:
        counts[p.level] += 1
    highest = min((lvl for lvl, n in counts.items() if n), default=None)
    info = COLOURS.get(highest)
    return {"counts": counts, "total": sum(counts.values()), "level": highest,
            "level_name": info.name if info else "", "colour": info.colour if info else "",
            "colour_code": info.colour_code if info else "", "colour_hex": info.colour_hex if info else ""}


def risk_map(user) -> dict:
    """The four-colour map: per enterprise and per county, coloured by the most severe point."""
    points = list(scope.visible(RiskPoint.objects.filter(level__isnull=False), user).select_related("enterprise"))
    by_enterprise, by_county = defaultdict(list), defaultdict(list)
    for p in points:
        by_enterprise[p.enterprise or None].append(p)
        by_county[p.division_code[:6]].append(p)
    enterprises = []
    for enterprise, rows in by_enterprise.items():
        enterprises.append({"enterprise": enterprise, "name": enterprise.name if enterprise else "公共场所",
                            "id": enterprise.pk if enterprise else None,
                            "division_code": enterprise.division_code if enterprise else "", **_summary(rows)})
    enterprises.sort(key=lambda e: (e["level"] or 9, -e["counts"][1], e["name"]))
    counties = [{"code": code.ljust(12, "0"), "name": name_of(code), **_summary(rows)}
                for code, rows in sorted(by_county.items())]
    return {"enterprises": enterprises, "counties": counties, "total": _summary(points)}


def risk_point_features(user) -> dict:
    """Risk points as GeoJSON coloured by level (a one-map overlay)."""
    qs = scope.visible(RiskPoint.objects.filter(lon__isnull=False, level__isnull=False), user)
    features = []
    for p in qs.select_related("enterprise").iterator(chunk_size=2000):
        info = COLOURS[p.level]
        owner = p.enterprise.name if p.enterprise_id else "公共场所"
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": [p.lon, p.lat]},
                         "properties": {"id": p.pk, "name": p.name, "level": p.level, "color": info.colour_hex,
                                        "popup": f"{owner}｜{info.name}（{info.colour}）｜{p.assessment}",
                                        "url": record_url("risk-points", p.pk)}})
    return {"type": "FeatureCollection", "features": features}
