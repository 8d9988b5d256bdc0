"""Gaps in a sensor's reading sequence numbers (``seq``) — readings lost on the way.

Each reading a device sends carries ``seq``, one more than the one before. Ingest feeds every
stored reading (in time order) to :class:`SeqTracker`; a reading whose ``seq`` jumps past the
next expected number means the numbers in between never arrived: one :class:`Gap` naming the
sensor and the missing range. A ``seq`` that goes backwards with a newer time is a device
restart (its counter began again): no gap. A ``seq`` not newer than the last one with an older
time is a late or repeated delivery: ignored. Readings without ``seq`` are not tracked.

Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Iterable


@dataclass(frozen=True)
class Gap:
    sensor_id: Hashable
    first_missing: int
    last_missing: int
    detected_at_ms: int   # time of the reading that showed the gap
    after_ms: int = 0     # time of the reading before the gap: the missing ones lie between the two

    @property
    def count(self) -> int:
        return self.last_missing - self.first_missing + 1

    def text(self) -> str:
        if self.first_missing == self.last_missing:
            return f"缺失序号 {self.first_missing}（1 条）"
        return f"缺失序号 {self.first_missing}–{self.last_missing}（共 {self.count} 条）"

    def still_missing(self, found: Iterable[int]) -> list["Gap"]:
        """The parts of this gap not in ``found`` (sequence numbers stored since, e.g. by another
        ingest process sharing the stream), as contiguous gaps; empty when all arrived."""
        found = {seq for seq in found if self.first_missing <= seq <= self.last_missing}
        parts, start = [], None
        for seq in range(self.first_missing, self.last_missing + 2):
            missing = seq <= self.last_missing and seq not in found
            if missing and start is None:
                start = seq
            elif not missing and start is not None:
                parts.append(Gap(self.sensor_id, start, seq - 1, self.detected_at_ms, self.after_ms))
                start = None
        return parts


class SeqTracker:
    """The last (time, seq) per sensor; :meth:`observe` returns the gaps a batch reveals."""

    def __init__(self) -> None:
        self.last: dict[Hashable, tuple[int, int]] = {}

    def seed(self, sensor_id: Hashable, t_ms: int, seq: int | None) -> None:
        if seq is not None:
            self.last[sensor_id] = (t_ms, seq)

    def observe(self, rows: Iterable[tuple]) -> list[Gap]:
        """``rows``: (sensor_id, t_ms, value, seq) sorted by time."""
        gaps = []
        last = self.last
        for sensor_id, t_ms, _value, seq in rows:
            if seq is None:
                continue
            previous = last.get(sensor_id)
            if previous is None:
                last[sensor_id] = (t_ms, seq)
                continue
            prev_t, prev_seq = previous
            if t_ms <= prev_t:
                continue  # late or repeated delivery: the newer state stands
            if seq > prev_seq + 1:
                gaps.append(Gap(sensor_id, prev_seq + 1, seq - 1, t_ms, prev_t))
            last[sensor_id] = (t_ms, seq)  # also after a restart (seq went back)
        return gaps
