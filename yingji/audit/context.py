"""The current request's client address, recorded with every audit entry. The request middleware
(``yingji.core.middleware``) sets it; the audit log only reads it, so audit depends on nothing above it."""

from __future__ import annotations

import contextvars

CLIENT_ADDRESS: contextvars.ContextVar[str] = contextvars.ContextVar("client_address", default="")


def client_address() -> str:
    return CLIENT_ADDRESS.get()
