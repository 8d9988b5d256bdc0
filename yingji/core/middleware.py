"""Keeps the current request's client address available to the audit log."""

from __future__ import annotations

import contextvars

_client_address = contextvars.ContextVar("client_address", default="")


def client_address() -> str:
    return _client_address.get()


def address_of(request) -> str:
    return request.META.get("REMOTE_ADDR", "") or ""


class RequestContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_address.set(address_of(request))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)
