"""Background sending: one loop per channel claims due deliveries, sends them through the
channel's adapter within the channel's rate limit, and records each recipient's status.

* Claiming is a lease: rows move ``queued`` → ``sending`` with ``locked_until``; a worker that
  dies leaves rows whose lease expires, and they are queued again (several worker processes
  can share the table).
* A temporary failure is retried with exponential back-off (``retry_base_seconds × 2^(n-1)``,
  at most one hour) until ``max_attempts``; then the delivery is ``failed``.
* A delivery is only sent while its warning is published (not lifted or superseded):
  cancelling flips the still-queued rows to ``cancelled`` and they are never claimed.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections import defaultdict

from django.db import close_old_connections, transaction
from django.utils import timezone

from yingji.live.services import publish as live_publish

from . import batches
from .channels import ADAPTERS, Outcome
from .models import CHANNELS, ChannelConfig, Delivery, Warning

log = logging.getLogger(__name__)
LEASE = dt.timedelta(minutes=2)
MAX_BACKOFF_S = 3600
DISPATCHED_CHANNELS = ("sms", "broadcast", "email")
CHANNEL_LABELS = dict(CHANNELS)


def backoff_seconds(config: ChannelConfig, attempts: int) -> float:
    return min(config.retry_base_seconds * 2 ** max(attempts - 1, 0), MAX_BACKOFF_S)


class RateLimiter:
    """Token bucket: at most ``rate`` sends per second on average, bursts up to ``burst``."""

    def __init__(self, rate: float, burst: float | None = None, clock=time.monotonic, sleep=time.sleep):
        self.rate = rate
        self.burst = burst or max(rate, 1.0)
        self.clock, self.sleep = clock, sleep
        self.tokens = self.burst
        self.last = clock()

    def _refill(self) -> None:
        now = self.clock()
        self.tokens = min(self.burst, self.tokens + (now - self.last) * self.rate)
        self.last = now

    def acquire(self, wanted: int) -> int:
        """Wait until at least one token is there; take up to ``wanted``. Returns how many."""
        self._refill()
        if self.tokens < 1:
            self.sleep((1 - self.tokens) / self.rate)
            self._refill()
        granted = max(1, min(wanted, int(self.tokens)))
        self.tokens -= granted
        return granted


def release_expired_leases(now=None) -> int:
    now = now or timezone.now()
    return Delivery.objects.filter(status="sending", locked_until__lt=now).update(status="queued", locked_until=None)


def _take(channel: str, limit: int, now) -> list[int]:
    with transaction.atomic():
        due = (Delivery.objects.select_for_update(skip_locked=True)
               .filter(channel=channel, status="queued", next_attempt_at__lte=now)
               .order_by("next_attempt_at", "id").values_list("id", flat=True)[:limit])
        ids = list(due)
        if ids:
            Delivery.objects.filter(id__in=ids, status="queued").update(status="sending", locked_until=now + LEASE)
    return ids


def claim(channel: str, limit: int, now=None) -> list[Delivery]:
    """Lease up to ``limit`` due deliveries of ``channel``; when fewer are queued, the next batches
    of listed recipients (``batches``) are turned into deliveries first."""
    now = now or timezone.now()
    ids = _take(channel, limit, now)
    if len(ids) < limit and batches.expand(channel, limit - len(ids), now):
        ids += _take(channel, limit - len(ids), now)
    if not ids:
        return []
    return list(Delivery.objects.filter(id__in=ids, status="sending").order_by("id"))


def _record(config: ChannelConfig, deliveries: list[Delivery], outcomes: list[Outcome]) -> dict[str, int]:
    now = timezone.now()
    by_id = {d.pk: d for d in deliveries}
    groups: dict[tuple, list[int]] = defaultdict(list)
    counts: dict[str, int] = defaultdict(int)
    for outcome in outcomes:
        delivery = by_id[outcome.delivery_id]
        attempts = delivery.attempts + 1
        status = outcome.status
        if status == "retry" and attempts >= config.max_attempts:
            status = "failed"
        counts[status] += 1
        groups[(status, attempts, outcome.error, outcome.external_id)].append(delivery.pk)
    with transaction.atomic():
        for (status, attempts, error, external_id), ids in groups.items():
            fields = {"attempts": attempts, "last_error": error, "locked_until": None}
            if external_id:
                fields["external_id"] = external_id
            if status == "retry":
                fields.update(status="queued", next_attempt_at=now + dt.timedelta(seconds=backoff_seconds(config, attempts)))
            else:
                fields["status"] = status
                if status in ("sent", "delivered"):
                    fields["sent_at"] = now
                if status == "delivered":
                    fields["delivered_at"] = now
            Delivery.objects.filter(id__in=ids, status="sending").update(**fields)
    return dict(counts)


def _config(channel: str) -> ChannelConfig | None:
    return ChannelConfig.objects.filter(channel=channel, enabled=True).first()


def dispatch_once(channel: str, limit: int | None = None, config: ChannelConfig | None = None) -> dict[str, int]:
    """Claim and send one batch of due deliveries of ``channel``; per-status counts."""
    config = config or _config(channel)
    if config is None:
        return {}
    batch = claim(channel, limit or config.batch_size)
    if not batch:
        return {}
    adapter = ADAPTERS[channel]
    totals: dict[str, int] = defaultdict(int)
    by_warning: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in batch:
        by_warning[delivery.warning_id].append(delivery)
    warnings = Warning.objects.in_bulk(list(by_warning))
    for warning_id, deliveries in by_warning.items():
        try:
            outcomes = adapter.send(config, warnings[warning_id], deliveries)
        except Exception:  # noqa: BLE001 - an adapter bug must not lose the batch: retry it
            log.exception("channel %s failed", channel)
            outcomes = [Outcome(d.pk, "retry", "发送程序出错（详情见系统日志），稍后重试") for d in deliveries]
        counts = _record(config, deliveries, outcomes)
        if counts.get("retry") or counts.get("failed"):
            _tell_publisher(warnings[warning_id], channel, outcomes)
        for status, count in counts.items():
            totals[status] += count
    return dict(totals)


_TOLD: dict[tuple[int, str], float] = {}
TELL_EVERY_S = 30.0


def _tell_publisher(warning: Warning, channel: str, outcomes: list[Outcome]) -> None:
    """A live event for the warning's page when a batch failed (at most every 30 s per channel):
    the page shows the error without being reloaded."""
    now = time.monotonic()
    if now - _TOLD.get((warning.pk, channel), -TELL_EVERY_S) < TELL_EVERY_S:
        return
    _TOLD[(warning.pk, channel)] = now
    reason = next((o.error for o in outcomes if o.error), "原因不明")
    live_publish("warnings", "delivery_problem", {"id": warning.pk, "channel": channel,
                                                  "text": f"{warning.title}：{CHANNEL_LABELS[channel]}发送出错：{reason}"},
                 warning.division_code)


def drain(channel: str, timeout: float = 30.0) -> dict[str, int]:
    """Send everything of ``channel`` that is due now (tests, CLI, benchmark)."""
    totals: dict[str, int] = defaultdict(int)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        counts = dispatch_once(channel)
        if not counts:
            break
        for status, count in counts.items():
            totals[status] += count
    return dict(totals)


def channel_loop(channel: str, stop: threading.Event, idle_sleep: float = 1.0) -> None:
    """Send ``channel`` forever within its rate limit (one thread per channel)."""
    limiter: RateLimiter | None = None
    while not stop.is_set():
        close_old_connections()
        try:
            config = _config(channel)
            if config is None:
                stop.wait(idle_sleep * 5)
                continue
            if limiter is None or limiter.rate != config.rate_per_second:
                limiter = RateLimiter(config.rate_per_second)
            release_expired_leases()
            granted = limiter.acquire(config.batch_size)
            counts = dispatch_once(channel, limit=granted, config=config)
        except Exception:  # noqa: BLE001 - keep the sender alive
            log.exception("dispatch loop for %s failed", channel)
            counts = {}
        if not counts:
            stop.wait(idle_sleep)


def start_senders(stop: threading.Event) -> list[threading.Thread]:
    threads = []
    for channel in DISPATCHED_CHANNELS:
        thread = threading.Thread(target=channel_loop, args=(channel, stop), name=f"yingji-warnings-{channel}", daemon=True)
        thread.start()
        threads.append(thread)
    return threads
