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
