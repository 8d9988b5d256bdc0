"""``yingji simulate sensors``: realistic readings for the (synthetic) demo sensors.

Each sensor follows its own baseline (inside its normal band, from its thresholds) with a
daily cycle, a slow random walk and noise, reported at its interval. Excursions come at a
realistic rate — on average one every ``excursion_every`` seconds (default 15 minutes, so a
few an hour), at random (exponential) intervals — and mostly at the lowest level: 四级 60 %,
三级 25 %, 二级 12 %, 一级 3 % of them. A sensor is driven just past the threshold of that
level for a few readings and then recovers. Some kinds are capped where a higher level would be
a real catastrophe in a demo: ground-motion (PGA) sensors only ever reach 四级 (≈10 gal, a
lightly felt tremor), never the 180 gal of an intensity-VIII earthquake.
``Simulator.start_excursion()`` without a level still cycles 四级 → 一级 for tests and drills.

Transports: MQTT gateway batches per county (``yingji/<division6>/gateway/sim-<division6>/batch``,
QoS 1); HTTP batches to ``/api/v1/ingest/`` with a device token; or, inside the platform's
own process (``yingji demo`` without a broker), straight into the ingest pipeline.
"""

from __future__ import annotations

import json
import logging
import math
import os
import random
import threading
import time
import urllib.request
from dataclasses import dataclass, field

from django.db import close_old_connections

from yingji.core.links import api_url

from .ingest import now_ms, pipeline
from .models import LatestValue, Sensor
from .mqtt import parse_url
from .payloads import gateway_topic, parse_items


log = logging.getLogger(__name__)
EXCURSION_READINGS = 4


# Share of excursions per level, and the highest level a kind may be driven to in the demo.
LEVEL_WEIGHTS = {4: 0.60, 3: 0.25, 2: 0.12, 1: 0.03}
KIND_MAX_SEVERITY = {"intensity": 4}


@dataclass
class SimSensor:
    code: str
    division6: str
    interval_s: float
    base: float
    amplitude: float
    noise: float
    upper: dict
    lower: dict
    phase: float
    walk: float = 0.0
    next_due: float = 0.0
    seq: int = 0  # the last sequence number sent; every reading carries the next one
    kind: str = ""
    excursion: list = field(default_factory=list)

    def value(self, now: float, rng: random.Random) -> float:
        if self.excursion:
            return self.excursion.pop(0)
        self.walk = self.walk * 0.98 + rng.gauss(0, self.noise * 0.3)
        daily = self.amplitude * math.sin(2 * math.pi * (now / 86400.0) + self.phase)
        return round(self.base + daily + self.walk + rng.gauss(0, self.noise), 4)

    def excursion_to(self, level: int, rng: random.Random) -> bool:
        """Queue readings past the threshold of ``level`` (upper if set, else lower)."""
        if level in self.upper:
            limit, sign = self.upper[level], 1
        elif level in self.lower:
            limit, sign = self.lower[level], -1
        else:
            return False
        margin = max(abs(limit) * 0.02, self.noise * 2, 1e-3)
        self.excursion = [round(limit + sign * margin * (1 + rng.random()), 4) for _ in range(EXCURSION_READINGS)]
        return True


def _normal_band(upper: dict, lower: dict) -> tuple[float, float]:
    hi = min(upper.values()) if upper else None
    lo = max(lower.values()) if lower else None
    if hi is not None and lo is not None:
        return lo, hi
    if hi is not None:
        return (0.0 if hi > 0 else hi - abs(hi)), hi
    return lo, lo + max(abs(lo), 1.0)


def build_models(sensors, seed: int = 2109, latest: dict | None = None, seqs: dict | None = None) -> list[SimSensor]:
    """One model per sensor. ``latest`` ({sensor_id: value}) makes each series continue from
    the stored value and drift back to its baseline (no artificial jump at start-up); ``seqs``
    ({sensor_id: seq}) continues the sequence numbers, so a restarted simulator is no gap."""
    rng = random.Random(seed)
    latest = latest or {}
    models = []
    for s in sensors:
        upper, lower = s.upper(), s.lower()
        if not upper and not lower:
            upper = {4: 100.0}
        lo, hi = _normal_band(upper, lower)
        span = max(hi - lo, 1e-6)
        models.append(SimSensor(
            code=s.code, division6=s.division_code[:6], interval_s=float(max(1, s.interval_s)),
            base=lo + span * rng.uniform(0.35, 0.55), amplitude=span * 0.08, noise=span * 0.015,
            upper=upper, lower=lower, phase=rng.uniform(0, 2 * math.pi), kind=s.kind,
            next_due=time.time() + rng.uniform(0, min(5.0, s.interval_s)),
        ))
        if s.pk in latest:
            models[-1].walk = latest[s.pk] - models[-1].base
        models[-1].seq = (seqs or {}).get(s.pk) or 0
    return models


def latest_values(sensors) -> dict:
    return dict(LatestValue.objects.filter(sensor__in=sensors).values_list("sensor_id", "value"))


def latest_seqs(sensors) -> dict:
    return dict(LatestValue.objects.filter(sensor__in=sensors, seq__isnull=False).values_list("sensor_id", "seq"))


class Transport:
    def send(self, division6: str, readings: list[dict]) -> None:
        raise NotImplementedError

    def close(self) -> None:
        pass


class MqttTransport(Transport):
    def __init__(self, url: str, client_id: str = ""):
        # Imported on use: only the MQTT transport needs the client library.
        import paho.mqtt.client as mqtt

        address = parse_url(url)
        self.client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, client_id=client_id or f"yingji-sim-{random.randrange(1 << 30)}",
                                  protocol=mqtt.MQTTv5)
        if address.username:
            self.client.username_pw_set(address.username, address.password)
        self.client.reconnect_delay_set(0.5, 10)
        self.client.connect(address.host, address.port, keepalive=30)
        self.client.loop_start()

    def send(self, division6, readings):
        self.client.publish(gateway_topic(division6, f"sim-{division6}"), json.dumps({"readings": readings}), qos=1)

    def close(self):
        self.client.loop_stop()
        self.client.disconnect()


class HttpTransport(Transport):
    def __init__(self, base_url: str, token: str):
        self.url = base_url.rstrip("/") + api_url("ingest/")
        self.token = token

    def send(self, division6, readings):
        request = urllib.request.Request(self.url, data=json.dumps({"readings": readings}).encode(), method="POST",
                                         headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"})
        try:
            urllib.request.urlopen(request, timeout=10).read()
        except OSError as exc:
            log.warning("HTTP ingest failed: %s", exc)


class LocalTransport(Transport):
    """Inside the platform process: the same pipeline as HTTP ingest, without the socket."""

    def send(self, division6, readings):
        good, bad = parse_items(readings, None, division6, now_ms())
        pipeline().ingest(good, bad, source="local", topic="simulator")


class Simulator:
    def __init__(self, models: list[SimSensor], transport: Transport, *, excursion_every: float = 900.0,
                 seed: int = 2109, speed: float = 1.0):
        self.models = models
        self.transport = transport
        self.excursion_every = excursion_every
        self.rng = random.Random(seed)
        self.speed = speed
        self.next_level = 4
        self.sent = 0
        self.excursions = 0
        self.next_excursion_at: float | None = None
        self.by_level: dict[int, int] = {}

    def start_excursion(self, level: int | None = None) -> SimSensor | None:
        """Drive one sensor past the threshold of ``level`` (default: the next of the cycle)."""
        cycling = level is None
        level = self.next_level if cycling else level
        candidates = [m for m in self.models if (level in m.upper or level in m.lower)
                      and (cycling or level >= KIND_MAX_SEVERITY.get(m.kind, 1))]
        if cycling:
            self.next_level = self.next_level - 1 if self.next_level > 1 else 4
        if not candidates:
            return None
        model = self.rng.choice(candidates)
        model.excursion_to(level, self.rng)
        self.excursions += 1
        self.by_level[level] = self.by_level.get(level, 0) + 1
        return model

    def random_level(self) -> int:
        return self.rng.choices(list(LEVEL_WEIGHTS), weights=list(LEVEL_WEIGHTS.values()))[0]

    def next_gap(self) -> float:
        """Seconds to the next excursion: exponential with mean ``excursion_every``."""
        return self.rng.expovariate(1.0 / self.excursion_every) / self.speed

    def step(self, now: float) -> int:
        """One beat of the simulation at ``now``: maybe start an excursion, then send what is due."""
        if self.excursion_every:
            if self.next_excursion_at is None:
                self.next_excursion_at = now + self.next_gap()
            elif now >= self.next_excursion_at:
                self.start_excursion(self.random_level())
                self.next_excursion_at = now + self.next_gap()
        return self.tick(now)

    def tick(self, now: float) -> int:
        batches: dict[str, list[dict]] = {}
        for model in self.models:
            if model.next_due > now:
                continue
            model.next_due = max(model.next_due + model.interval_s / self.speed, now)
            model.seq += 1
            batches.setdefault(model.division6, []).append(
                {"s": model.code, "t": int(now * 1000), "v": model.value(now, self.rng), "seq": model.seq})
        for division6, readings in batches.items():
            self.transport.send(division6, readings)
        count = sum(len(r) for r in batches.values())
        self.sent += count
        return count

    def run(self, stop: threading.Event, duration: float | None = None) -> None:
        started = time.time()
        while not stop.is_set():
            now = time.time()
            if duration is not None and now - started >= duration:
                break
            try:
                self.step(now)
            except Exception:  # noqa: BLE001 - a simulator keeps simulating
                log.exception("simulator tick failed")
            stop.wait(0.5)
        self.transport.close()


def demo_sensors(synthetic_only: bool = True):
    qs = Sensor.objects.filter(enabled=True)
    return list(qs.filter(is_synthetic=True) if synthetic_only else qs)


def run_embedded(stop: threading.Event, broker: str | None) -> None:
    """Started by ``AppConfig.start_background``: simulate the synthetic demo sensors."""
    if stop.wait(2.0):
        return
    close_old_connections()
    sensors = demo_sensors()
    if not sensors:
        return
    transport = MqttTransport(broker) if broker else LocalTransport()
    every = float(os.environ.get("YINGJI_SIMULATE_EXCURSION_S", "900"))
    models = build_models(sensors, latest=latest_values(sensors), seqs=latest_seqs(sensors))
    Simulator(models, transport, excursion_every=every, seed=int(time.time())).run(stop)

