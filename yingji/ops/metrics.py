"""``/metrics``: Prometheus text format, through ``prometheus_client``.

Two kinds of figures:

* counted in the process (``core.metrics``): readings handled by ingest, ingest batch time, alarm
  latency, HTTP request durations. Under ``yingji serve --workers N`` every worker writes them to
  ``PROMETHEUS_MULTIPROC_DIR`` and a scrape adds all workers up. A separate ``yingji ingest``
  process serves its own on ``--metrics-port``.
* read from the database at scrape time (:class:`DatabaseCollector`), the same whichever process
  answers: background task runs by state and the age of the oldest due task (queue lag), the age of the
  newest stored reading (ingest lag), open alarms by level, live events not yet a second old.
"""

from __future__ import annotations

import ipaddress
import os
import time

from django.db.models import Count, Max
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from yingji.jobs import selectors as task_selectors
from yingji.monitoring.models import Alarm, LatestValue

DEFAULT_ALLOWED = "127.0.0.1/8,::1/128"


class DatabaseCollector:
    """Figures every process reads the same from the database."""

    def collect(self):
        now = timezone.now()
        depth = GaugeMetricFamily("yingji_jobs", "Background task runs by state", labels=["status"])
        for status, count in task_selectors.counts_by_status().items():
            depth.add_metric([status], count)
        yield depth
        yield GaugeMetricFamily("yingji_jobs_lag_seconds", "Age of the oldest task that is due and still waiting "
                                "(0: the queue keeps up)", value=task_selectors.lag_seconds(now))
        newest = LatestValue.objects.aggregate(m=Max("t"))["m"]
        yield GaugeMetricFamily("yingji_ingest_lag_seconds", "Age of the newest stored sensor reading "
                                "(grows when ingest stops or falls behind)",
                                value=max(0.0, time.time() - newest / 1000.0) if newest else float("nan"))
        open_alarms = GaugeMetricFamily("yingji_alarms_open", "Open alarms by level (1 red … 4 blue)", labels=["level"])
        levels = dict(Alarm.objects.filter(is_open=True).values_list("level").annotate(n=Count("id")))
        for level in (1, 2, 3, 4):
            open_alarms.add_metric([str(level)], levels.get(level, 0))
        yield open_alarms


def registry() -> CollectorRegistry:
    """The scrape's registry: this process's (or all workers') counters plus the database figures."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        scrape = CollectorRegistry()
        MultiProcessCollector(scrape)
    else:
        scrape = CollectorRegistry()
        scrape.register(_Forward(REGISTRY))
    scrape.register(DatabaseCollector())
    return scrape


class _Forward:
    """The process's default registry as one collector of the scrape registry."""

    def __init__(self, source):
        self.source = source

    def collect(self):
        return self.source.collect()


def allowed(address: str) -> bool:
    """``YINGJI_METRICS_ALLOWED``: networks that may scrape (default: this machine only)."""
    networks = os.environ.get("YINGJI_METRICS_ALLOWED", DEFAULT_ALLOWED)
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for net in networks.split(","):
        net = net.strip()
        if net and ip in ipaddress.ip_network(net, strict=False):
            return True
    return False


def metrics_view(request):
    if not allowed(request.META.get("REMOTE_ADDR", "")):
        return JsonResponse({"error": {"code": "forbidden", "message": "该地址无权读取运行指标（YINGJI_METRICS_ALLOWED）",
                                       "fields": {}}}, status=403)
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
