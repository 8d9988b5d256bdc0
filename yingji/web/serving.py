"""Serve the platform (ASGI, uvicorn) with the embedded background work.

``workers=1`` (default): one process, uvicorn in it, the job worker and the apps' background
services as threads beside it. ``workers=N``: uvicorn's supervisor starts N worker processes
(spawned, each a full Django process) on the one port; the background work runs once, in the
supervising process (not N times), unless ``YINGJI_INPROCESS_WORKER=0`` hands it to separate
``yingji worker`` processes. Live events reach every worker through the database
(``live.hub``); Prometheus values of all workers are added up (``ops.metrics``).
"""

from __future__ import annotations

import os
import shutil
import tempfile

import uvicorn
from django.conf import settings

from yingji.core.background import start_background
from yingji.live.hub import HUB

# Open SSE streams never end by themselves: on SIGTERM/SIGINT uvicorn waits at most this long
# for them, then closes them, so the server stops within a few seconds.
SHUTDOWN_GRACE_S = 3
APP = "yingji.asgi:application"


def serve(host: str, port: int, workers: int = 1) -> None:
    stop = start_background() if os.environ.get("YINGJI_INPROCESS_WORKER", "1") == "1" else None
    try:
        if workers > 1:
            _serve_workers(host, port, workers)
        else:
            _serve_one(host, port)
    finally:
        if stop is not None:
            stop.set()  # background services are told to stop


def _serve_one(host: str, port: int) -> None:
    server = uvicorn.Server(uvicorn.Config(APP, host=host, port=port, log_level="warning", lifespan="off",
                                           timeout_graceful_shutdown=SHUTDOWN_GRACE_S))
    handle_exit = server.handle_exit

    def stop_serving(sig, frame):  # end the open SSE streams first, then uvicorn's own shutdown
        HUB.close_streams()
        handle_exit(sig, frame)

    server.handle_exit = stop_serving
    server.run()


def _serve_workers(host: str, port: int, workers: int) -> None:
    """N uvicorn worker processes; each writes its Prometheus values into one fresh directory
    (``PROMETHEUS_MULTIPROC_DIR``, inherited by the spawned workers) that a scrape adds up."""
    own_dir = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR") or tempfile.mkdtemp(
        prefix="metrics-", dir=settings.DATA_DIR)
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = metrics_dir
    # HTTP ingest may reach any worker: they evaluate a sensor in turn (monitoring.ingest).
    os.environ.setdefault("YINGJI_INGEST_SHARED", "1")
    try:
        uvicorn.run(APP, host=host, port=port, workers=workers, log_level="warning", lifespan="off",
                    timeout_graceful_shutdown=SHUTDOWN_GRACE_S)
    finally:
        if own_dir:
            shutil.rmtree(metrics_dir, ignore_errors=True)
