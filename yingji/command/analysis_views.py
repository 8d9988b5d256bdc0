"""Decision-support pages of an incident: rescue coverage (15/30/60/120 minutes, gaps by
township), relief allocation (warehouses to demand points, shortages, CSV export) and evacuation
(people to shelters by capacity). Inputs are pre-filled from the incident; every figure comes from
:mod:`yingji.command.allocation` (the same code as the API). Read-only: nothing is written."""

from __future__ import annotations

import csv
import io

from django.http import HttpResponse
from django.shortcuts import render

from yingji.core.errors import ServiceError, ValidationFailed
from yingji.core.views import service_view
from yingji.resources.models import Material, TEAM_SPECIALTIES

from . import allocation, responses
from .views import SPECIALTY_FOR_TYPE

COVERAGE_LIMITS = (15, 30, 60, 120)
DEFAULT_PEOPLE = 500


def _incident_point(incident):
    if incident.lon is None:
        raise ValidationFailed("事件没有坐标，无法分析")
    return round(incident.lon, 6), round(incident.lat, 6)


def _context(request, incident, template: str, extra: dict):
    return render(request, template, {"incident": incident, **extra})


@service_view
def coverage_page(request, pk):
    incident = responses.get_incident(request.user, pk)
    specialty = request.GET.get("specialty", SPECIALTY_FOR_TYPE.get(incident.type_code, ""))
    try:
        limit = int(request.GET.get("limit", 30))
    except ValueError:
        limit = 30
    limit = limit if limit in COVERAGE_LIMITS else 30
    result, error = None, ""
    try:
        result = allocation.coverage(request.user, limit_minutes=limit, specialty=specialty, spacing_km=3.0)
    except ServiceError as exc:
        error = exc.message
    shares = {r["code"]: r["share"] for r in (result or {}).get("townships", [])}
    return _context(request, incident, "command/coverage.html", {
        "limit": limit, "limits": COVERAGE_LIMITS, "specialty": specialty, "specialties": TEAM_SPECIALTIES,
        "result": result, "error": error,
        "map_data": {"incident": _point_or_none(incident), "shares": shares}})


def _point_or_none(incident):
    return None if incident.lon is None else {"lon": incident.lon, "lat": incident.lat, "name": incident.title}


def _parse_rows(text: str, columns: int, what: str) -> list[list[str]]:
    rows = []
    for number, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        cells = [c.strip() for c in line.replace("，", ",").split(",")]
        if len(cells) < columns:
            raise ValidationFailed(f"{what}第 {number} 行应有 {columns} 项，以逗号分隔：{line}")
        rows.append(cells)
    if not rows:
        raise ValidationFailed(f"请至少填写一个{what}")
    return rows


def _number(value: str, what: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValidationFailed(f"{what}“{value}”不是数字") from None


def _default_demands(incident) -> str:
    lon, lat = _incident_point(incident)
    materials = list(Material.objects.order_by("code")[:2])
    needs = "；".join(f"{m.name}:50" for m in materials)
    return f"{incident.title[:20]}（事发点）,{lon},{lat},{needs}"


def _material_code(name: str) -> str:
    """A material given by its catalogue name (as the page shows it) or by its code."""
    found = Material.objects.filter(name=name).values_list("code", flat=True).first()
    return found or name


def _demands(text: str) -> list[dict]:
    demands = []
    for i, cells in enumerate(_parse_rows(text, 4, "需求点")):
        needs = {}
        for part in cells[3].replace(";", "；").split("；"):
            if not part.strip():
                continue
            code, _, qty = part.replace("：", ":").partition(":")
            needs[_material_code(code.strip())] = _number(qty.strip(), f"{code.strip()} 的数量")
        demands.append({"id": str(i + 1), "name": cells[0] or f"需求点{i + 1}", "lon": _number(cells[1], "经度"),
                        "lat": _number(cells[2], "纬度"), "needs": needs})
    return demands


@service_view
def allocation_page(request, pk):
    incident = responses.get_incident(request.user, pk)
    text = request.GET.get("demands")
    result, error, demands = None, "", []
    try:
        text = text if text is not None else _default_demands(incident)
        time_limit = _number(request.GET.get("time_limit_h", "8"), "时限")
        load = _number(request.GET.get("load_hours", "4"), "装车时间")
        if "run" in request.GET:
            demands = _demands(text)
            result = allocation.allocate(request.user, demands, time_limit_h=time_limit, load_hours=load)
    except ServiceError as exc:
        error, time_limit, load = exc.message, 8.0, 4.0
    if result is not None and request.GET.get("format") == "csv":
        return _allocation_csv(incident, result)
    return _context(request, incident, "command/allocation.html", {
        "demands_text": text or "", "time_limit_h": time_limit, "load_hours": load, "result": result, "error": error,
        "shortage_demands": {s["demand"] for s in (result or {}).get("shortages", [])},
        "map_data": {"incident": _point_or_none(incident), "flows": _flow_lines(request.user, result, demands)}})


def _flow_lines(user, result, demands):
    if not result:
        return []
    from .allocation import _warehouses

    where = {w.pk: (w.lon, w.lat) for w in _warehouses(user)}
    to = {d["id"]: (d["lon"], d["lat"]) for d in demands}
    return [{"from": where.get(f["warehouse_id"]), "to": to.get(f["demand_id"]), "name": f"{f['warehouse']} → {f['demand']}：{f['material_name']} "
             f"{f['quantity']:g}{f['unit']}"} for f in result["flows"] if where.get(f["warehouse_id"])]


def _allocation_csv(incident, result) -> HttpResponse:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["储备库", "需求点", "物资", "数量", "单位", "重量（吨）", "到达（小时）"])
    for f in result["flows"]:
        writer.writerow([f["warehouse"], f["demand"], f["material_name"], f["quantity"], f["unit"], f["tonnes"],
                         f["arrival_hours"]])
    for s in result["shortages"]:
        writer.writerow(["（缺口）", s["demand"], s["material_name"], s["quantity"], "", "", ""])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="allocation-incident-{incident.pk}.csv"'
    return response


@service_view
def evacuation_page(request, pk):
    incident = responses.get_incident(request.user, pk)
    text = request.GET.get("points")
    result, error, limit = None, "", 60.0
    try:
        if text is None:
            lon, lat = _incident_point(incident)
            text = f"{incident.title[:20]}（事发点）,{lon},{lat},{DEFAULT_PEOPLE}"
        limit = _number(request.GET.get("limit", "60"), "时限")
        if "run" in request.GET:
            points = [{"id": str(i + 1), "name": c[0] or f"地点{i + 1}", "lon": _number(c[1], "经度"),
                       "lat": _number(c[2], "纬度"), "people": int(_number(c[3], "人数"))}
                      for i, c in enumerate(_parse_rows(text, 4, "受影响地点"))]
            result = allocation.evacuate(request.user, points, limit_minutes=limit)
    except ServiceError as exc:
        error = exc.message
    return _context(request, incident, "command/evacuation.html", {
        "points_text": text or "", "limit": limit, "result": result, "error": error,
        "map_data": {"incident": _point_or_none(incident)}})
