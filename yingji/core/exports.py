"""Registry exports too large to answer in the request: built by a background task with progress.

Up to ``YINGJI_EXPORT_SYNC_LIMIT`` rows (default 20,000, a few seconds) the file is answered in the
request as before. A larger export (e.g. hundreds of thousands of subscribers) is queued
(``run_export_job``, ``jobs.services``): the console shows a progress bar that moves with the rows written
(``jobs.progress``, live events on the ``progress`` channel) and ends with a summary — rows, size,
time — and the download link. The file is kept under ``YINGJI_DATA_DIR/exports/`` for
``KEEP_HOURS`` and only the user who asked for it may download it. The export is of exactly what the
user's scope and filter showed when it was asked for, and is audited like any export.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from yingji.jobs.models import TaskRun
from yingji.jobs.progress import Tracker
from yingji.jobs.services import current_run, enqueue, task

from .errors import NotFound
from .records import log_event
from .registry import REGISTRIES, Registry
from .tabular import EXPORT_FORMATS, check_format, export, export_for

KEEP_HOURS = 24


def sync_limit() -> int:
    return int(os.environ.get("YINGJI_EXPORT_SYNC_LIMIT", "20000"))


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "exports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start_export(user, registry: Registry, params: dict, fmt: str):
    """The file now — ``(content, content_type, filename)`` — or, for a large export, its queued ``TaskRun``."""
    check_format(fmt)
    count = registry.filtered(user, params).count()
    if count <= sync_limit():
        return export_for(user, registry, params, fmt)
    return enqueue(run_export_job, {"user": user.pk, "registry": registry.key, "params": dict(params), "format": fmt,
                                    "rows": count}, division_code=user.region_code)


@task("导出登记数据", max_attempts=1)
def run_export_job(payload: dict) -> None:
    prune()  # files of earlier exports past their keeping time
    job = current_run()
    user = get_user_model().objects.get(pk=payload["user"])
    registry = REGISTRIES[payload["registry"]]
    fmt = payload["format"]
    queryset = registry.filtered(user, payload["params"])
    total = queryset.count()
    started = time.monotonic()
    tracker = Tracker(job, total=total, text=f"正在导出{registry.label}……")
    content, _, filename = export(registry, queryset, fmt,
                                  progress=lambda done: tracker.set(done, f"已写出 {done:,} / {total:,} 条"))
    path = _folder() / f"{job.pk if job else 0}.{fmt}"
    path.write_bytes(content)
    log_event(user, "export", None, model_label=registry.model._meta.label,
              note=f"导出{registry.label} {total} 条（{fmt}，后台）", division_code=user.region_code)
    seconds = round(time.monotonic() - started, 2)
    size_kb = max(1, round(len(content) / 1024))
    tracker.finish(text=f"导出完成：{registry.label}共 {total:,} 条，文件 {size_kb:,} KB，用时 {seconds} 秒",
                   result={"filename": filename, "format": fmt, "rows": total, "size": len(content), "seconds": seconds,
                           "user": user.pk, "registry": registry.key, "label": registry.label})


def job_of(user, job_id: int) -> TaskRun:
    """An export run of this user (nobody else sees or downloads it)."""
    job = TaskRun.objects.filter(pk=job_id, task_path=run_export_job.module_path, payload__user=user.pk).first()
    if job is None:
        raise NotFound("导出任务不存在")
    return job


def download(user, job_id: int) -> tuple[bytes, str, str]:
    job = job_of(user, job_id)
    if job.status != "done":
        raise NotFound("导出尚未完成")
    path = _folder() / f"{job.pk}.{job.result['format']}"
    if not path.exists():
        raise NotFound(f"导出文件已过期（保留 {KEEP_HOURS} 小时），请重新导出")
    return path.read_bytes(), EXPORT_FORMATS[job.result["format"]], job.result["filename"]


def prune(now=None) -> int:
    """Delete export files older than KEEP_HOURS."""
    cutoff = (now or timezone.now()).timestamp() - dt.timedelta(hours=KEEP_HOURS).total_seconds()
    removed = 0
    for path in _folder().glob("*.*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
