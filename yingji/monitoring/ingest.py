"""The ingest pipeline shared by MQTT, HTTP and the in-process simulator.

One call of :meth:`IngestPipeline.ingest` takes a batch of parsed readings and, in one
transaction: checks each reading against the sensor registry (unknown, disabled, wrong
division, outside the valid range → quarantine), bulk-inserts the readings with
``ON CONFLICT DO NOTHING`` (a reading delivered twice is stored once), upserts the
latest-value table, evaluates the rules with the stateful evaluator of
:mod:`yingji.rules.monitoring` and records alarm changes. Alarms reach the console when the
transaction commits (``live.publish``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import Max

from yingji.core import metrics
from yingji.rules import monitoring as rules
from yingji.rules.sequence import Gap, SeqTracker

from . import alarms
from .models import LatestValue, QuarantinedMessage, Reading, Sensor
from .payloads import Problem, RawReading

log = logging.getLogger(__name__)
RELOAD_SECONDS = 15.0
DISABLED = rules.SensorConfig()


@dataclass(slots=True)
class SensorInfo:
    id: int
    division_code: str
    enterprise_id: int | None
    enabled: bool
    valid_min: float | None
    valid_max: float | None


@dataclass
class IngestResult:
    accepted: int = 0       # readings that passed the checks
    stored: int = 0         # rows actually inserted (duplicates excluded)
    quarantined: int = 0
    alarm_changes: int = 0
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Scope:
    """Who may report: a device token's division prefix and optional enterprise."""

    division_prefix: str = ""
    enterprise_id: int | None = None


# A batch slower than this is logged with the time of each phase (YINGJI_INGEST_SLOW_MS, default
# 250): an alarm behind it waits that long, and the line says where the time went.
SLOW_BATCH_S = float(os.environ.get("YINGJI_INGEST_SLOW_MS", "250")) / 1000


class Laps:
    """The phases of one batch: ``lap(name)`` ends the phase begun at the previous call."""

    def __init__(self) -> None:
        self.began = self.last = time.perf_counter()
        self.phases: list[tuple[str, float]] = []

    def __call__(self, name: str) -> float:
        now = time.perf_counter()
        self.phases.append((name, now - self.last))
        self.last = now
        return now

    def total(self) -> float:
        return self.last - self.began

    def __str__(self) -> str:
        return f"{self.total() * 1000:.0f} ms (" + ", ".join(f"{n} {s * 1000:.0f}" for n, s in self.phases) + ")"


def now_ms() -> int:
    return int(time.time() * 1000)


class IngestPipeline:
    """Per-process state: the sensor cache and the evaluator. Thread-safe (one lock)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.evaluator = rules.Evaluator()
        self.sequences = SeqTracker()
        self.sensors: dict[str, SensorInfo] = {}
        self._signature = None
        self._checked_at = 0.0
        self._loaded = False
        self.started_at = time.time()
        self.stale_grace_s = 0.0
        # Several processes may ingest for the same sensors (ingest processes on an MQTT shared
        # subscription, HTTP ingest on several web workers): each batch first locks its sensors'
        # latest values and catches up with what the others stored (_resync). It costs about a
        # third of one process's throughput, so it is on only where needed: `yingji ingest
        # --share`, `yingji serve --workers N>1`, or YINGJI_INGEST_SHARED=1 (docs/deploy.md).
        self.shared = os.environ.get("YINGJI_INGEST_SHARED", "0") == "1"
        # On a shared stream a batch may show a sequence gap whose readings another process still
        # holds in its client buffer and stores a moment later. Such gaps wait the grace period
        # (YINGJI_GAP_GRACE_S, default 30 s) and are raised only for the sequence numbers still
        # absent from the database then (confirm_gaps). A lone process raises them at once.
        self.shared_gap_grace_s = float(os.environ.get("YINGJI_GAP_GRACE_S", "30"))
        self.pending_gaps: list[tuple[float, Gap]] = []
        self.stats = {"received": 0, "stored": 0, "duplicates": 0, "quarantined": 0, "alarm_changes": 0}

    # --- sensor registry ---------------------------------------------------------------
    def _current_signature(self):
        agg = Sensor.objects.aggregate(m=Max("updated_at"), top=Max("id"))
        return (Sensor.objects.count(), agg["m"], agg["top"])

    def reload(self, force: bool = False) -> None:
        with self.lock:
            signature = self._current_signature()
            self._checked_at = time.monotonic()
            if not force and signature == self._signature:
                return
            started = time.time()
            sensors = {}
            for sensor in Sensor.objects.all():
                sensors[sensor.code] = SensorInfo(sensor.pk, sensor.division_code, sensor.enterprise_id, sensor.enabled,
                                                  sensor.valid_min, sensor.valid_max)
                try:
                    config = sensor.sensor_config() if sensor.enabled else DISABLED
                except ValueError:
                    log.warning("sensor %s has invalid rules; evaluating none", sensor.code)
                    config = DISABLED
                self.evaluator.configure(sensor.pk, config, now=started)
            self.sensors = sensors
            windows = [s.interval_s * s.stale_after for s in Sensor.objects.filter(enabled=True).only("interval_s", "stale_after")]
            self.stale_grace_s = min(600.0, float(max(windows, default=0)))
            if not self._loaded:
                self._seed_from_latest()
                self._loaded = True
            self._signature = signature

    def _seed_from_latest(self) -> None:
        """Bring the evaluator to the stored state: levels from the latest values, and
        readings not newer than what is stored are ignored (replays after a restart)."""
        for sensor_id, t, value, seq in LatestValue.objects.values_list("sensor_id", "t", "value", "seq"):
            self.sequences.seed(sensor_id, t, seq)
            try:
                self.evaluator.feed(sensor_id, value, t / 1000.0)
            except KeyError:
                continue

    def _forget_state(self) -> None:
        self.evaluator = rules.Evaluator()
        self.sequences = SeqTracker()
        self._loaded = False
        self._signature = None

    def ensure_loaded(self) -> None:
        if not self._loaded or time.monotonic() - self._checked_at > RELOAD_SECONDS:
            self.reload()

    # --- ingest ------------------------------------------------------------------------
    def _check(self, readings: list[RawReading], scope: Scope | None, problems: list[Problem]) -> list[tuple]:
        rows = []
        sensors = self.sensors
        reloaded = False
        for r in readings:
            info = sensors.get(r.code)
            if info is None and not reloaded:
                self.reload(force=True)
                sensors, reloaded = self.sensors, True
                info = sensors.get(r.code)
            if info is None:
                problems.append(Problem("unknown_sensor", f"设备编码“{r.code}”未登记", r.code, r.division6, _reading_text(r)))
                continue
            if not info.enabled:
                problems.append(Problem("disabled_sensor", "传感器已停用，数据不入库", r.code, r.division6, _reading_text(r)))
                continue
            if r.division6 and not info.division_code.startswith(r.division6):
                problems.append(Problem("division_mismatch", f"主题区划 {r.division6} 与传感器所属区划 {info.division_code[:6]} 不符",
                                        r.code, r.division6, _reading_text(r)))
                continue
            if scope is not None and (not info.division_code.startswith(scope.division_prefix) or (
                    scope.enterprise_id is not None and info.enterprise_id != scope.enterprise_id)):
                problems.append(Problem("forbidden", "设备令牌无权上报该传感器", r.code, r.division6, _reading_text(r)))
                continue
            if (info.valid_min is not None and r.value < info.valid_min) or (
                    info.valid_max is not None and r.value > info.valid_max):
                problems.append(Problem("out_of_range", f"数值 {r.value:g} 超出有效量程 [{_fmt(info.valid_min)}, {_fmt(info.valid_max)}]",
                                        r.code, r.division6, _reading_text(r)))
                continue
            rows.append((info.id, r.t, r.value, r.seq))
        return rows

    def ingest(self, readings: list[RawReading], problems: list[Problem] | None = None, *, source: str = "mqtt",
               topic: str = "", scope: Scope | None = None) -> IngestResult:
        """Store, evaluate and alarm one batch; returns counts. Raises on a database error
        (nothing of the batch is then written; the caller retries). A sensor replaced in the
        registry since the cache was loaded (integrity error) is retried once after a reload."""
        try:
            return self._ingest(readings, problems, source, topic, scope)
        except IntegrityError:
            return self._ingest(readings, problems, source, topic, scope)

    def _ingest(self, readings, problems, source, topic, scope) -> IngestResult:
        problems = list(problems or [])
        with self.lock:
            self.ensure_loaded()
            if self.pending_gaps:  # an HTTP-only web process may run no sweep
                self.confirm_gaps()
            lap = Laps()
            rows = self._check(readings, scope, problems)
            rows.sort(key=lambda row: row[1])
            started = lap("check")
            try:
                with transaction.atomic():
                    if self.shared:
                        self._resync([row[0] for row in rows])
                        lap("lock")
                    stored = insert_readings(rows)
                    lap("insert")
                    upsert_latest(rows)
                    lap("latest")
                    changes, held = self._evaluate(rows)
                    lap("evaluate")
                    alarms.record_changes(changes)
                    quarantine(problems, source, topic)
                    lap("alarms")
                lap("commit")  # with the live events published on commit
            except Exception:
                # The evaluator saw readings that were not stored: rebuild it from the
                # stored state so that the retried batch is evaluated again.
                self._forget_state()
                raise
            if held:
                seen = time.time()
                self.pending_gaps.extend((seen, gap) for gap in held)
            result = IngestResult(len(rows), stored, len(problems), len(changes), problems)
            observe(result, changes, time.perf_counter() - started)
            if lap.total() >= SLOW_BATCH_S:
                log.warning("slow ingest batch: %d readings, %d alarm changes in %s", len(rows), len(changes), lap)
            self._count(len(readings) + sum(1 for p in problems if p.reason in ("bad_json", "bad_topic", "bad_shape")), result)
        return result

    def _resync(self, sensor_ids) -> set:
        """Shared stream: lock the latest-value rows of these sensors (in id order, so two
        processes never deadlock; the lock holds until the batch commits) and bring this
        process's evaluator and sequence tracker to the newest reading another process stored
        meanwhile. A sensor's readings are thus evaluated one batch at a time, in order, across
        all processes: no missed or doubled alarm, no gap alarm for readings another process
        received. Returns the ids whose latest value was found."""
        ids = sorted(set(sensor_ids))
        if not ids:
            return set()
        table = LatestValue._meta.db_table
        marks = ", ".join(["%s"] * len(ids))
        lock = " FOR UPDATE" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT sensor_id, t, value, seq FROM {table} WHERE sensor_id IN ({marks}) "
                           f"ORDER BY sensor_id{lock}", ids)
            latest = cursor.fetchall()
        last = self.sequences.last
        for sensor_id, t, value, seq in latest:
            seen = last.get(sensor_id)
            if seq is not None and (seen is None or t > seen[0]):
                last[sensor_id] = (t, seq)
            self.evaluator.catch_up(sensor_id, value, t / 1000.0)
        return {row[0] for row in latest}

    def gap_grace_s(self) -> float:
        return self.shared_gap_grace_s if self.shared else 0.0

    def _evaluate(self, rows: list[tuple]) -> tuple[list[rules.AlarmChange], list[Gap]]:
        """The alarm changes of a batch, and the gaps held back for the grace period."""
        feed = self.evaluator.feed
        gaps = self.sequences.observe(rows)
        held: list[Gap] = []
        if gaps and self.gap_grace_s() > 0:
            held, gaps = gaps, []
        changes: list[rules.AlarmChange] = [_gap_change(gap.sensor_id, [gap]) for gap in gaps]
        for sensor_id, t, value, _ in rows:
            found = feed(sensor_id, value, t / 1000.0)
            if found:
                changes.extend(found)
        return changes, held

    def confirm_gaps(self, now: float | None = None) -> int:
        """Raise the held gaps whose grace period has passed, for the sequence numbers that no
        process has stored meanwhile. Returns the number of gap alarms raised."""
        now = time.time() if now is None else now
        grace = self.gap_grace_s()
        due = [gap for seen, gap in self.pending_gaps if now - seen >= grace]
        if not due:
            return 0
        table = Reading._meta.db_table
        changes = []
        with transaction.atomic():
            with connection.cursor() as cursor:
                for gap in due:
                    cursor.execute(f"SELECT seq FROM {table} WHERE sensor_id = %s AND t > %s AND t < %s "
                                   f"AND seq BETWEEN %s AND %s",
                                   [gap.sensor_id, gap.after_ms, gap.detected_at_ms, gap.first_missing, gap.last_missing])
                    parts = gap.still_missing(row[0] for row in cursor.fetchall())
                    if parts:
                        changes.append(_gap_change(gap.sensor_id, parts))
            alarms.record_changes(changes)
        self.pending_gaps = [(seen, gap) for seen, gap in self.pending_gaps if now - seen < grace]
        return len(changes)

    def _count(self, received: int, result: IngestResult) -> None:
        stats = self.stats
        stats["received"] += received
        stats["stored"] += result.stored
        stats["duplicates"] += result.accepted - result.stored
        stats["quarantined"] += result.quarantined
        stats["alarm_changes"] += result.alarm_changes

    def sweep(self, now: float | None = None) -> int:
        """Stale detection (sensors silent for N intervals); call every few seconds.

        After the pipeline starts, the sweep waits one stale window (at most 10 minutes) so
        that sensors get the chance to report after a platform restart: the platform being
        down is not the sensors being offline. A sensor still silent afterwards is flagged."""
        now = time.time() if now is None else now
        with self.lock:
            self.ensure_loaded()
            confirmed = self.confirm_gaps(now) if self.pending_gaps else 0
            if now - self.started_at < self.stale_grace_s:
                return confirmed
            changes = self.evaluator.sweep_stale(now)
            if changes:
                with transaction.atomic():
                    if self.shared:  # silent here, perhaps not for the other processes
                        self._resync([c.sensor_id for c in changes])
                        changes = [c for c in changes if self.evaluator.is_stale(c.sensor_id)]
                    alarms.record_changes(changes)
            return len(changes) + confirmed


def _gap_change(sensor_id, parts: list[Gap]) -> rules.AlarmChange:
    """One data-quality alarm change for the still-missing parts of a gap."""
    return rules.AlarmChange(sensor_id, rules.RULE_GAP, None, rules.GAP_LEVEL, float(sum(p.count for p in parts)),
                             parts[0].detected_at_ms / 1000.0, detail="；".join(p.text() for p in parts))


def observe(result: IngestResult, changes: list[rules.AlarmChange], seconds: float) -> None:
    """Prometheus figures of one committed batch (core.metrics): readings by outcome, batch time,
    and for each alarm raised or raised a level the delay from the reading to the commit."""
    metrics.INGEST_READINGS.labels("stored").inc(result.stored)
    metrics.INGEST_READINGS.labels("duplicate").inc(result.accepted - result.stored)
    metrics.INGEST_READINGS.labels("quarantined").inc(result.quarantined)
    metrics.INGEST_BATCH_SECONDS.observe(seconds)
    now = time.time()
    for change in changes:
        if change.level is not None and (change.previous is None or change.level < change.previous):
            metrics.ALARM_LATENCY.observe(max(0.0, now - change.time))


def _fmt(value) -> str:
    return "—" if value is None else f"{value:g}"


def _reading_text(r: RawReading) -> str:
    return f'{{"s": "{r.code}", "t": {r.t}, "v": {r.value!r}, "seq": {"null" if r.seq is None else r.seq}}}'


def _columns(rows: list[tuple]) -> list[list]:
    return [list(column) for column in zip(*rows)]


def insert_readings(rows: list[tuple], table: str | None = None) -> int:
    """Bulk insert (sensor_id, t, value, seq) rows; a (sensor, t) already stored is skipped.
    Returns the number of rows inserted. PostgreSQL gets one statement over arrays
    (``unnest``), SQLite one prepared statement executed per row (``executemany``). ``table``:
    another table of the same shape (the ingest benchmark's bare baseline)."""
    if not rows:
        return 0
    table = table or Reading._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (sensor_id, t, value, seq) "
                f"SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::double precision[], %s::bigint[]) "
                f"ON CONFLICT DO NOTHING", _columns(rows))
        else:
            cursor.executemany(
                f"INSERT INTO {table} (sensor_id, t, value, seq) VALUES (%s, %s, %s, %s) ON CONFLICT DO NOTHING", rows)
        count = cursor.rowcount
    return count if count is not None and count >= 0 else len(rows)


def upsert_latest(rows: list[tuple]) -> None:
    if not rows:
        return
    newest: dict[int, tuple] = {}
    for row in rows:  # rows are sorted by time: the last one per sensor wins
        newest[row[0]] = row
    table = LatestValue._meta.db_table
    update = (f"ON CONFLICT (sensor_id) DO UPDATE SET t = excluded.t, value = excluded.value, seq = excluded.seq "
              f"WHERE excluded.t > {table}.t")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                f"INSERT INTO {table} (sensor_id, t, value, seq) "
                f"SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::double precision[], %s::bigint[]) {update}",
                _columns(list(newest.values())))
        else:
            cursor.executemany(f"INSERT INTO {table} (sensor_id, t, value, seq) VALUES (%s, %s, %s, %s) {update}",
                               list(newest.values()))


def quarantine(problems: list[Problem], source: str, topic: str = "") -> None:
    if not problems:
        return
    QuarantinedMessage.objects.bulk_create([
        QuarantinedMessage(source=source, topic=topic[:200], sensor_code=p.code[:64],
                           division_code=(p.division6.ljust(12, "0") if p.division6 else ""),
                           reason=p.reason, detail=p.detail[:300], payload=p.payload[:4000])
        for p in problems
    ])


_PIPELINE: IngestPipeline | None = None
_PIPELINE_LOCK = threading.Lock()


def pipeline() -> IngestPipeline:
    """The process-wide pipeline (HTTP ingest, in-process simulator, embedded worker)."""
    global _PIPELINE
    with _PIPELINE_LOCK:
        if _PIPELINE is None:
            _PIPELINE = IngestPipeline()
        return _PIPELINE


def reset_pipeline() -> None:
    """Forget the process-wide state (tests; after the sensor registry was replaced)."""
    global _PIPELINE
    with _PIPELINE_LOCK:
        _PIPELINE = None
