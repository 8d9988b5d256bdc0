"""Sequence-number gaps: which readings never arrived (issue 13, finding 8)."""

from yingji.rules.sequence import Gap, SeqTracker


def rows(sensor, *pairs):
    return [(sensor, t, 1.0, seq) for t, seq in pairs]


def test_contiguous_sequence_has_no_gap():
    tracker = SeqTracker()
    assert tracker.observe(rows(1, (1000, 1), (2000, 2), (3000, 3))) == []


def test_gap_names_sensor_and_missing_range():
    tracker = SeqTracker()
    tracker.seed(7, 1000, 100)
    gaps = tracker.observe(rows(7, (2000, 101), (9000, 251)))
    assert gaps == [Gap(7, 102, 250, 9000, after_ms=2000)]
    assert gaps[0].count == 149 and gaps[0].text() == "缺失序号 102–250（共 149 条）"
    assert Gap(7, 5, 5, 0).text() == "缺失序号 5（1 条）"


def test_restart_late_and_repeated_deliveries_are_not_gaps():
    tracker = SeqTracker()
    tracker.seed(1, 5000, 40)
    assert tracker.observe(rows(1, (6000, 1), (7000, 2))) == []   # device restarted its counter
    assert tracker.observe(rows(1, (6500, 1), (7000, 2))) == []   # late and repeated
    assert tracker.observe(rows(1, (8000, 5))) == [Gap(1, 3, 4, 8000, after_ms=7000)]


def test_readings_without_seq_and_other_sensors_are_independent():
    tracker = SeqTracker()
    batch = rows(1, (1000, 1)) + rows(2, (1000, 10)) + [(1, 1500, 2.0, None)] + rows(1, (2000, 2)) + rows(2, (2000, 12))
    assert tracker.observe(sorted(batch, key=lambda r: r[1])) == [Gap(2, 11, 11, 2000, after_ms=1000)]


def test_still_missing_leaves_what_another_process_stored():
    gap = Gap(3, 10, 20, 9000, after_ms=1000)
    assert gap.still_missing(range(10, 21)) == []
    assert gap.still_missing([]) == [gap]
    parts = gap.still_missing([10, 11, 14, 15, 16, 20, 99])
    assert [(p.first_missing, p.last_missing) for p in parts] == [(12, 13), (17, 19)]
    assert sum(p.count for p in parts) == 5
