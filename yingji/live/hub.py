"""One tailer per web process fans new LiveEvent rows out to the connected SSE clients."""

from __future__ import annotations

import asyncio

from asgiref.sync import sync_to_async

from . import services


CLOSED = object()  # put into every subscriber's queue when the server shuts down


class Hub:
    def __init__(self) -> None:
        self.subscribers: set[asyncio.Queue] = set()
        self.task: asyncio.Task | None = None
        self.last_id: int | None = None
        self.loop: asyncio.AbstractEventLoop | None = None

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
        if self.last_id is None:
            self.last_id = await sync_to_async(services.latest_id)()
        while self.subscribers:
            events = await sync_to_async(services.events_after)(self.last_id)
            for event in events:
                self.last_id = event.id
                for queue in list(self.subscribers):
                    if queue.qsize() < queue.maxsize - 1:
                        queue.put_nowait(event)
            if not events:
                await asyncio.sleep(services.POLL_SECONDS)


HUB = Hub()
