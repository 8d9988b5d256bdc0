"""Prometheus metrics of every process (``prometheus_client``, the maintained client library).

Counters and histograms live here, in the floor, so that the apps that do the work (ingest in
``monitoring``, the HTTP middleware) count into them; ``ops.metrics`` serves them at ``/metrics``
together with figures read from the database at scrape time (queue depth, lag, open alarms).

With several web processes (``yingji serve --workers N``) ``PROMETHEUS_MULTIPROC_DIR`` is set by
the server before the workers start and every worker writes its values there; the scrape adds
them up (``prometheus_client.multiprocess``), so one scrape of any worker shows the whole server.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

# Latency buckets (seconds) fine enough to read a p99 of 0.3 s or 1 s.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.5, 5.0, 10.0, 30.0)

INGEST_READINGS = Counter(
    "yingji_ingest_readings", "Readings handled by the ingest pipeline, by outcome "
    "(stored; duplicate: delivered again, stored once; quarantined)", ["outcome"])
INGEST_BATCH_SECONDS = Histogram(
    "yingji_ingest_batch_seconds", "Time to store and evaluate one ingest batch (one transaction)",
    buckets=LATENCY_BUCKETS)
ALARM_LATENCY = Histogram(
    "yingji_alarm_latency_seconds", "From the time a reading was taken to its alarm (raised or level "
    "changed) committed and published", buckets=LATENCY_BUCKETS)
HTTP_LATENCY = Histogram(
    "yingji_http_request_duration_seconds", "HTTP request duration by route (the URL pattern, not the "
    "path) and status class", ["method", "route", "status"], buckets=LATENCY_BUCKETS)
