from yingji.core.registry import Registry

from yingji.rules.monitoring import LEVEL_NAMES

from .alarms import COLORS
from .models import Alarm, MonitoredObject, Sensor


def _object_summary(obj: MonitoredObject) -> str:
    return f"{obj.get_kind_display()} · {obj.code}"


def _object_states(objects: list[MonitoredObject]) -> dict[int, dict]:
    """On the one-map, an object with an open alarm carries it in the colour of its worst level, pulsing
    while the alarm is unconfirmed or its condition persists."""
    worst: dict[int, Alarm] = {}
    for alarm in Alarm.objects.filter(is_open=True, monitored_object__in=[o.pk for o in objects]).only(
            "monitored_object_id", "level", "state", "condition_active"):
        current = worst.get(alarm.monitored_object_id)
        if current is None or alarm.level < current.level:
            worst[alarm.monitored_object_id] = alarm
    return {pk: {"pulse": a.condition_active or a.state == "raised", "badge": "警", "color": COLORS[a.level],
                 "state": f"{LEVEL_NAMES[a.level]}报警 · {a.get_state_display()}"} for pk, a in worst.items()}


MONITORED_OBJECTS = Registry(
    key="monitored-objects",
    model=MonitoredObject,
    label="监测对象",
    fields=["name", "code", "kind", "enterprise", "registry_key", "registry_id", "registry_name", "owner_unit",
            "contact", "phone", "notes", "division_code", "lon", "lat", "coord_source"],
    list_fields=["name", "code", "kind", "enterprise", "owner_unit", "division_code"],
    search_fields=["name", "code", "owner_unit", "registry_name"],
    filter_fields=["kind", "enterprise"],
    ordering=["division_code", "kind", "name"],
    select_related=["enterprise"],
    map_layer=True,
    nav_group="监测预警",
    icon="测", map_color="#283593",
    map_summary=_object_summary, map_states=_object_states,
)

SENSORS = Registry(
    key="sensors",
    model=Sensor,
    label="监测传感器",
    fields=["code", "name", "monitored_object", "kind", "unit", "interval_s", "stale_after",
            "upper_1", "upper_2", "upper_3", "upper_4", "lower_1", "lower_2", "lower_3", "lower_4", "deadband",
            "rate_limit_per_s", "rate_window_s", "rate_level", "valid_min", "valid_max", "enabled"],
    list_fields=["code", "name", "monitored_object", "kind", "unit", "interval_s", "enabled"],
    search_fields=["code", "name", "monitored_object__name"],
    filter_fields=["kind", "monitored_object", "enabled"],
    ordering=["division_code", "code"],
    select_related=["monitored_object"],
    nav_group="监测预警",
)
