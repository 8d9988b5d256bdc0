"""The API's typing contract: the error statuses the framework adds to every route are documented
on the route, and every operation can be listed with what it declares (for the tests: typed
bodies, no schema name used twice).

This walks django-ninja's bound routers (``NinjaAPI._get_bound_routers``: the operations as they
are served, with the API-level authentication applied); it runs once when the API is built.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, get_args, get_origin

from ninja import NinjaAPI
from ninja.constants import NOT_SET
from ninja.operation import Operation
from pydantic import BaseModel

from yingji.core.api_schemas import Error

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
WITH_BODY = {"POST", "PUT", "PATCH"}


@dataclass(frozen=True)
class Route:
    path: str
    method: str
    operation: Operation

    @property
    def body_types(self) -> dict:
        """Status → the type declared for the body (``NOT_SET`` when the route declared none)."""
        out = {}
        for status, model in self.operation.response_models.items():
            if model is NOT_SET or model is None:
                out[status] = model
            else:
                out[status] = model.model_fields["response"].annotation
        return out


def routes(api: NinjaAPI) -> Iterator[Route]:
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            full = "/" + "/".join(p.strip("/") for p in (bound.prefix, path) if p.strip("/"))
            for operation in view.operations:
                for method in operation.methods:
                    yield Route(full, method, operation)


def framework_statuses(route: Route) -> set[int]:
    """The error statuses django-ninja and our handlers can answer on this route whatever its code
    does: 400 (a parameter or body that does not validate, a NUL character anywhere), 401 (no valid credentials), 403 (CSRF
    refused on an unsafe call through the session cookie), 404 (a path with an id), 413 (a body over
    the request limit, refused by ``core.middleware.BodyLimitMiddleware`` before it is read), 429
    (too many failed token attempts from one address: ``accounts.services``), 503 on a write (rolled back
    for a concurrent one: ``core.errors.busy_from``; repeat the call)."""
    op = route.operation
    # 400 on every route: besides a parameter or body that does not validate, any request with a
    # NUL character is refused (core.middleware.NulCharacterMiddleware).
    out: set[int] = {400}
    if op.auth_callbacks:
        out.update((401, 429))
        if route.method in UNSAFE and any(getattr(a, "csrf", False) for a in op.auth_callbacks):
            out.add(403)
    if "{" in route.path:
        out.add(404)
    if route.method in WITH_BODY:
        out.add(413)
    if route.method in UNSAFE:
        out.add(503)
    return out


def document_framework_errors(api: NinjaAPI) -> None:
    """Add the ``Error`` body for each framework status a route does not declare itself.

    One response model serves them all: django-ninja's wrapper (``response: Error``) depends on
    nothing but the body type, and building a pydantic class for each of some 2,700 route and
    status pairs was a large part of every process's start-up (docs/performance.md, "Process
    start-up")."""
    wrapper = None
    for route in routes(api):
        op = route.operation
        for status in sorted(framework_statuses(route)):
            if status not in op.response_models:
                wrapper = wrapper or op._create_response_model(Error)
                op.response_models[status] = wrapper


BARE = (dict, list, Any)


def _is_bare(annotation) -> bool:
    """``dict``, ``list``, ``Any`` or a list/dict of them: a body nobody can generate a client from."""
    if annotation in BARE:
        return True
    origin = get_origin(annotation)
    if origin in (list, dict):
        args = get_args(annotation)
        return not args or _is_bare(args[-1])
    return False


def untyped_statuses(route: Route) -> list[int]:
    """The success statuses of a route whose body is not typed by a Schema (a 204, or a file
    documented with ``file_download``, has no JSON body and is fine)."""
    extra = (route.operation.openapi_extra or {}).get("responses", {})
    bad = []
    for status, annotation in route.body_types.items():
        if not 200 <= status < 300:
            continue
        if annotation is NOT_SET or (annotation is None and status != 204 and not extra.get(status, {}).get("content")):
            bad.append(status)
        elif annotation is not None and _is_bare(annotation):
            bad.append(status)
    return bad


def _models_in(annotation, found: set) -> None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        if annotation in found:
            return
        found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
    for arg in get_args(annotation):
        _models_in(arg, found)


def schema_name_clashes(api: NinjaAPI) -> dict[str, list[str]]:
    """Schema names used by two different classes: the OpenAPI document keeps one component per
    name, so one of the two routes would be documented with the other's schema."""
    found: set = set()
    for route in routes(api):
        for model in [*route.operation.models, *route.operation.response_models.values()]:
            _models_in(model, found)
    by_name: dict[str, list[str]] = {}
    for model in found:
        if model.__module__ != "abc":  # django-ninja's own wrappers (params, responses) are inlined
            by_name.setdefault(model.__name__, []).append(f"{model.__module__}.{model.__qualname__}")
    return {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
