"""Keeps the current request's client address available to the audit log."""

from __future__ import annotations

from yingji.audit.context import CLIENT_ADDRESS


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
