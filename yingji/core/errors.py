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


class Busy(ServiceError):
    status = 503
    code = "busy"


# PostgreSQL's SQLSTATEs for a transaction it rolled back so another could go on: a deadlock,
# a serialisation failure. SQLite says "database is locked" after its busy timeout.
RETRYABLE_SQLSTATES = {"40P01", "40001"}


def busy_from(exc: BaseException) -> Busy | None:
    """A database error that means "rolled back because of a concurrent write, try again" as a
    Busy error a person can act on, else None (a real fault, left to the 500 handler)."""
    for err in (exc, exc.__cause__):
        state = getattr(err, "sqlstate", None) or getattr(err, "pgcode", None)
        if state in RETRYABLE_SQLSTATES or "database is locked" in str(err or ""):
            return Busy("系统繁忙：与同时进行的另一项操作冲突，本次操作未保存，请稍后重试")
    return None


def from_django_validation(exc) -> ValidationFailed:
    """Turn a Django ValidationError into a ValidationFailed with per-field messages."""
    if hasattr(exc, "message_dict"):
        fields = {k: [str(m) for m in v] for k, v in exc.message_dict.items()}
    else:
        fields = {"__all__": [str(m) for m in exc.messages]}
    first = next(iter(fields.values()))[0] if fields else "输入有误"
    return ValidationFailed(f"输入有误：{first}", fields=fields)
