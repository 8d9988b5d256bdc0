"""The MQTT ingest worker (``yingji ingest``, or a thread in embedded mode).

Delivery guarantees:

* MQTT 5, ``clean_start=False`` and a session expiry of 7 days under a fixed client id:
  the broker keeps the subscription and queues QoS 1 messages while the worker is down.
* Manual acknowledgements: a message is acknowledged (PUBACK) only **after** the database
  transaction holding its readings has committed. A worker killed before the commit leaves
  the message unacknowledged and the broker delivers it again; readings already stored are
  skipped by the (sensor, t) primary key, so nothing is lost and nothing is stored twice.
* paho reconnects by itself (back-off 0.5–10 s) when the broker goes away; messages of the
  old connection that were not acknowledged are redelivered by the broker, so the worker
  drops its pending acknowledgements of an old connection instead of sending them.
* A batch that fails to store is retried; a malformed message is quarantined and acknowledged.
"""

from __future__ import annotations

import gc
import logging
import os
import queue
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlparse

import paho.mqtt.client as mqtt
from django.conf import settings
from django.db import DatabaseError, close_old_connections, connections
from django.urls import reverse
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from yingji.jobs.services import run_periodically

from . import alarms, partitions, series
from .ingest import SLOW_BATCH_S, quarantine
from .ingest import pipeline as default_pipeline
from .payloads import TOPIC_ROOT, Problem, parse_mqtt

log = logging.getLogger(__name__)
TOPICS = [f"{TOPIC_ROOT}/+/+/reading", f"{TOPIC_ROOT}/+/+/batch", f"{TOPIC_ROOT}/+/gateway/+/batch"]
SESSION_EXPIRY_S = 7 * 24 * 3600
RECEIVE_MAXIMUM = 1000


@dataclass(frozen=True)
class BrokerAddress:
    host: str
    port: int
    username: str | None = None
    password: str | None = None


def parse_url(url: str) -> BrokerAddress:
    """``mqtt://[user:pass@]host[:port]`` → address."""
    parsed = urlparse(url if "://" in url else f"mqtt://{url}")
    if parsed.scheme not in ("mqtt", "tcp"):
        raise ValueError(f"不支持的 MQTT 地址“{url}”：请使用 mqtt://主机:端口")
    return BrokerAddress(parsed.hostname or "127.0.0.1", parsed.port or 1883, parsed.username, parsed.password)


def broker_url() -> str | None:
    return os.environ.get("YINGJI_MQTT_URL") or getattr(settings, "YINGJI_MQTT_URL", None) or None


def shared_topics(group: str) -> list[str]:
    """The subscriptions of an ingest process: the plain topics, or with a group name the MQTT v5
    shared subscriptions ``$share/<group>/<topic>`` — the broker hands each message to one
    member of the group, so N processes divide the stream between them."""
    if not group:
        return list(TOPICS)
    if any(ch in group for ch in "/+#$") or not group.strip():
        raise ValueError(f"共享订阅组名“{group}”无效：不能包含 / + # $")
    return [f"$share/{group}/{topic}" for topic in TOPICS]


@dataclass(slots=True)
class Delivery:
    topic: str
    payload: bytes
    mid: int
    qos: int
    generation: int


class IngestWorker:
    """Receives on the paho network thread, stores on the worker thread in batches."""

    def __init__(self, url: str, *, client_id: str = "yingji-ingest", batch_readings: int = 5000,
                 flush_seconds: float = 0.05, sweep_seconds: float = 5.0, pipeline=None, share_group: str = "",
                 own_process: bool = False):
        self.address = parse_url(url)
        self.topics = shared_topics(share_group)
        self.client_id = client_id
        self.batch_readings = batch_readings
        self.flush_seconds = flush_seconds
        self.sweep_seconds = sweep_seconds
        self.pipeline = pipeline or default_pipeline()
        self.own_process = own_process  # `yingji ingest`: the process is the worker's alone
        if share_group:
            self.pipeline.shared = True
        self.inbox: queue.Queue[Delivery] = queue.Queue()
        self.generation = 0
        self.connected = threading.Event()
        self.client = self._client()

    def _client(self) -> mqtt.Client:
        client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=self.client_id,
                             protocol=mqtt.MQTTv5, manual_ack=True)
        if self.address.username:
            client.username_pw_set(self.address.username, self.address.password)
        client.reconnect_delay_set(min_delay=0.5, max_delay=10)
        client.max_inflight_messages_set(RECEIVE_MAXIMUM)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_message = self._on_message
        return client

    def _on_connect(self, client, userdata, flags, reason_code, properties):
        if reason_code.is_failure:
            log.warning("MQTT connect refused: %s", reason_code)
            return
        self.generation += 1
        client.subscribe([(topic, mqtt.SubscribeOptions(qos=1)) for topic in self.topics])
        self.connected.set()
        log.info("MQTT connected (session present: %s)", flags.session_present)

    def _on_disconnect(self, client, userdata, flags, reason_code, properties):
        self.connected.clear()
        log.warning("MQTT disconnected: %s", reason_code)

    def _on_message(self, client, userdata, message):
        self.inbox.put(Delivery(message.topic, message.payload, message.mid, message.qos, self.generation))

    def start(self) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY_S
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.connect_async(self.address.host, self.address.port, keepalive=20, clean_start=False,
                                  properties=props)
        self.client.loop_start()

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()

    # --- the storing loop ------------------------------------------------------------
    def _take_batch(self, stop: threading.Event) -> list[Delivery]:
        try:
            first = self.inbox.get(timeout=0.2)
        except queue.Empty:
            return []
        batch, size = [first], _size_hint(first)
        deadline = time.monotonic() + self.flush_seconds
        while size < self.batch_readings and not stop.is_set():
            try:
                item = self.inbox.get_nowait()
            except queue.Empty:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                try:
                    item = self.inbox.get(timeout=remaining)
                except queue.Empty:
                    break
            batch.append(item)
            size += _size_hint(item)
        return batch

    def process(self, batch: list[Delivery]) -> None:
        """Parse, store and evaluate a batch; acknowledge only after the commit."""
        now = int(time.time() * 1000)
        readings, problems = [], []
        for delivery in batch:
            good, bad = parse_mqtt(delivery.topic, delivery.payload, now)
            readings.extend(good)
            for p in bad:
                p.payload = p.payload or delivery.payload[:2000].decode("utf-8", "replace")
            problems.extend((p, delivery.topic) for p in bad)
        self._store(readings, problems)
        for delivery in batch:
            if delivery.qos > 0 and delivery.generation == self.generation:
                self.client.ack(delivery.mid, delivery.qos)

    def _store(self, readings, problems, attempts: int = 0) -> None:
        topic = problems[0][1] if problems else ""
        plain = [p for p, _ in problems]
        while True:
            try:
                self.pipeline.ingest(readings, plain, source="mqtt", topic=topic)
                return
            except Exception:  # noqa: BLE001 - keep the worker alive; retry, never drop
                attempts += 1
                log.exception("storing an MQTT batch failed (attempt %s)", attempts)
                close_old_connections()
                if attempts >= 5 and len(readings) > 1:
                    # Perhaps one bad row: store one by one, quarantine the ones that fail.
                    for reading in readings:
                        try:
                            self.pipeline.ingest([reading], [], source="mqtt")
                        except Exception as exc:  # noqa: BLE001
                            close_old_connections()
                            quarantine([Problem("storage_error", str(exc)[:300], reading.code, reading.division6)], "mqtt")
                    if plain:
                        quarantine(plain, "mqtt", topic)
                    return
                time.sleep(min(5.0, 0.2 * 2 ** attempts))

    def run(self, stop: threading.Event) -> None:
        warm_up(self.pipeline)
        if self.own_process:
            freeze_heap()
            watch_collections()
        self.start()
        start_maintenance(stop)
        last_sweep = time.monotonic()
        try:
            while not stop.is_set():
                batch = self._take_batch(stop)
                if batch:
                    self.process(batch)
                if time.monotonic() - last_sweep >= self.sweep_seconds:
                    last_sweep = time.monotonic()
                    close_old_connections()
                    try:
                        periodic(self.pipeline)
                    except Exception:  # noqa: BLE001
                        log.exception("periodic monitoring work failed")
                    took = time.monotonic() - last_sweep
                    if took >= SLOW_BATCH_S:  # the readings received meanwhile waited for it
                        log.warning("slow periodic work (stale sweep, escalation): %.0f ms", took * 1000)
        finally:
            self.stop()
            connections.close_all()  # this thread's connections


def _size_hint(delivery: Delivery) -> int:
    # ~40 bytes per reading in a batch payload; a single reading counts as one.
    return max(1, len(delivery.payload) // 40)


MAINTENANCE_EVERY_S = 600.0


def warm_up(pipeline) -> None:
    """Before the first message, load what the first batch and the first alarm need: the
    sensors and rules, and the URL configuration — an alarm's live event carries its link
    (``reverse``), and building the URL configuration (the whole API's schemas) took ~3 s, for
    which the readings behind the first alarm of a new process waited (the ingest benchmark's
    alarm p99 of 2.7–3 s was this; docs/performance.md)."""
    reverse("monitoring-alarms")
    try:
        pipeline.ensure_loaded()
    except DatabaseError:  # the database not up yet: the first batch loads them (and retries)
        log.warning("monitoring ingest: sensors not loaded before subscribing (database unavailable)")
        close_old_connections()


def freeze_heap() -> None:
    """In a process of its own (``yingji ingest``), once warmed up: what is loaded then lives as
    long as the process (the code, the URL configuration with its API schemas, the sensors), so it
    is moved out of the garbage collector's sight. A full collection otherwise walked all of it —
    300 ms with the readings behind it waiting, twice in one benchmark run at 20,000 readings/s,
    to free a few hundred objects: the ingest benchmark's alarm p99 tail (docs/performance.md)."""
    gc.collect()
    gc.freeze()


_collection_started: list[float] = []


def _on_collection(phase: str, info: dict) -> None:
    if phase == "start":
        _collection_started[:] = [time.perf_counter()]
    elif _collection_started:
        took = time.perf_counter() - _collection_started.pop()
        if took >= SLOW_BATCH_S / 5:
            log.warning("garbage collection of generation %d paused the process %.0f ms (%d objects freed)",
                        info["generation"], took * 1000, info["collected"])


def watch_collections() -> None:
    """Log each garbage collection long enough to delay the readings behind it (a fifth of the
    slow-batch threshold, 50 ms by default): a full collection walks every object of the process."""
    if _on_collection not in gc.callbacks:
        gc.callbacks.append(_on_collection)


def periodic(pipeline, now: float | None = None) -> None:
    """Every few seconds, beside the storing: the stale sweep and escalation."""
    pipeline.sweep(now)
    alarms.escalate_due()


def maintain() -> None:
    """The month partitions ahead (PostgreSQL), the hourly roll-up and retention."""
    partitions.ensure_partitions()
    series.rollup()
    series.prune()


def start_maintenance(stop: threading.Event) -> threading.Thread:
    """:func:`maintain` now and every 10 minutes on a thread of its own. Each roll-up re-reads the
    readings from two hours before its watermark (late readings) — at 20,000 readings/s some
    hundred million rows — and on the storing thread every reading would wait for it."""
    return run_periodically("yingji-monitoring-maintenance", MAINTENANCE_EVERY_S, maintain, stop)
