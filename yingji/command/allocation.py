"""Decision support on the stored network: relief allocation from current warehouse stock,
the infeasibility report with neighbouring reserves, evacuation to shelters, coverage.

Relief allocation follows Liaoning's material-dispatch standard: loaded within 4 hours and on
site within 8 hours — by default every warehouse needs ``load_hours`` = 4 h and the time limit
is 8 h (both configurable per request). The LP (tonne-hours) is
:func:`yingji.geo.allocation.allocate_relief`; travel times come from the active road network
with closures applied.

Unit weights (tonnes per unit) are not in the material catalogue; :data:`WEIGHT_T_PER_UNIT`
gives a default per catalogue category, overridable per request by material code.

Neighbouring reserves (Fuxin's plan names Jinzhou, Chaoyang, Huludao, Panjin and the
provincial reserve) are outside the Fuxin road network: their hours are loading time plus the
straight-line distance × 1.3 at 70 km/h. Their stocks are not known to the platform; the
request may give them, otherwise the synthetic figures of :data:`DEMO_NEIGHBOUR_STOCK`
(labelled 示例) are used.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import shapely
from shapely.geometry import shape

from yingji.core import scope
from yingji.core.errors import ValidationFailed
from yingji.geo import allocation as geo_allocation
from yingji.geo import router
from yingji.geo.roads import haversine_m
from yingji.regions.services import name_of, visible_divisions
from yingji.resources.models import Material, Shelter, Warehouse
from yingji.resources.stock import current_stock

from . import network
from . import routing
from .routing import check_point
from .targets import targets

WEIGHT_T_PER_UNIT = {"living": 0.02, "shelter": 0.05, "lifesaving": 0.01, "rescue": 0.05, "flood": 0.05,
                     "fire": 0.02, "protection": 0.005, "power_comm": 0.1, "medical": 0.01, "hazchem": 0.05}
LOAD_HOURS = 4.0
TIME_LIMIT_H = 8.0
# name, representative point (city government area), road-distance factor
NEIGHBOURS = [("锦州", (121.127, 41.095)), ("朝阳", (120.450, 41.573)), ("葫芦岛", (120.837, 40.711)),
              ("盘锦", (122.071, 41.120)), ("省级储备库", (123.432, 41.806))]
assert [n for n, _ in NEIGHBOURS] == list(geo_allocation.FUXIN_NEIGHBOUR_RESERVES)
ROAD_FACTOR = 1.3
NEIGHBOUR_SPEED_KMH = 70.0
DEMO_NEIGHBOUR_STOCK = {"锦州": 300, "朝阳": 200, "葫芦岛": 150, "盘锦": 150, "省级储备库": 1000}


def _warehouses(user, warehouse_ids=None):
    qs = scope.visible(Warehouse.objects.filter(lon__isnull=False), user)
    if warehouse_ids:
        qs = qs.filter(pk__in=warehouse_ids)
    return list(qs.order_by("pk"))


def _materials(codes):
    found = {m.code: m for m in Material.objects.filter(code__in=codes)}
    missing = sorted(set(codes) - set(found))
    if missing:
        raise ValidationFailed(f"物资编码不存在：{'、'.join(missing)}", fields={"demands": ["物资编码不存在"]})
    return found


def _check_demands(demands) -> list[dict]:
    if not demands:
        raise ValidationFailed("请至少给出一个需求点", fields={"demands": ["必填"]})
    clean = []
    for i, d in enumerate(demands):
        lon, lat = check_point(d.get("lon"), d.get("lat"), name=f"需求点 {d.get('name') or i + 1} ")
        needs = {}
        for code, qty in (d.get("needs") or {}).items():
            try:
                q = float(qty)
            except (TypeError, ValueError):
                q = -1
            if not math.isfinite(q) or q < 0:
                raise ValidationFailed(f"需求点 {d.get('name') or i + 1} 的 {code} 需求量无效：{qty}", fields={"demands": ["需求量无效"]})
            if q > 0:
                needs[str(code)] = q
        clean.append({"id": d.get("id", i + 1), "name": d.get("name") or f"需求点{i + 1}", "lon": lon, "lat": lat,
                      "needs": needs})
    return clean


def travel_hours(warehouses, demands, profile: str = "car") -> np.ndarray:
    """Hours from each warehouse to each demand point on the active network (closures applied),
    one many-to-many matrix (:func:`yingji.command.routing.seconds_matrix`)."""
    graph = network.graph_for()
    points = [(d["lon"], d["lat"]) for d in demands]
    routing.check_in_network(graph, points, [f"需求点 {d['name']} " for d in demands])
    names = [w.name for w in warehouses] + [d["name"] for d in demands]
    seconds = routing.seconds_matrix(graph, profile, [(w.lon, w.lat) for w in warehouses], points, names)
    return seconds / 3600.0


def allocate(user, demands, *, time_limit_h: float = TIME_LIMIT_H, load_hours: float = LOAD_HOURS,
             warehouse_ids=None, weights: dict | None = None, neighbour_stock: dict | None = None) -> dict:
    """Allocate current stock to demand points; report shortages and what neighbours could add.

    ``demands``: ``[{"id", "name", "lon", "lat", "needs": {material code: quantity}}]``.
    """
    demands = _check_demands(demands)
    if not 0 < float(time_limit_h) <= 72 or not 0 <= float(load_hours) < float(time_limit_h):
        raise ValidationFailed("时限须在 0–72 小时之间，装车时间须小于时限", fields={"time_limit_h": ["超出范围"]})
    codes = sorted({c for d in demands for c in d["needs"]})
    materials = _materials(codes)
    by_id = {m.pk: code for code, m in materials.items()}
    warehouses = _warehouses(user, warehouse_ids)
    stock = {w.pk: {} for w in warehouses}
    for line in current_stock(user=user):
        if line.warehouse_id in stock and line.material_id in by_id and line.available > 0:
            stock[line.warehouse_id][by_id[line.material_id]] = float(line.available)
    unit_weights = {code: float((weights or {}).get(code, WEIGHT_T_PER_UNIT.get(m.category, 0.01)))
                    for code, m in materials.items()}
    hours = travel_hours(warehouses, demands) if warehouses else np.zeros((0, len(demands)))
    result = geo_allocation.allocate_relief(
        [(w.pk, stock[w.pk], float(load_hours)) for w in warehouses], [(d["id"], d["needs"]) for d in demands],
        hours, time_limit_h=float(time_limit_h), weights_t_per_unit=unit_weights)
    explanations = geo_allocation.explain_shortage(result, _neighbours(demands, codes, load_hours, neighbour_stock))
    names = {w.pk: w.name for w in warehouses}
    demand_names = {d["id"]: d["name"] for d in demands}
    return {
        "time_limit_h": float(time_limit_h), "load_hours": float(load_hours), "fulfilled": result.fulfilled,
        "summary": result.summary(), "tonne_hours": round(result.objective_tonne_hours, 3),
        "flows": [{"warehouse_id": f.warehouse_id, "warehouse": names[f.warehouse_id], "demand_id": f.demand_id,
                   "demand": demand_names[f.demand_id], "material": f.material, "material_name": materials[f.material].name,
                   "unit": materials[f.material].unit, "quantity": f.quantity, "tonnes": round(f.tonnes, 3),
                   "arrival_hours": round(f.arrival_hours, 2)} for f in result.flows],
        "shortages": [{"demand_id": d, "demand": demand_names[d], "material": m, "material_name": materials[m].name,
                       "quantity": q} for d, needs in result.shortages.items() for m, q in needs.items()],
        "neighbour_reserves": [{"material": e.material, "material_name": materials[e.material].name,
                                "shortage": e.shortage, "remaining": e.remaining, "closed": e.closed,
                                "message": e.message.replace(e.material, materials[e.material].name, 1),
                                "contributions": [{"name": c.name, "quantity": c.quantity, "hours": c.hours}
                                                  for c in e.contributions]} for e in explanations],
        "neighbour_stock_source": "请求给出" if neighbour_stock else "示例数据（合成），请按协议储备量维护",
        "network": network.active_network().name,
    }


def _neighbours(demands, codes, load_hours, neighbour_stock):
    lon = np.mean([d["lon"] for d in demands])
    lat = np.mean([d["lat"] for d in demands])
    rows = []
    for name, (nlon, nlat) in NEIGHBOURS:
        metres = float(haversine_m(nlon, nlat, lon, lat)) * ROAD_FACTOR
        hours = round(float(load_hours) + metres / 1000 / NEIGHBOUR_SPEED_KMH, 1)
        if neighbour_stock is not None:
            stock = {c: float(q) for c, q in (neighbour_stock.get(name) or {}).items()}
        else:
            stock = {c: float(DEMO_NEIGHBOUR_STOCK[name]) for c in codes}
        rows.append((name, stock, hours))
    return rows


MAX_LIMIT_MINUTES = 24 * 60


def _check_limit_minutes(limit_minutes: float) -> None:
    """A travel-time limit of an analysis: more than 0 and at most a day."""
    if not 0 < limit_minutes <= MAX_LIMIT_MINUTES:
        raise ValidationFailed("时限须大于 0 且不超过 1440 分钟", fields={"limit_minutes": ["超出范围"]})


# ----------------------------------------------------------------------------- evacuation
def evacuate(user, points, *, limit_minutes: float = 60.0) -> dict:
    """Assign affected people (``[{"id","name","lon","lat","people"}]``) to open or closed shelters
    with free capacity, minimising person-travel-time within ``limit_minutes``."""
    _check_limit_minutes(limit_minutes)
    if not points:
        raise ValidationFailed("请至少给出一个受影响地点", fields={"points": ["必填"]})
    clean = []
    for i, p in enumerate(points):
        lon, lat = check_point(p.get("lon"), p.get("lat"), name=f"地点 {p.get('name') or i + 1} ")
        try:
            people = int(p.get("people"))
        except (TypeError, ValueError):
            people = -1
        if people < 0:
            raise ValidationFailed(f"地点 {p.get('name') or i + 1} 的人数无效", fields={"points": ["人数无效"]})
        clean.append({"id": p.get("id", i + 1), "name": p.get("name") or f"地点{i + 1}", "lon": lon, "lat": lat,
                      "people": people})
    shelters = targets(user, "shelters", available_only=True)
    graph = network.graph_for()
    routing.check_in_network(graph, [(p["lon"], p["lat"]) for p in clean], [f"地点 {p['name']} " for p in clean])
    travel = routing.seconds_matrix(graph, "car", [(p["lon"], p["lat"]) for p in clean],
                                    [(s.lon, s.lat) for s in shelters],
                                    [p["name"] for p in clean] + [s.name for s in shelters]) \
        if shelters else np.empty((len(clean), 0))
    result = geo_allocation.assign_evacuation([(p["id"], p["people"]) for p in clean],
                                              [(s.id, s.extra["free"]) for s in shelters], travel, limit_minutes * 60)
    names = {s.id: s.name for s in shelters}
    point_names = {p["id"]: p["name"] for p in clean}
    return {"summary": result.summary(), "limit_minutes": limit_minutes,
            "assignments": [{"point_id": a.point_id, "point": point_names[a.point_id], "shelter_id": a.shelter_id,
                             "shelter": names[a.shelter_id], "people": a.people, "minutes": round(a.seconds / 60, 1)}
                            for a in result.assignments],
            "unassigned": [{"point_id": k, "point": point_names[k], "people": v} for k, v in result.unassigned.items()],
            "shelter_load": [{"shelter_id": k, "shelter": names[k], "people": v} for k, v in result.shelter_load.items() if v]}


# ----------------------------------------------------------------------------- coverage
def _sample_points(user, spacing_km: float):
    """Regular grid samples inside the user's townships, weight = cell area (km²)."""
    towns = [d for d in visible_divisions(user, "township") if d.geometry]
    samples, owners = [], []
    for d in towns:
        geom = shape(d.geometry)
        minx, miny, maxx, maxy = geom.bounds
        dlat = spacing_km / 111.32
        dlon = dlat / math.cos(math.radians((miny + maxy) / 2))
        xs, ys = np.meshgrid(np.arange(minx + dlon / 2, maxx, dlon), np.arange(miny + dlat / 2, maxy, dlat))
        inside = shapely.contains_xy(geom, xs, ys)
        pts = list(zip(xs[inside].tolist(), ys[inside].tolist()))
        if not pts:
            point = geom.representative_point()
            pts = [(point.x, point.y)]
        samples += [(x, y, spacing_km ** 2) for x, y in pts]
        owners += [d.code] * len(pts)
    return towns, samples, owners


def coverage(user, *, limit_minutes: float = 120.0, specialty: str = "", spacing_km: float = 2.0) -> dict:
    """Share of territory reachable within the limit by standby-or-busy teams (of a specialty),
    per township and in total, with the townships left uncovered."""
    _check_limit_minutes(limit_minutes)
    teams = targets(user, "teams", specialty=specialty, available_only=False)
    towns, samples, owners = _sample_points(user, spacing_km)
    graph = network.graph_for()
    limit_s = limit_minutes * 60
    seconds = router.sample_times(graph, "emergency", [(t.lon, t.lat) for t in teams], samples, limit_s) if teams and samples \
        else np.full(len(samples), np.inf)
    covered = seconds <= limit_s
    per_town = {}
    for code, ok, s in zip(owners, covered, samples):
        total, hit = per_town.get(code, (0.0, 0.0))
        per_town[code] = (total + s[2], hit + (s[2] if ok else 0.0))
    names = {d.code: d.name for d in towns}
    rows = [{"code": c, "name": names[c], "share": round(hit / total, 4) if total else 0.0}
            for c, (total, hit) in per_town.items()]
    area = sum(s[2] for s in samples)
    return {"limit_minutes": limit_minutes, "specialty": specialty, "teams": len(teams),
            "territory_share": round(float(sum(s[2] for s, ok in zip(samples, covered) if ok) / area), 4) if area else 0.0,
            "townships": sorted(rows, key=lambda r: r["share"]),
            "uncovered": [r for r in rows if r["share"] < 0.5], "sample_spacing_km": spacing_km,
            "note": "按乡镇（合成边界）内规则网格采样，权重为面积；人口权重需人口数据，未提供时不计算。"}


def shelter_coverage(user, *, limit_minutes: float = 30.0, spacing_km: float = 2.0) -> dict:
    """Per county: shelter capacity, effective area, capacity per resident-area sample and the
    share of territory within ``limit_minutes`` of a shelter (driving)."""
    _check_limit_minutes(limit_minutes)
    shelters = list(scope.visible(Shelter.objects.filter(lon__isnull=False), user))
    towns, samples, owners = _sample_points(user, spacing_km)
    graph = network.graph_for()
    limit_s = limit_minutes * 60
    seconds = router.sample_times(graph, "car", [(s.lon, s.lat) for s in shelters], samples, limit_s) if shelters and samples \
        else np.full(len(samples), np.inf)
    by_county = {}
    for code, s, t in zip(owners, samples, seconds):
        c = by_county.setdefault(code[:6], {"area": 0.0, "covered": 0.0, "capacity": 0, "effective_area_m2": Decimal(0), "shelters": 0})
        c["area"] += s[2]
        c["covered"] += s[2] if t <= limit_s else 0.0
    for sh in shelters:
        c = by_county.setdefault(sh.division_code[:6], {"area": 0.0, "covered": 0.0, "capacity": 0, "effective_area_m2": Decimal(0), "shelters": 0})
        c["capacity"] += sh.capacity
        c["effective_area_m2"] += sh.effective_area_m2 or 0
        c["shelters"] += 1
    rows = []
    for code6, c in sorted(by_county.items()):
        rows.append({"county": code6, "name": name_of(code6.ljust(12, "0")), "shelters": c["shelters"],
                     "capacity": c["capacity"], "effective_area_m2": float(c["effective_area_m2"]),
                     "area_per_capacity_m2": round(float(c["effective_area_m2"]) / c["capacity"], 2) if c["capacity"] else None,
                     "territory_share": round(c["covered"] / c["area"], 4) if c["area"] else 0.0})
    return {"limit_minutes": limit_minutes, "counties": rows,
            "note": "人均避难面积 = 有效避难面积 ÷ 核定容纳人数（GB 21734-2008 §5.4 要求 > 1.5 m²/人）；常住人口数据未接入，人均以容纳人数计。"}
