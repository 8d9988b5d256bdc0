"""Demo monitoring of the profile (all synthetic, labelled 示例; Fuxin's: the 5 seismic stations
named in the plan, 87 seismic intensity / early-warning stations, 79 flood-control key points,
tailings ponds, geological hazard points and tank farms of the fluorine industry park, with
24 hours of readings and a few alarms in each lifecycle state; a closed flood alarm of last
week in 彰武县 and the messages the ingest refused (隔离数据); names and places from the profile's
[demo.monitoring])."""

from __future__ import annotations

import datetime as dt
import random
import time

from django.contrib.auth import get_user_model
from django.utils import timezone

from yingji.core.registry import REGISTRIES
from yingji.demo import profile
from yingji.demo.places import point_in_county, township_of
from yingji.demo.steps import SEED, demo_step
from yingji.geo.townships import synthetic_partition
from yingji.regions.models import Enterprise

from . import series
from .ingest import insert_readings, upsert_latest
from .models import Alarm, LatestValue, MonitoredObject, QuarantinedMessage, Sensor
from .simulator import build_models

# kind, name, unit, interval, upper {level: v}, lower, deadband, valid range, rate (limit/s, window s)
PGA = ("intensity", "地震动峰值加速度", 30, {4: 10.0, 3: 30.0, 2: 90.0, 1: 180.0}, {}, 1.0, (0, 3000), None)
TANK_SENSORS = [
    ("level", "1#储罐液位", 30, {4: 8.0, 3: 8.5, 2: 9.0, 1: 9.5}, {4: 1.0, 3: 0.8, 2: 0.6, 1: 0.4}, 0.05, (0, 12), None),
    ("temperature", "1#储罐温度", 30, {4: 35.0, 3: 40.0, 2: 45.0, 1: 50.0}, {}, 0.5, (-40, 150), (0.05, 300)),
    ("pressure", "1#储罐压力", 30, {4: 0.8, 3: 1.0, 2: 1.2, 1: 1.4}, {}, 0.02, (0, 5), None),
    ("flammable_gas", "罐区可燃气体", 15, {4: 10.0, 3: 20.0, 2: 25.0, 1: 50.0}, {}, 1.0, (0, 100), None),
    ("toxic_gas", "罐区氟化氢浓度", 15, {4: 1.0, 3: 2.0, 2: 3.0, 1: 6.0}, {}, 0.1, (0, 100), None),
]
POND_SENSORS = [
    ("water_level", "库水位（距坝顶）", 60, {}, {4: 3.0, 3: 2.5, 2: 2.0, 1: 1.5}, 0.05, (0, 50), None),
    ("phreatic_line", "浸润线埋深", 60, {}, {4: 6.0, 3: 5.0, 2: 4.0, 1: 3.0}, 0.1, (0, 60), None),
    ("displacement", "坝体表面位移", 60, {4: 20.0, 3: 30.0, 2: 40.0, 1: 60.0}, {}, 0.5, (-500, 500), (0.01, 3600)),
]
GEOHAZARD_SENSORS = [
    ("displacement", "裂缝位移", 60, {4: 10.0, 3: 20.0, 2: 35.0, 1: 50.0}, {}, 0.5, (-500, 500), (0.01, 3600)),
    ("rainfall", "降雨量", 60, {4: 10.0, 3: 20.0, 2: 30.0, 1: 50.0}, {}, 1.0, (0, 300), None),
]
FLOOD_SENSOR = ("water_level", "水位（超警戒）", 60, {4: 0.0, 3: 0.5, 2: 1.0, 1: 1.5}, {}, 0.05, (-10, 20), None)


def _point(rng, county, township=None):
    """A township's representative point, else a random point in the county or township unit."""
    if township:
        for town, geometry in synthetic_partition(county[:6]):
            if town.code == township:
                p = geometry.representative_point()
                return round(p.x, 6), round(p.y, 6)
    return point_in_county(rng, county)


def _object(code, name, kind, lon, lat, county, **extra) -> MonitoredObject:
    return MonitoredObject(code=code, name=name, kind=kind, lon=lon, lat=lat,
                           division_code=township_of(lon, lat, county), is_synthetic=True, **extra)


def _sensor(obj: MonitoredObject, code: str, spec, name: str | None = None) -> Sensor:
    kind, label, interval, upper, lower, deadband, valid, rate = spec
    sensor = Sensor(code=code, name=name or label, monitored_object=obj, kind=kind, unit=Sensor.KIND_UNITS[kind][1],
                    interval_s=interval, deadband=deadband, valid_min=valid[0], valid_max=valid[1],
                    division_code=obj.division_code, enterprise_id=obj.enterprise_id, is_synthetic=True)
    for lv, v in upper.items():
        setattr(sensor, f"upper_{lv}", v)
    for lv, v in lower.items():
        setattr(sensor, f"lower_{lv}", v)
    if rate:
        sensor.rate_limit_per_s, sensor.rate_window_s = rate
    return sensor


def _hazard_source_of(enterprise):
    """The enterprise's major hazard source in the hazards registry, when that app has one."""
    registry = REGISTRIES.get("hazard-sources")
    if registry is None or not hasattr(registry.model, "enterprise"):
        return None
    return registry.model.objects.filter(enterprise=enterprise).order_by("pk").first()


def _objects_and_sensors(rng: random.Random):
    p = profile.current()
    spec = p.demo["monitoring"]
    COUNTIES = [u.code for u in p.units]  # noqa: N806
    COUNTY_WEIGHTS = spec.get("unit_weights") or [1] * len(COUNTIES)  # noqa: N806  (roughly by area)
    RIVERS = spec["rivers"]  # noqa: N806
    park_unit = p.demo["enterprises"]["park_unit"]
    objects, sensors = [], []
    # name, county, township (real NBS code; shapes are synthetic)
    for i, (name, county, town) in enumerate(spec["seismic_stations"], start=1):
        lon, lat = _point(rng, county, town or None)
        obj = _object(f"SZ{i:02d}", f"{name}（示例）", "seismic_station", lon, lat, county,
                      owner_unit=f"{p.name}地震监测中心（示例）")
        objects.append(obj)
        sensors.append(_sensor(obj, f"SZ{i:02d}-PGA", PGA))
        sensors.append(_sensor(obj, f"SZ{i:02d}-RN", ("radon", "水氡浓度", 300, {4: 60.0, 3: 80.0}, {4: 5.0}, 1.0, (0, 1000), None)))
    for i in range(1, 88):
        county = rng.choices(COUNTIES, COUNTY_WEIGHTS)[0]
        lon, lat = point_in_county(rng, county)
        obj = _object(f"EEW{i:03d}", f"示例地震烈度速报与预警台站{i:03d}", "eew_station", lon, lat, county,
                      owner_unit="国家地震烈度速报与预警工程（示例）")
        objects.append(obj)
        sensors.append(_sensor(obj, f"EEW{i:03d}-PGA", PGA))
    for i in range(1, 80):
        county = rng.choices(COUNTIES, COUNTY_WEIGHTS)[0]
        lon, lat = point_in_county(rng, county)
        river = RIVERS[i % len(RIVERS)]
        obj = _object(f"FP{i:03d}", f"示例防汛重点部位{i:02d}（{river}）", "flood_point", lon, lat, county,
                      owner_unit=f"{p.name}防汛抗旱指挥部（示例）")
        objects.append(obj)
        sensors.append(_sensor(obj, f"FP{i:03d}-WL", FLOOD_SENSOR))
    mines = list(Enterprise.objects.filter(is_synthetic=True, industry="non_coal_mine").order_by("pk"))
    for i in range(1, 7):
        owner = mines[(i - 1) % len(mines)] if mines else None
        county = owner.division_code[:6] if owner else COUNTIES[(i - 1) % min(5, len(COUNTIES))]
        lon, lat = point_in_county(rng, county)
        obj = _object(f"TP{i:02d}", f"示例尾矿库{i:02d}", "tailings_pond", lon, lat, county, enterprise=owner,
                      owner_unit=owner.name if owner else "")
        objects.append(obj)
        sensors.extend(_sensor(obj, f"TP{i:02d}-{n}", spec) for n, spec in zip(("WL", "PL", "DS"), POND_SENSORS))
    for i in range(1, 13):
        county = rng.choices(COUNTIES, COUNTY_WEIGHTS)[0]
        lon, lat = point_in_county(rng, county)
        obj = _object(f"GH{i:02d}", f"示例地质灾害隐患点{i:02d}（{'崩塌' if i % 3 == 0 else '滑坡'}）", "geohazard", lon, lat, county,
                      owner_unit=f"{p.department('natural_resources')}（示例）")
        objects.append(obj)
        sensors.extend(_sensor(obj, f"GH{i:02d}-{n}", spec) for n, spec in zip(("DS", "RF"), GEOHAZARD_SENSORS))
    park = list(Enterprise.objects.filter(is_synthetic=True, park=p.demo["enterprises"]["park"]).order_by("pk")[:12])
    for i, enterprise in enumerate(park, start=1):
        lon, lat = point_in_county(rng, park_unit, near=(enterprise.lon, enterprise.lat), spread=0.004)
        source = _hazard_source_of(enterprise)
        obj = _object(f"TK{i:02d}", f"{enterprise.name}储罐区", "tank", lon, lat, park_unit, enterprise=enterprise,
                      registry_key="hazard-sources" if source else "", registry_id=source.pk if source else None,
                      registry_name=str(source) if source else "", owner_unit=enterprise.name)
        objects.append(obj)
        sensors.extend(_sensor(obj, f"TK{i:02d}-{n}", spec) for n, spec in zip(("LV", "TE", "PR", "FG", "TG"), TANK_SENSORS))
    return objects, sensors


@demo_step(50, "监测对象与传感器")
def load_monitoring() -> int:
    if MonitoredObject.objects.filter(is_synthetic=True).exists():
        return 0
    objects, sensors = _objects_and_sensors(random.Random(SEED + 50))
    MonitoredObject.objects.bulk_create(objects)
    by_code = {o.code: o for o in MonitoredObject.objects.filter(is_synthetic=True)}
    for s in sensors:
        s.monitored_object = by_code[s.monitored_object.code]
    Sensor.objects.bulk_create(sensors)
    return len(sensors)


# sensor code, level, rule, state, minutes ago, note fields
DEMO_ALARMS = [
    ("TK01-TE", 3, "threshold", "raised", 6, {}),
    ("TK03-FG", 4, "threshold", "acknowledged", 40, {"acknowledge_note": "已电话通知企业安全负责人现场核查"}),
    ("TP02-DS", 4, "threshold", "handled", 180, {"acknowledge_note": "已确认", "handling_note": "企业已组织巡坝，位移监测点复测正常，继续加密观测"}),
    ("FP012-WL", 2, "threshold", "closed", 600, {"acknowledge_note": "已确认", "handling_note": "防汛队伍已到位，水位回落", "close_note": "水位回落至警戒以下"}),
    ("EEW031-PGA", 4, "threshold", "closed", 900, {"close_note": "经核实为附近施工振动，误报", "dismissed": True}),
]


def _history(sensors, now: float, rng: random.Random) -> list[tuple]:
    rows = []
    for model, sensor in zip(build_models(sensors, seed=SEED + 51), sensors):
        step = max(600, sensor.interval_s)
        for k in range(int(24 * 3600 / step), 0, -1):
            t = now - k * step
            rows.append((sensor.pk, int(t * 1000), model.value(t, rng), None))
    return rows


@demo_step(51, "监测历史数据与报警")
def load_monitoring_history() -> int:
    if Alarm.objects.filter(is_synthetic=True).exists() or LatestValue.objects.exists():
        return 0
    sensors = list(Sensor.objects.filter(is_synthetic=True).order_by("pk"))
    if not sensors:
        return 0
    rng = random.Random(SEED + 51)
    now = time.time()
    rows = _history(sensors, now, rng)
    by_code = {s.code: s for s in sensors}
    duty = get_user_model().objects.filter(username=profile.current().username("duty")).first()
    alarms = []
    for code, level, rule, state, minutes, notes in DEMO_ALARMS:
        sensor = by_code.get(code)
        if sensor is None:
            continue
        limit = sensor.upper().get(level) if sensor.upper() else sensor.lower().get(level)
        value = round(limit * 1.04 + 0.01, 3)
        raised = timezone.now() - dt.timedelta(minutes=minutes)
        rows.append((sensor.pk, int(raised.timestamp() * 1000), value, None))
        alarm = Alarm(sensor=sensor, monitored_object=sensor.monitored_object, enterprise_id=sensor.enterprise_id,
                      division_code=sensor.division_code, is_synthetic=True, rule=rule, level=level, side="upper",
                      state=state, is_open=state != "closed", condition_active=state == "raised",
                      first_value=value, last_value=value, peak_value=value, raised_at=raised, level_changed_at=raised,
                      last_triggered_at=raised, cleared_at=None if state == "raised" else raised + dt.timedelta(minutes=3),
                      dismissed=notes.get("dismissed", False))
        for step, after in (("acknowledge", 2), ("handling", 20), ("close", 30)):
            note_field = {"acknowledge": "acknowledge_note", "handling": "handling_note", "close": "close_note"}[step]
            if note_field in notes:
                prefix = {"acknowledge": "acknowledged", "handling": "handled", "close": "closed"}[step]
                setattr(alarm, note_field, notes[note_field])
                setattr(alarm, f"{prefix}_at", raised + dt.timedelta(minutes=min(after, minutes - 1)))
                setattr(alarm, f"{prefix}_by", duty)
        alarms.append(alarm)
    if rows and alarms:  # an open demo alarm's sensor currently reads above its threshold
        raised_row = next(r for r in rows[::-1] if r[0] == by_code["TK01-TE"].pk)
        rows.append((raised_row[0], int(now * 1000) - 1000, raised_row[2], None))
    insert_readings(rows)
    upsert_latest(sorted(rows, key=lambda r: r[1]))
    Alarm.objects.bulk_create(alarms)
    series.rollup(int(now * 1000))
    return len(rows)


# reason, sensor code from the county's first such sensor (None: an unregistered device), detail, payload
DEMO_QUARANTINE = [
    ("unknown_sensor", None, "设备编码未登记（示例）", '{"code": "ZW-TEST-999", "t": 1767225600000, "v": 1.2}'),
    ("bad_json", "water_level", "报文不是有效的 UTF-8 JSON（示例：传输截断）", '{"t": 1767225600000, "v": 0.4'),
    ("out_of_range", "water_level", "读数 -99 超出有效量程 -10–20（示例：探头故障）", '{"t": 1767225600000, "v": -99.0, "seq": 17}'),
    ("bad_time", "intensity", "时间戳晚于当前时间 6 小时以上（示例：设备时钟错误）", '{"t": 4070908800000, "v": 2.1, "seq": 3}'),
]


@demo_step(52, "县区监测报警历史与隔离数据")
def load_county_alarm_and_quarantine() -> int:
    """A closed water-level alarm of last week at a 彰武县 flood point (so the county's alarm list
    has its history), and messages the ingest refused, kept with their reason."""
    if QuarantinedMessage.objects.filter(detail__contains="示例").exists():
        return 0
    p = profile.current()
    county = profile.focus(p).prefix
    made = 0
    sensor = Sensor.objects.filter(is_synthetic=True, division_code__startswith=county, kind="water_level",
                                   upper_3__isnull=False).order_by("code").first()
    duty = (get_user_model().objects.filter(username=p.username("focus_duty")).first()
            or get_user_model().objects.filter(username=p.username("duty")).first())
    if sensor is not None:
        raised = timezone.now() - dt.timedelta(days=6, hours=3)
        value = round(sensor.upper_3 + 0.12, 2)
        insert_readings([(sensor.pk, int(raised.timestamp() * 1000), value, None)])
        Alarm.objects.create(
            sensor=sensor, monitored_object=sensor.monitored_object, enterprise_id=sensor.enterprise_id,
            division_code=sensor.division_code, is_synthetic=True, rule="threshold", level=3, side="upper", state="closed",
            is_open=False, condition_active=False, first_value=value, last_value=value, peak_value=value, raised_at=raised,
            level_changed_at=raised, last_triggered_at=raised, cleared_at=raised + dt.timedelta(hours=2),
            acknowledged_at=raised + dt.timedelta(minutes=4), acknowledged_by=duty, acknowledge_note="已通知乡镇防汛责任人到场（示例）",
            handled_at=raised + dt.timedelta(minutes=50), handled_by=duty, handling_note="巡堤人员加密巡查，水位回落（示例）",
            closed_at=raised + dt.timedelta(hours=2, minutes=10), closed_by=duty, close_note="水位回落至警戒以下（示例）")
        made += 1
    rows = []
    for reason, kind, detail, payload in DEMO_QUARANTINE:
        source = Sensor.objects.filter(is_synthetic=True, division_code__startswith=county, kind=kind).order_by("code").first() if kind else None
        rows.append(QuarantinedMessage(source="mqtt" if kind else "http",
                                       sensor_code=source.code if source else f"{p.demo['focus_tag']}-TEST-999",
                                       division_code=source.division_code if source else "", reason=reason, detail=detail,
                                       payload=payload))
    QuarantinedMessage.objects.bulk_create(rows)
    return made + len(rows)
