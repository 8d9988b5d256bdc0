"""Serve the platform (ASGI, uvicorn) with the embedded background work."""

from __future__ import annotations

import os

import uvicorn

from yingji.core.background import start_background
from yingji.live.hub import HUB

# Open SSE streams never end by themselves: on SIGTERM/SIGINT uvicorn waits at most this long
# for them, then closes them, so the server stops within a few seconds.
SHUTDOWN_GRACE_S = 3


def serve(host: str, port: int) -> None:
    stop = start_background() if os.environ.get("YINGJI_INPROCESS_WORKER", "1") == "1" else None
    server = uvicorn.Server(uvicorn.Config("yingji.asgi:application", host=host, port=port, log_level="warning",
                                           lifespan="off", timeout_graceful_shutdown=SHUTDOWN_GRACE_S))
    handle_exit = server.handle_exit

    def stop_serving(sig, frame):  # end the open SSE streams first, then uvicorn's own shutdown
        HUB.close_streams()
        handle_exit(sig, frame)

    server.handle_exit = stop_serving
    server.run()
    if stop is not None:
        stop.set()  # background services are told to stop
