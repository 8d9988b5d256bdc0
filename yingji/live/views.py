"""``/live/stream``: Server-Sent Events for the console (alarms, incidents, deadlines)."""

from __future__ import annotations

import asyncio
import json

from asgiref.sync import sync_to_async
from django.http import HttpResponse, JsonResponse, StreamingHttpResponse

from yingji.core.errors import NotFound

from .hub import CLOSED, HUB
from .progress import job_for, status_of
from .services import visible_to

KEEPALIVE_SECONDS = 15


def _user_scope(request):
    user = request.user
    return user.scope_prefix if user.is_authenticated else None


def format_event(event) -> str:
    payload = json.dumps({"id": event.id, "channel": event.channel, "kind": event.kind,
                          "at": event.at.isoformat(), **event.data}, ensure_ascii=False)
    return f"id: {event.id}\nevent: {event.channel}\ndata: {payload}\n\n"


async def stream(request):
    prefix = await sync_to_async(_user_scope)(request)
    if prefix is None:
        return HttpResponse("请先登录", status=401, content_type="text/plain; charset=utf-8")
    channels = {c for c in request.GET.get("channels", "").split(",") if c}
    last = request.headers.get("Last-Event-ID") or request.GET.get("after")
    after_id = int(last) if last and last.isdigit() else None

    async def events():
        queue = await HUB.subscribe(after_id)
        try:
            yield "retry: 2000\n\n"
            while True:
                try:
                    event = await asyncio.wait_for(queue.get(), timeout=KEEPALIVE_SECONDS)
                except asyncio.TimeoutError:
                    yield ": keepalive\n\n"
                    continue
                if event is CLOSED:
                    return
                if channels and event.channel not in channels:
                    continue
                if visible_to(event, prefix):
                    yield format_event(event)
        finally:
            HUB.unsubscribe(queue)

    response = StreamingHttpResponse(events(), content_type="text/event-stream; charset=utf-8")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response


def progress(request, job_id: int):
    """The state of a long operation (the page's fallback when the live stream is not open)."""
    if not request.user.is_authenticated:
        return JsonResponse({"error": {"code": "unauthenticated", "message": "请先登录"}}, status=401)
    try:
        job = job_for(request.user, job_id)
    except NotFound as exc:
        return JsonResponse({"error": {"code": "not_found", "message": exc.message}}, status=404)
    return JsonResponse(status_of(job))
