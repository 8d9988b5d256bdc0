"""Live events reach a web process's streams through PostgreSQL LISTEN/NOTIFY (scaled mode) or by
polling the table (embedded SQLite), with nothing to configure either way."""

from __future__ import annotations

import asyncio

import psycopg
import pytest
from asgiref.sync import sync_to_async
from django.db import connection

from yingji.live import hub as hub_module
from tests.ops.conftest import COPIES_TEST_DB
from yingji.live import services


@COPIES_TEST_DB  # no test transaction on SQLite (the tailer's thread must see the write); none needed on PostgreSQL
def test_an_event_written_by_another_connection_reaches_the_stream():
    hub = hub_module.Hub()
    other = None
    if connection.vendor == "postgresql":
        s = connection.settings_dict
        other = psycopg.connect(dbname=s["NAME"], user=s.get("USER") or None, host=s.get("HOST") or None,
                                port=s.get("PORT") or None, autocommit=True)

    async def scenario():
        queue = await hub.subscribe()
        await asyncio.sleep(0.3)  # the tailer is waiting (LISTEN, or between polls)
        if other is not None:  # another process's insert: only the trigger's NOTIFY tells this one
            other.execute("INSERT INTO live_liveevent (channel, kind, division_code, data, at) "
                          "VALUES ('alarms', 'raised', '', '{\"n\": 1}', now())")
        else:
            await sync_to_async(services.publish)("alarms", "raised", {"n": 1})
        # Well within the 2 s fallback read: on PostgreSQL only the notification can be this quick.
        event = await asyncio.wait_for(queue.get(), timeout=1.5)
        hub.unsubscribe(queue)
        await asyncio.wait_for(hub.task, timeout=5)  # the tailer ends with its last subscriber
        # The tailer's reads ran on asgiref's thread for sync code: close that thread's connection,
        # or it outlives the test and PostgreSQL refuses to drop the test database at the end.
        await sync_to_async(lambda: connection.close())()
        return event

    try:
        event = asyncio.run(scenario())
    finally:
        if other is not None:  # committed outside the test's transaction: take it away again
            other.execute("DELETE FROM live_liveevent WHERE channel = 'alarms' AND data = '{\"n\": 1}'")
            other.close()
    assert (event.channel, event.kind, event.data) == ("alarms", "raised", {"n": 1})
    assert hub.mode == ("notify" if connection.vendor == "postgresql" else "poll")
