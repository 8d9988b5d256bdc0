"""Import batches of every registry: small files are imported in the request; large ones as a background task
(``jobs.services``, Django's Tasks interface) with progress the page polls.

Progress cannot live in the database: the import runs in ONE transaction (all or nothing) and
on SQLite a second writer would wait for it. The worker therefore writes progress to a small
JSON file under ``YINGJI_DATA_DIR/imports/`` (replaced atomically); status, totals and errors are
stored on the ``ImportBatch`` row once the transaction has ended. In scaled mode the web and
worker processes must share ``YINGJI_DATA_DIR`` for the percentage to show (the status shows
either way).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from yingji.jobs.services import enqueue, task

from . import capabilities, importer, scope
from .errors import NotFound, ServiceError, ValidationFailed
from .models import ImportBatch
from .registry import REGISTRIES
from .upload_limits import check_spreadsheet

SYNC_LIMIT_BYTES = 150_000  # about 1,500 rows: answered in the request


def registry_for(key: str):
    registry = REGISTRIES.get(key)
    if registry is None:
        raise NotFound(f"登记类别“{key}”不存在")
    return registry


def _progress_path(batch_id: int) -> Path:
    folder = Path(settings.DATA_DIR) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{batch_id}.json"


def _write_progress(batch_id: int, done: int, total: int) -> None:
    path = _progress_path(batch_id)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"done": done, "total": total}))
    os.replace(tmp, path)


def start_import(user, key: str, content: bytes, filename: str, *, dry_run: bool = False,
                 background: bool | None = None) -> ImportBatch:
    """Record an upload and import it now (small files) or as a background task (large files)."""
    registry = registry_for(key)
    scope.check_can_create(registry.model, user)
    if not content:
        raise ValidationFailed("请选择要上传的文件", fields={"file": ["未选择文件"]})
    check_spreadsheet(content, filename)  # size, zip bomb: refused before anything is stored
    if not filename.lower().endswith((".xlsx", ".csv")):
        raise ValidationFailed("请上传 .xlsx 或 .csv 文件（.xls 请先在 Excel 中另存为 .xlsx）", fields={"file": ["格式不支持"]})
    batch = ImportBatch.objects.create(registry=key, filename=filename[:200], user=user, content=content, dry_run=dry_run)
    if background is None:
        background = len(content) > SYNC_LIMIT_BYTES
    if background:
        enqueue(run_import_job, {"batch": batch.pk})
    else:
        process(batch)
        batch.refresh_from_db()
    return batch


def process(batch: ImportBatch) -> None:
    registry = registry_for(batch.registry)
    ImportBatch.objects.filter(pk=batch.pk).update(status="running")
    started = time.monotonic()
    try:
        result = importer.run_import(batch.user, registry, bytes(batch.content), batch.filename, dry_run=batch.dry_run,
                                     progress=lambda done, total: _write_progress(batch.pk, done, total))
        outcome = result.as_dict()
        status = "done"
    except ServiceError as exc:
        outcome = {"registry": batch.registry, "ok": False, "dry_run": batch.dry_run, "total": 0, "created": 0,
                   "updated": 0, "error_count": 1, "summary": f"导入失败：{exc.message}",
                   "errors": [importer.RowError(0, "", "", exc.message).as_dict()]}
        status = "failed"
    outcome["seconds"] = round(time.monotonic() - started, 2)  # the summary says how long it took
    ImportBatch.objects.filter(pk=batch.pk).update(status=status, result=outcome, total_rows=outcome["total"],
                                                   finished_at=timezone.now(), content=b"")
    _progress_path(batch.pk).unlink(missing_ok=True)


@task("导入表格", max_attempts=1)  # all or nothing: a failed import is reported, not repeated
def run_import_job(payload: dict) -> None:
    batch = ImportBatch.objects.select_related("user").filter(pk=payload.get("batch"), status="queued").first()
    if batch is not None:
        process(batch)


def batch_for(user, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(pk=batch_id).first()
    if batch is None or (batch.user_id != user.pk and not capabilities.has(user, "imports.view_others")):
        raise NotFound("导入记录不存在")
    return batch


def status_of(batch: ImportBatch) -> dict:
    data = {"id": batch.pk, "registry": batch.registry, "filename": batch.filename, "status": batch.status,
            "status_label": batch.get_status_display(), "dry_run": batch.dry_run, "done": 0, "total": batch.total_rows,
            "result": batch.result}
    if batch.status in ("queued", "running"):
        path = _progress_path(batch.pk)
        try:
            data.update(json.loads(path.read_text()))
        except (OSError, ValueError):
            pass
        data["text"] = (f"已处理 {data['done']:,} / {data['total']:,} 行（全部通过校验后一次写入）" if data["total"]
                        else "排队等待后台处理……" if batch.status == "queued" else "正在读取文件……")
    elif batch.result:
        data["done"] = data["total"] = batch.result.get("total", 0)
    return data
