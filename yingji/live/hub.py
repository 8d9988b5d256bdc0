"""One tailer per web process fans new LiveEvent rows out to the connected SSE clients.

The LiveEvent table is the bus between processes (web, ingest, job workers; on several
machines). How a web process learns that there is something new:

* PostgreSQL: it LISTENs on ``yingji_live``; a trigger on the table notifies on every insert
  (when the writer commits), so an alarm raised by any ingest process reaches every web process
  at once and idle web processes do not poll. A missed notification costs at most
  ``NOTIFY_FALLBACK_S`` (the tailer reads the table at least that often).
* SQLite (embedded, one process): the table is polled every ``services.POLL_SECONDS``.
"""

from __future__ import annotations

import asyncio
import logging

from asgiref.sync import sync_to_async
from django.db import connection

from . import services

log = logging.getLogger(__name__)
CLOSED = object()  # put into every subscriber's queue when the server shuts down
CHANNEL = "yingji_live"
NOTIFY_FALLBACK_S = 2.0


class Listener:
    """A dedicated async PostgreSQL connection LISTENing on ``yingji_live``."""

    def __init__(self) -> None:
        self.conn = None

    async def open(self) -> bool:
        import psycopg

        s = connection.settings_dict
        params = {"dbname": s["NAME"], "user": s.get("USER") or None, "password": s.get("PASSWORD") or None,
                  "host": s.get("HOST") or None, "port": s.get("PORT") or None}
        try:
            self.conn = await psycopg.AsyncConnection.connect(
                autocommit=True, **{k: v for k, v in params.items() if v})
            await self.conn.execute(f"LISTEN {CHANNEL}")
        except Exception:  # noqa: BLE001 - fall back to polling; the next subscribe tries again
            log.exception("LISTEN %s failed; polling the live-event table instead", CHANNEL)
            await self.close()
            return False
        return True

    async def wait(self, timeout: float) -> None:
        """Return at the next notification (or any queued since the last call), or after
        ``timeout`` seconds."""
        async for _ in self.conn.notifies(timeout=timeout, stop_after=1):
            break

    async def close(self) -> None:
        if self.conn is not None:
            try:
                await self.conn.close()
            finally:
                self.conn = None


class Hub:
    def __init__(self) -> None:
        self.subscribers: set[asyncio.Queue] = set()
        self.task: asyncio.Task | None = None
        self.last_id: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.mode = ""  # "notify" or "poll": how the running tailer learns of new events

    def close_streams(self) -> None:
        """The server is stopping: end every open stream now (browsers reconnect elsewhere with
        Last-Event-ID), so that shutdown does not wait for streams that never end. Safe to call
        from a signal handler or another thread."""
        if self.loop is None or self.loop.is_closed():
            return
        for queue in list(self.subscribers):
            self.loop.call_soon_threadsafe(queue.put_nowait, CLOSED)

    async def subscribe(self, after_id: int | None = None) -> asyncio.Queue:
        self.loop = asyncio.get_running_loop()
        queue: asyncio.Queue = asyncio.Queue(maxsize=2001)  # one slot kept for CLOSED
        if after_id is not None:  # a reconnecting client replays what it missed
            for event in await sync_to_async(services.events_after)(after_id):
                queue.put_nowait(event)
        self.subscribers.add(queue)
        if self.task is None or self.task.done():
            self.task = asyncio.ensure_future(self._run())
        return queue

    def unsubscribe(self, queue: asyncio.Queue) -> None:
        self.subscribers.discard(queue)

    async def _run(self) -> None:
        listener = None
        if connection.vendor == "postgresql":
            listener = Listener()
            if not await listener.open():
                listener = None
        self.mode = "notify" if listener else "poll"
        try:
            if self.last_id is None:
                self.last_id = await sync_to_async(services.latest_id)()
            while self.subscribers:
                events = await sync_to_async(services.events_after)(self.last_id)
                for event in events:
                    self.last_id = event.id
                    for queue in list(self.subscribers):
                        if queue.qsize() < queue.maxsize - 1:
                            queue.put_nowait(event)
                if events:
                    continue
                if listener is not None:
                    try:
                        await listener.wait(NOTIFY_FALLBACK_S)
                    except Exception:  # noqa: BLE001 - connection lost: poll from now on
                        log.exception("live notifications lost; polling instead")
                        await listener.close()
                        listener, self.mode = None, "poll"
                else:
                    await asyncio.sleep(services.POLL_SECONDS)
        finally:
            if listener is not None:
                await listener.close()


HUB = Hub()
