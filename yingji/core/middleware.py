"""Request middleware: the client address for the audit log; Secure cookies on HTTPS."""

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
