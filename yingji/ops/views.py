"""Probes for a load balancer or an orchestrator: ``/healthz`` (the process answers) and
``/readyz`` (it can serve: database reachable and migrated; broker and Redis where configured).
Both need no login and say nothing about the data."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.views.decorators.http import require_GET

from .health import readiness


@require_GET
def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


@require_GET
def readyz(request):
    ready, checks = readiness()
    return JsonResponse({"status": "ready" if ready else "unavailable", "checks": checks}, status=200 if ready else 503,
                        json_dumps_params={"ensure_ascii": False})
