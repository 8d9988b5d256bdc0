"""Serve the platform (ASGI, uvicorn) with the embedded background work."""

from __future__ import annotations

import os

import uvicorn

from yingji.jobs.background import start_background


def serve(host: str, port: int) -> None:
    if os.environ.get("YINGJI_INPROCESS_WORKER", "1") == "1":
        start_background()
    uvicorn.run("yingji.asgi:application", host=host, port=port, log_level="warning", lifespan="off")
