"""Service-layer errors: one shape for the API (``{"error": {code, message, fields}}``) and
a Chinese message for the web UI."""

from __future__ import annotations


class ServiceError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, fields: dict | None = None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.fields = fields or {}

    def as_dict(self) -> dict:
        return {"error": {"code": self.code, "message": self.message, "fields": self.fields}}


class ValidationFailed(ServiceError):
    status = 400
    code = "validation_failed"


class NotAuthenticated(ServiceError):
    status = 401
    code = "not_authenticated"


class Forbidden(ServiceError):
    status = 403
    code = "forbidden"


class NotFound(ServiceError):
    status = 404
    code = "not_found"


class TooManyRequests(ServiceError):
    status = 429
    code = "rate_limited"


class Conflict(ServiceError):
    status = 409
    code = "conflict"


def from_django_validation(exc) -> ValidationFailed:
    """Turn a Django ValidationError into a ValidationFailed with per-field messages."""
    if hasattr(exc, "message_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        fields = {"__all__": [str(m) for m in exc.messages]}
    first = next(iter(fields.values()))[0] if fields else "输入有误"
    return ValidationFailed(f"输入有误：{first}", fields=fields)
