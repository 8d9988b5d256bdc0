"""The JSON API (/api/v1/): authentication and the single error shape (pagination: core.pagination)."""

from __future__ import annotations

import functools
import logging
import threading

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist
from django.db import DatabaseError
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from yingji.accounts.services import check_token_attempts, note_token_failure, user_for_token
from yingji.api.contract import document_framework_errors
from yingji.core.apps import app_modules
from yingji.core.errors import ServiceError, busy_from
from yingji.core.middleware import address_of
from yingji.geo.coords import CoordinateError
from yingji.geo.divcodes import DivisionCodeError

from . import registries, system
from .messages import chinese

log = logging.getLogger(__name__)


def bearer_user(request: HttpRequest, token: str):
    """The user of a Bearer token, counting a wrong token against its address (429 when too many)."""
    address = address_of(request)
    check_token_attempts(address)
    user = user_for_token(token)
    if user is None:
        note_token_failure(address)
    return user


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = bearer_user(request, token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The web console's own calls: the Django session, with CSRF on unsafe methods."""

    param_name = "sessionid"

    def _get_key(self, request: HttpRequest):
        # No session cookie: not a console call, so no CSRF question either — the request is
        # simply unauthenticated (401), never a CSRF 403.
        if self.param_name not in request.COOKIES:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else None


def _docs_need_login(view):
    """The OpenAPI document and its browsable page are for signed-in users (or a Bearer token)
    unless ``YINGJI_API_DOCS_PUBLIC=1``: the page goes to the login form, the JSON answers 401."""

    @functools.wraps(view)
    def guarded(request, *args, **kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            header = request.headers.get("Authorization", "")
            token_user = bearer_user(request, header[7:].strip()) if header.startswith("Bearer ") else None
            if token_user is None:
                if request.path.endswith(".json"):
                    return JsonResponse(error_body("not_authenticated", "未认证：请登录或提供有效的 Authorization: Bearer 令牌"),
                                        status=401)
                return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return guarded


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    return {"error": {"code": code, "message": message, "fields": fields or {}}}


class YingjiAPI(NinjaAPI):
    """The API, with its OpenAPI document built once per process (and path prefix): building it
    walks every operation's schemas — 2.2 s of CPU for the 1.3 MB document on the development
    machine — and the routes do not change while a process runs. Built on every request, each
    visit to the API reference page held up every other request of its web process that long."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._schemas: dict[str, dict] = {}
        self._schema_lock = threading.Lock()

    def get_openapi_schema(self, *, path_prefix: str | None = None, path_params: dict | None = None):
        if path_prefix is None:
            path_prefix = self.get_root_path(path_params or {})
        with self._schema_lock:
            if path_prefix not in self._schemas:
                self._schemas[path_prefix] = super().get_openapi_schema(path_prefix=path_prefix)
            return self._schemas[path_prefix]


def build_api() -> NinjaAPI:
    api = YingjiAPI(
        title="应急管理综合应用平台 API（Yingji）",
        version="1",
        description="所有列表接口支持 page、page_size（≤1000），返回 {items, count}。错误统一为 {error: {code, message, fields}}。",
        auth=[BearerToken(), SessionAuth()],
        urls_namespace="api-v1",
        openapi_url="/openapi.json",
        docs_url="/docs",
        # Tags folded: Swagger UI lays out the tags' names, not 686 operations, so the reference
        # opens in a moment and does not hold the browser tab busy for the next page
        # (docs/performance.md, "The API reference document").
        docs=Swagger(settings={"docExpansion": "none"}),
        docs_decorator=None if settings.YINGJI_API_DOCS_PUBLIC else _docs_need_login,
    )

    @api.exception_handler(ServiceError)
    def service_error(request, exc: ServiceError):
        return api.create_response(request, exc.as_dict(), status=exc.status)

    @api.exception_handler(DivisionCodeError)
    @api.exception_handler(CoordinateError)
    def input_value_error(request, exc: ValueError):
        # A malformed division code or coordinate in any parameter (e.g. ?parent=abc, a longitude
        # of 1e16) is the caller's mistake, whichever layer found it.
        return api.create_response(request, error_body("validation_failed", str(exc)), status=400)

    @api.exception_handler(DatabaseError)
    def database_busy(request, exc: DatabaseError):
        # Rolled back for a concurrent write (a deadlock PostgreSQL broke, SQLite's lock timeout):
        # nothing was saved and the same call can be repeated. Any other database fault is a 500.
        busy = busy_from(exc)
        if busy is None:
            raise exc
        response = api.create_response(request, busy.as_dict(), status=busy.status)
        response["Retry-After"] = "1"
        return response

    @api.exception_handler(OverflowError)
    def number_out_of_range(request, exc: OverflowError):
        # A number no column or date can hold (an id of 2**70 filtering a SQLite table, a day count
        # past the year 9999): the parameters declare their ranges; this catches what they miss.
        return api.create_response(request, error_body("validation_failed", "请求中的数值超出可处理的范围"), status=400)

    @api.exception_handler(MultiPartParserError)
    def malformed_multipart(request, exc: MultiPartParserError):
        # Django cannot parse the body (no or a wrong boundary, a truncated part): it is not a form.
        return api.create_response(request, error_body("bad_request", "请求体不是有效的 multipart/form-data：无法解析"),
                                   status=400)

    @api.exception_handler(NinjaValidationError)
    def validation_error(request, exc: NinjaValidationError):
        fields: dict[str, list[str]] = {}
        for err in exc.errors:
            loc = [str(p) for p in err.get("loc", []) if p not in ("body", "query", "path", "payload")]
            fields.setdefault(".".join(loc) or "__all__", []).append(chinese(err))
        first = next(iter(fields.items()))
        return api.create_response(request, error_body("validation_failed", f"请求参数无效：{first[0]} {first[1][0]}", fields), status=400)

    @api.exception_handler(AuthenticationError)
    def auth_error(request, exc):
        return api.create_response(request, error_body("not_authenticated", "未认证：请提供有效的 Authorization: Bearer 令牌或登录"), status=401)

    @api.exception_handler(ObjectDoesNotExist)
    def vanished(request, exc: ObjectDoesNotExist):
        # A row read at the start of the request and gone when the write locked it again (another
        # request deleted it meanwhile). Logged: a lookup bug would end here too.
        log.warning("record vanished during %s %s: %s", request.method, request.path, exc)
        return api.create_response(request, error_body("not_found", "记录不存在或已被他人删除，请刷新后重试"), status=404)

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return api.create_response(request, error_body("not_found", "资源不存在"), status=404)

    @api.exception_handler(HttpError)
    def http_error(request, exc: HttpError):
        code = {400: "bad_request", 401: "not_authenticated", 403: "forbidden", 404: "not_found", 405: "method_not_allowed", 409: "conflict"}.get(exc.status_code, "error")
        message = str(exc)
        if message == "CSRF check Failed":  # django-ninja's words for a console call without its CSRF token
            code, message = "csrf_failed", "CSRF 校验失败：请刷新页面后重试（接口调用请使用 Authorization: Bearer 令牌）"
        return api.create_response(request, error_body(code, message), status=exc.status_code)

    system.mount(api)
    registries.mount_all(api)
    mount_app_routers(api)
    document_framework_errors(api)
    return api


def mount_app_routers(api: NinjaAPI) -> None:
    """Each domain app may provide ``api.py`` with ``mount(api)`` for routes beyond its registries."""
    for _, module in app_modules("api"):
        module.mount(api)
