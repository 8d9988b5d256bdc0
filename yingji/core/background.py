"""Start the background work of a process: the job worker and each app's background services."""

from __future__ import annotations

import os
import threading

from yingji.jobs.services import start_in_process_worker

from .apps import yingji_apps


def start_background(include_jobs: bool = True) -> threading.Event:
    """Embedded mode (``yingji serve``/``demo``): the task worker thread (the database backend's
    worker, ``jobs.services``) and every app's
    ``YingjiAppConfig.start_background``; ``yingji worker`` passes ``include_jobs=False`` and
    runs the queue itself. ``YINGJI_BACKGROUND=0`` leaves the apps' services out."""
    stop = start_in_process_worker() if include_jobs else threading.Event()
    if os.environ.get("YINGJI_BACKGROUND", "1") == "1":
        for config in yingji_apps():
            config.start_background(stop)
    return stop
