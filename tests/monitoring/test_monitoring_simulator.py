"""The simulator keeps values inside the normal band and drives excursions past each level
in turn, which the pipeline turns into alarms."""

from __future__ import annotations

import time

import pytest

pytestmark = pytest.mark.django_db


def test_normal_readings_then_excursions_of_each_level(tank):
    from yingji.monitoring.models import Alarm, LatestValue
    from yingji.monitoring.simulator import LocalTransport, Simulator, build_models

    _, level, _ = tank
    models = build_models([level])
    models[0].next_due = 0  # report from the start of the simulated hour
    simulator = Simulator(models, LocalTransport(), excursion_every=0)
    now = time.time() - 3600
    for step in range(20):  # normal operation: between the lower and upper thresholds, no alarm
        simulator.tick(now + step * level.interval_s)
    assert not Alarm.objects.exists()
    assert 1.0 < LatestValue.objects.get(sensor=level).value < 7.0
    seen = []
    t = now + 20 * level.interval_s
    for expected in (4, 3, 2, 1):
        simulator.start_excursion()
        for _ in range(4):
            t += level.interval_s
            simulator.tick(t)
        seen.append(Alarm.objects.get(sensor=level, is_open=True).level)
    assert seen == [4, 3, 2, 1]
    assert simulator.excursions == 4 and simulator.sent == 36


def test_series_continue_from_the_stored_value(tank):
    from yingji.monitoring.simulator import build_models

    _, level, _ = tank
    (model,) = build_models([level], latest={level.pk: 6.5})
    import random

    first = model.value(time.time(), random.Random(1))
    assert abs(first - 6.5) < 0.6


def test_readings_carry_sequence_numbers_that_continue_after_a_restart(tank):
    from yingji.monitoring.models import Alarm, LatestValue
    from yingji.monitoring.simulator import LocalTransport, Simulator, build_models, latest_seqs

    _, level, _ = tank
    models = build_models([level])
    models[0].next_due = 0
    simulator = Simulator(models, LocalTransport(), excursion_every=0)
    start = time.time() - 3600
    for step in range(5):
        simulator.tick(start + step * level.interval_s)
    assert LatestValue.objects.get(sensor=level).seq == 5
    # A new simulator process continues the numbering: no false data-quality alarm.
    (again,) = build_models([level], seqs=latest_seqs([level]))
    again.next_due = 0
    restarted = Simulator([again], LocalTransport(), excursion_every=0)
    restarted.tick(start + 10 * level.interval_s)
    assert LatestValue.objects.get(sensor=level).seq == 6
    assert not Alarm.objects.filter(rule="gap").exists()


def test_a_demo_night_has_a_few_alarms_an_hour_mostly_low_and_no_earthquake(db, enterprises):
    """Four simulated hours of the demo's sensor kinds: a few excursions an hour, mostly 四级,
    and the ground-motion sensor stays calm — not 40 alarms in 15 minutes with a 187 gal quake."""
    from tests.conftest import ZHANGWU, ZHANGWU_POINT
    from yingji.monitoring.demo_data import PGA, POND_SENSORS, TANK_SENSORS
    from yingji.monitoring.models import Alarm, MonitoredObject, Reading, Sensor
    from yingji.monitoring.simulator import LocalTransport, Simulator, build_models

    obj = MonitoredObject.objects.create(name="模拟对象", code="SIM-OBJ", kind="tank", division_code=ZHANGWU,
                                         lon=ZHANGWU_POINT[0], lat=ZHANGWU_POINT[1])
    sensors = []
    for i, (kind, label, interval, upper, lower, deadband, valid, rate) in enumerate([PGA, *TANK_SENSORS, *POND_SENSORS]):
        sensor = Sensor(code=f"SIM-{i}", name=label, monitored_object=obj, kind=kind, interval_s=interval,
                        deadband=deadband, valid_min=valid[0], valid_max=valid[1], division_code=ZHANGWU)
        for lv, v in upper.items():
            setattr(sensor, f"upper_{lv}", v)
        for lv, v in lower.items():
            setattr(sensor, f"lower_{lv}", v)
        if rate:
            sensor.rate_limit_per_s, sensor.rate_window_s = rate
        sensor.save()
        sensors.append(sensor)
    models = build_models(sensors, seed=7)
    for model in models:
        model.next_due = 0
    simulator = Simulator(models, LocalTransport(), seed=7)
    hours, start = 4, time.time() - 4 * 3600 - 60
    for second in range(0, hours * 3600, 15):
        simulator.step(start + second)
    alarms = list(Alarm.objects.all())
    assert 4 <= simulator.excursions <= 6 * hours, simulator.excursions
    assert len(alarms) <= simulator.excursions + hours  # noise alone raises (almost) nothing
    assert simulator.by_level.get(4, 0) >= simulator.excursions / 2
    assert simulator.by_level.get(1, 0) <= 2
    pga = sensors[0]
    assert max(Reading.objects.filter(sensor=pga).values_list("value", flat=True)) < PGA[3][4] * 1.2
    assert not Alarm.objects.filter(sensor=pga, level__lt=4).exists()
