"""The report documents (.docx / PDF) of the console, generated on the job queue with progress
(as ``core.exports`` does for large exports): the link queues the job and opens its page, whose bar
moves through the steps (``jobs.progress`` → live events on the ``progress`` channel) and ends with
a summary and the download. The file is kept under ``YINGJI_DATA_DIR/documents/`` for
``KEEP_HOURS``; only the user who asked may download it, and only while the report is still visible
to them. The API (``/api/v1/incidents/reports/{id}/document``) still answers in the request."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.records import log_event
from yingji.jobs.models import Job
from yingji.jobs.progress import Tracker
from yingji.jobs.services import current_job, enqueue, handler

from . import documents
from .models import IncidentReport

JOB_KIND = "incidents.document"
KEEP_HOURS = 24
FORMATS = {"docx": ("Word", "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
           "pdf": ("PDF", "application/pdf")}


def _folder() -> Path:
    folder = Path(settings.DATA_DIR) / "documents"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def start(user, report: IncidentReport, fmt: str) -> Job:
    """Queue the document of a report the caller may see (checked by the caller's look-up)."""
    if fmt not in FORMATS:
        raise ValidationFailed("文档格式应为 Word（docx）或 PDF", fields={"format": ["docx 或 pdf"]})
    return enqueue(JOB_KIND, {"user": user.pk, "report": report.pk, "format": fmt}, max_attempts=1,
                   division_code=report.division_code)


@handler(JOB_KIND)
def run_document_job(payload: dict) -> None:
    prune()
    job = current_job()
    user = get_user_model().objects.get(pk=payload["user"])
    fmt = payload["format"]
    label = FORMATS[fmt][0]
    started = time.monotonic()
    tracker = Tracker(job, total=3, text="正在读取报告……")
    report = IncidentReport.objects.select_related("incident").get(pk=payload["report"])
    tracker.advance(text=f"正在生成{label}文档：{documents.document_title(report)}")
    content = documents.build_pdf(report) if fmt == "pdf" else documents.build_docx(report)
    tracker.advance(text="正在保存文件……")
    (_folder() / f"{job.pk if job else 0}.{fmt}").write_bytes(content)
    log_event(user, "export", report, note=f"生成{documents.document_title(report)}（{label}，后台）")
    seconds = round(time.monotonic() - started, 2)
    name = documents.filename(report, fmt)
    tracker.finish(text=f"已生成{label}文档《{documents.document_title(report)}》，{max(1, round(len(content) / 1024)):,} KB，"
                        f"用时 {seconds} 秒",
                   result={"filename": name, "format": fmt, "size": len(content), "seconds": seconds,
                           "report": report.pk, "incident": report.incident_id})


def job_of(user, job_id: int) -> Job:
    job = Job.objects.filter(pk=job_id, kind=JOB_KIND, payload__user=user.pk).first()
    if job is None:
        raise NotFound("文档生成任务不存在")
    return job


def download(user, job_id: int, report_visible) -> tuple[bytes, str, str]:
    """``report_visible(report_id)`` raises when the caller may no longer see the report."""
    job = job_of(user, job_id)
    if job.status != "done":
        raise NotFound("文档尚未生成完成")
    report_visible(job.result["report"])
    path = _folder() / f"{job.pk}.{job.result['format']}"
    if not path.exists():
        raise NotFound(f"文档已过期（保留 {KEEP_HOURS} 小时），请重新生成")
    return path.read_bytes(), FORMATS[job.result["format"]][1], job.result["filename"]


def prune(now=None) -> int:
    cutoff = (now or timezone.now()).timestamp() - dt.timedelta(hours=KEEP_HOURS).total_seconds()
    removed = 0
    for path in _folder().glob("*.*"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed += 1
    return removed
