"""Request middleware: the client address for the audit log; Secure cookies on HTTPS."""

from __future__ import annotations

import time

from django.conf import settings
from django.db import DatabaseError
from django.http import JsonResponse
from django.shortcuts import render

from yingji.audit.context import CLIENT_ADDRESS

from . import db
from .errors import busy_from
from .metrics import HTTP_LATENCY


def address_of(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = CLIENT_ADDRESS.set(address_of(request))
        try:
            return self.get_response(request)
        finally:
            CLIENT_ADDRESS.reset(token)

    def process_exception(self, request, exception):
        # A page whose write the database rolled back for a concurrent one (a deadlock broken,
        # a lock timeout): nothing was saved, say so and ask to retry, not "server error".
        # The API answers the same as JSON (api.base).
        busy = busy_from(exception) if isinstance(exception, DatabaseError) else None
        if busy is None:
            return None
        if request.path.startswith("/api/"):
            response = JsonResponse(busy.as_dict(), status=busy.status)
        else:
            response = render(request, "web/error.html", {"status": busy.status, "message": busy.message},
                              status=busy.status)
        response["Retry-After"] = "1"
        return response


class ReplicaPinMiddleware:
    """With a read replica (core.db): a request that writes, and every request of the same browser
    for ``YINGJI_REPLICA_PIN_SECONDS`` after it, reads from the primary only, so the page after a
    save shows the save whatever the replica's lag. Without a replica it does nothing."""

    SAFE = frozenset({"GET", "HEAD", "OPTIONS"})

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not db.replica_configured():
            return self.get_response(request)
        writes = request.method not in self.SAFE
        token = db.pin(writes or request.COOKIES.get(db.PIN_COOKIE) == "1")
        try:
            response = self.get_response(request)
        finally:
            db.unpin(token)
        if writes:
            response.set_cookie(db.PIN_COOKIE, "1", max_age=db.pin_seconds(), httponly=True, samesite="Lax")
        return response


class SecureCookiesMiddleware:
    """Every cookie set on a response to an HTTPS request is marked Secure, whatever the settings
    say, so a deployment behind HTTPS never leaks a session cookie to plain HTTP."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.is_secure():
            for morsel in response.cookies.values():
                morsel["secure"] = True
        return response


class NulCharacterMiddleware:
    """Refuse a NUL character (U+0000) in the path, the query string or a JSON or form body: no
    text of the platform holds one and PostgreSQL cannot store one (psycopg raises ValueError, which
    would be a 500). 400 with the API's JSON error under /api/, a Chinese page elsewhere. Multipart
    bodies are not searched: uploaded files are binary."""

    TEXT_BODIES = ("application/json", "application/x-www-form-urlencoded")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._has_nul(request):
            message = "请求中含有空字符（NUL），无法处理"
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "validation_failed", "message": message, "fields": {}}}, status=400)
            return render(request, "web/error.html", {"status": 400, "message": message}, status=400)
        return self.get_response(request)

    def _has_nul(self, request) -> bool:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return True
        if request.method in ("POST", "PUT", "PATCH") and request.content_type in self.TEXT_BODIES:
            body = request.body  # within YINGJI_MAX_REQUEST_BYTES (BodyLimitMiddleware runs first)
            encoded = b"\\u0000" if request.content_type == "application/json" else b"%00"
            return b"\x00" in body or encoded in body
        return False


class BodyLimitMiddleware:
    """Refuse a request whose declared body is larger than ``YINGJI_MAX_REQUEST_BYTES`` before
    anything reads it: 413 with the API's JSON error under /api/, a Chinese page elsewhere."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        limit = settings.YINGJI_MAX_REQUEST_BYTES
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            message = f"上传内容过大（{length / 1048576:.1f} MB），上限 {limit / 1048576:.0f} MB"
            if request.path.startswith("/api/"):
                return JsonResponse({"error": {"code": "payload_too_large", "message": message, "fields": {}}}, status=413)
            return render(request, "web/error.html", {"status": 413, "message": message}, status=413)
        return self.get_response(request)


class MetricsMiddleware:
    """Request durations into the ``yingji_http_request_duration_seconds`` histogram, labelled by
    the URL pattern (``r/<str:key>/``, not the path: the number of series stays bounded) and the
    status class. Outermost, so it times every other middleware too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        route = (match.route or match.view_name) if match is not None else "unmatched"
        HTTP_LATENCY.labels(request.method, route[:80], f"{response.status_code // 100}xx").observe(
            time.perf_counter() - started)
        return response
