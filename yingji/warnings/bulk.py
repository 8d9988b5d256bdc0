"""Targeting a published warning — building its delivery list — in the request or in the background.

A warning whose area holds at most ``YINGJI_TARGETING_SYNC_LIMIT`` public subscribers (default
10,000; about 0.1 s of SQL) is targeted inside the publishing transaction, as before. A larger one
(a city-wide warning to 1.2 M subscribers takes seconds) is published at once and targeted by a
background task (``jobs.services``), step by step: the subscribers in id ranges of ``CHUNK`` ids, then the officials, officers
and endpoints, each step in its own transaction. Every step is an ``INSERT … SELECT … ON CONFLICT DO
NOTHING``, so a run that dies is resumed by the job's retry without sending anyone a message twice,
and the channel senders start on the first recipients while the rest are still being listed.

The page shows the progress live (``live.progress``) and, at the end, the summary kept on
``Warning.dissemination["targeting"]``: recipients by group counted from the delivery records, how
long it took, and any error. If the warning is lifted, superseded or stopped while the list is being
built, the run stops and what it queued is cancelled.
"""

from __future__ import annotations

import datetime as dt
import logging
import os

from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from yingji.jobs.services import current_run, enqueue, task
from yingji.jobs.progress import Tracker
from yingji.live.services import publish as live_publish
from yingji.rules import warning_workflow as wf

from . import batches, dissemination
from .models import Delivery, Warning

log = logging.getLogger(__name__)
CHUNK = 25_000  # subscriber ids per step of a background run (1.2 M: 48 steps, a smooth bar)
GROUP_LABELS = {"public": "公众", "official": "平台用户", "officer": "信息员", "endpoint": "终端与网站"}


def sync_limit() -> int:
    return int(os.environ.get("YINGJI_TARGETING_SYNC_LIMIT", "10000"))


def start(warning: Warning, now: dt.datetime) -> None:
    """Called by publishing inside its transaction (the warning row is locked and saved after):
    records the channels that cannot send, then targets now or queues the background run."""
    state = {"skipped": dissemination.skipped_channels(warning)}
    estimate = dissemination.estimate_public(warning)
    if estimate <= sync_limit():
        counts = dissemination.queue_for(warning)
        finished = timezone.now()
        state["targeting"] = {"mode": "sync", "status": "done", "counts": counts, "total": sum(counts.values()),
                              "started": now.isoformat(), "finished": finished.isoformat(),
                              "seconds": round(max((finished - now).total_seconds(), 0), 2)}
    else:
        job = enqueue(run, {"warning": warning.pk}, division_code=warning.division_code)
        state["targeting"] = {"mode": "background", "status": "queued", "job": job.pk, "estimate": estimate}
    warning.dissemination = state


def _save(warning_id: int, **targeting) -> dict:
    """Merge ``targeting`` into the warning's record (a system write of derived data)."""
    with transaction.atomic():
        row = Warning.objects.select_for_update().only("dissemination").get(pk=warning_id)
        state = dict(row.dissemination or {})
        state["targeting"] = {**state.get("targeting", {}), **targeting}
        Warning.objects.filter(pk=warning_id).update(dissemination=state)
    return state["targeting"]


def counts_of(warning_id: int) -> dict[str, int]:
    """Recipients by group as the delivery records say (true also after a resumed run)."""
    counts = {group: 0 for group in GROUP_LABELS}
    for row in Delivery.objects.filter(warning_id=warning_id).values("recipient_kind").annotate(n=Count("id")):
        counts[row["recipient_kind"]] = row["n"]
    for row in batches.unsent(warning_id):  # listed in batches, not yet handed to a sender
        counts[row["recipient_kind"]] += row["n"]
    return counts


def summary_text(targeting: dict) -> str:
    """One line for the page: who was listed, how many, how long it took."""
    counts = targeting.get("counts") or {}
    parts = [f"{GROUP_LABELS[g]} {counts.get(g, 0):,} 条" for g in GROUP_LABELS if counts.get(g)]
    total = targeting.get("total", sum(counts.values()))
    where = "后台生成" if targeting.get("mode") == "background" else "发布时生成"
    return f"共 {total:,} 条投递（{'、'.join(parts) or '无接收对象'}），用时 {targeting.get('seconds', 0)} 秒（{where}）"


def _still_published(warning_id: int) -> bool:
    """Still to be sent: published, and not stopped by 停止发送 (which marks the run stopped)."""
    row = Warning.objects.filter(pk=warning_id).values("state", "dissemination").first()
    return bool(row and row["state"] == wf.PUBLISHED
                and ((row["dissemination"] or {}).get("targeting") or {}).get("status") != "stopped")


def stop(warning: Warning) -> None:
    """停止发送 while the list is still being built: the background run stops at its next step."""
    if ((warning.dissemination or {}).get("targeting") or {}).get("status") in ("queued", "running", "retrying"):
        _save(warning.pk, status="stopped", error="已停止发送，停止生成投递名单")


@task("生成预警投递名单", max_attempts=3)  # a failed step is resumed by the retry (every step is idempotent)
def run(payload: dict) -> None:
    warning = Warning.objects.filter(pk=payload.get("warning")).first()
    if warning is None or ((warning.dissemination or {}).get("targeting") or {}).get("status") in ("done", "stopped"):
        return
    job = current_run()
    started = (job.started_at if job is not None and job.started_at else timezone.now())
    steps = dissemination.steps_for(warning, chunk=CHUNK)
    tracker = Tracker(job, total=len(steps), text="正在生成投递名单……")
    _save(warning.pk, status="running", started=started.isoformat(), steps=len(steps), error="")
    queued = 0
    try:
        for index, (_group, step) in enumerate(steps, start=1):
            if not _still_published(warning.pk):
                return _stop(warning, tracker, started)
            with transaction.atomic():
                queued += step()
            tracker.advance(text=f"已生成 {queued:,} 条投递（第 {index}/{len(steps)} 步）")
    except Exception:
        log.exception("targeting warning %s failed", warning.pk)
        final = job is None or job.is_last_attempt
        attempts = job.attempts if job is not None else 1
        error = (f"生成投递名单出错，已尝试 {attempts} 次仍失败；已生成的投递照常发送，请联系系统管理员（详情见系统日志）"
                 if final else
                 f"第 {attempts} 次生成投递名单出错，系统将自动重试（最多 {job.max_attempts} 次，详情见系统日志）")
        _save(warning.pk, status="failed" if final else "retrying", error=error)
        if final:
            tracker.fail(error)
        raise
    finished = timezone.now()
    counts = counts_of(warning.pk)
    targeting = _save(warning.pk, status="done", counts=counts, total=sum(counts.values()), finished=finished.isoformat(),
                      seconds=round((finished - started).total_seconds(), 2))
    text = "投递名单已生成：" + summary_text(targeting)
    tracker.finish(text=text, result=targeting)
    live_publish("warnings", "targeted", {"id": warning.pk, "text": f"{warning.title}：{text}"}, warning.division_code)
    if not _still_published(warning.pk):  # lifted or stopped during the last step
        dissemination.cancel_pending(warning)


def _stop(warning: Warning, tracker: Tracker, started) -> None:
    cancelled = dissemination.cancel_pending(warning)
    finished = timezone.now()
    counts = counts_of(warning.pk)
    text = f"预警已解除、更新或停止发送，停止生成投递名单（已取消 {cancelled:,} 条未发送的投递）"
    _save(warning.pk, status="stopped", counts=counts, total=sum(counts.values()), finished=finished.isoformat(),
          seconds=round((finished - started).total_seconds(), 2), error=text)
    tracker.finish(text=text)
