"""Rules as the duty room sees them: graded upper/lower thresholds, hysteresis (no flapping),
rate of change and stale sensors, through the real ingest pipeline and database."""

from __future__ import annotations

import time

import pytest

from tests.monitoring.conftest import alarm_events, feed

pytestmark = pytest.mark.django_db


def open_alarms(sensor):
    from yingji.monitoring.models import Alarm

    return list(Alarm.objects.filter(sensor=sensor, is_open=True).values_list("rule", "level", "side", "state"))


def test_each_upper_level_is_reached_at_its_threshold(pipeline, tank):
    from yingji.monitoring.models import Alarm

    _, level, _ = tank
    feed(pipeline, "TANK-LV", [5.0, 6.99])
    assert open_alarms(level) == []
    feed(pipeline, "TANK-LV", [7.0], start_ms=int(time.time() * 1000))
    assert open_alarms(level) == [("threshold", 4, "upper", "raised")]
    # More severe readings raise the same alarm's level (one alarm per sensor and rule).
    for value, expected in [(8.0, 3), (9.0, 2), (9.5, 1)]:
        feed(pipeline, "TANK-LV", [value], start_ms=int(time.time() * 1000) + int(value * 1000))
        assert open_alarms(level) == [("threshold", expected, "upper", "raised")]
    assert Alarm.objects.filter(sensor=level).count() == 1


def test_lower_thresholds_alarm_below(pipeline, tank):
    _, level, _ = tank
    feed(pipeline, "TANK-LV", [3.0, 1.0])
    assert open_alarms(level) == [("threshold", 4, "lower", "raised")]
    feed(pipeline, "TANK-LV", [0.4], start_ms=int(time.time() * 1000))
    assert open_alarms(level) == [("threshold", 3, "lower", "raised")]


def test_hysteresis_no_flapping_at_the_boundary(pipeline, tank, django_capture_on_commit_callbacks):
    from yingji.monitoring.models import Alarm

    _, level, _ = tank
    with django_capture_on_commit_callbacks(execute=True):
        # Wobbling around 7.0 by less than the 0.2 deadband: one alarm, raised once, never cleared.
        feed(pipeline, "TANK-LV", [6.5, 7.05, 6.9, 7.1, 6.85, 7.02, 6.95])
    alarm = Alarm.objects.get(sensor=level)
    assert alarm.condition_active is True
    assert [k for k, _ in alarm_events()] == ["raised"]
    with django_capture_on_commit_callbacks(execute=True):
        feed(pipeline, "TANK-LV", [6.79], start_ms=int(time.time() * 1000))  # below 7.0 − 0.2: clears
    alarm.refresh_from_db()
    assert alarm.condition_active is False and alarm.cleared_at is not None
    assert alarm.is_open  # people close alarms, not the sensor
    assert [k for k, _ in alarm_events()] == ["raised", "condition_cleared"]


def test_rate_of_change_alarm(pipeline, tank):
    _, _, temp = tank
    # 20 → 21 over 10 s is 0.1/s: not above the limit; 21 → 23 over 10 s is 0.2/s.
    now = int(time.time() * 1000) - 60_000
    feed(pipeline, "TANK-TE", [20.0, 21.0], start_ms=now, step_ms=10_000)
    assert open_alarms(temp) == []
    feed(pipeline, "TANK-TE", [23.5], start_ms=now + 20_000)
    assert open_alarms(temp) == [("rate", 3, "", "raised")]


def test_stale_sensor_raises_offline_alarm_and_recovers(pipeline, tank):
    from yingji.monitoring.models import Alarm

    _, level, _ = tank
    start = float(int(time.time()) - 100)
    feed(pipeline, "TANK-LV", [5.0], start_ms=int(start * 1000))
    pipeline.started_at = start - 1000  # the platform has been up long enough
    # interval 10 s × 3: exactly 30 s of silence is not stale yet; 31 s is.
    assert pipeline.sweep(now=start + 30) == 0
    pipeline.sweep(now=start + 31)
    stale = Alarm.objects.get(sensor=level, rule="stale")
    assert stale.level == 4 and stale.condition_active
    feed(pipeline, "TANK-LV", [5.1], start_ms=int(start * 1000) + 40_000)
    stale.refresh_from_db()
    assert stale.condition_active is False


def test_sensor_silent_across_a_platform_restart_is_not_flagged_before_it_could_report(pipeline, tank):
    from yingji.monitoring.models import Alarm

    feed(pipeline, "TANK-LV", [5.0], start_ms=int(time.time() * 1000) - 3_600_000)
    pipeline.reload(force=True)
    assert pipeline.sweep() == 0  # just started: waits one stale window (≤ 10 min)
    assert not Alarm.objects.filter(rule="stale").exists()


def test_nan_and_non_numbers_are_quarantined_not_evaluated(pipeline, tank):
    from yingji.monitoring.models import Alarm, QuarantinedMessage
    from yingji.monitoring.payloads import parse_mqtt

    readings, problems = parse_mqtt("yingji/210922/TANK-LV/reading", b'{"t": %d, "v": NaN}' % int(time.time() * 1000),
                                    int(time.time() * 1000))
    pipeline.ingest(readings, problems)
    assert QuarantinedMessage.objects.get().reason == "bad_value"
    assert not Alarm.objects.exists()


def test_changed_thresholds_apply_without_restart(pipeline, tank):
    from yingji.monitoring import ingest

    _, level, _ = tank
    feed(pipeline, "TANK-LV", [6.5])
    level.upper_4 = 6.0
    level.save()
    pipeline._checked_at -= ingest.RELOAD_SECONDS + 1
    feed(pipeline, "TANK-LV", [6.5], start_ms=int(time.time() * 1000))
    assert open_alarms(level) == [("threshold", 4, "upper", "raised")]
