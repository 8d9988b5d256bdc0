"""The API's typing contract: every route answers typed Schemas for every status it can return,
and the OpenAPI document that says so is valid (generated clients work)."""

import pytest
from django.test import Client
from openapi_schema_validator import OAS31Validator
from openapi_spec_validator import validate

from tests.conftest import CITY

ERROR_STATUSES = (400, 401, 403, 404, 409, 413)  # answered in the error shape; 422 (a refused CAP) is a record
FILE_TYPES = ("application/vnd.openxmlformats", "application/pdf", "text/csv", "application/geo+json",
              "application/cap+xml")


@pytest.fixture(scope="module")
def document(django_db_blocker):
    with django_db_blocker.unblock():
        from yingji.accounts.models import User

        user, _ = User.objects.get_or_create(username="openapi-reader", defaults={"role": "sysadmin", "region_code": CITY})
        client = Client()
        client.force_login(user)
        response = client.get("/api/v1/openapi.json")
        User.objects.filter(pk=user.pk).delete()
    assert response.status_code == 200
    return response.json()


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            yield path, method.upper(), op


def resolve(doc, schema):
    while "$ref" in schema:
        schema = doc["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def is_bare(doc, schema) -> bool:
    """``{}``, a free-form object or a list of them: nothing a client could be generated from."""
    schema = resolve(doc, schema)
    if not schema or set(schema) <= {"title", "description"}:
        return True
    if schema.get("type") == "object" and not schema.get("properties") and schema.get("additionalProperties") in (None, True, {}):
        return True
    if schema.get("type") == "array":
        return is_bare(doc, schema.get("items") or {})
    return False


def test_the_openapi_document_is_valid(document):
    validate(document)  # raises OpenAPIValidationError listing the first problem


def test_every_status_of_every_operation_has_a_schema(document):
    problems = []
    for path, method, op in operations(document):
        where = f"{method} {path}"
        for status, response in op["responses"].items():
            status = int(status)
            content = response.get("content", {})
            if status == 204:
                if content:
                    problems.append(f"{where} 204 has a body")
                continue
            if 200 <= status < 300 and any(t.startswith(FILE_TYPES) for t in content):
                continue  # a file download, documented by its media types
            schema = content.get("application/json", {}).get("schema")
            if schema is None:
                problems.append(f"{where} {status}: no JSON schema")
            elif status in ERROR_STATUSES and "error" not in resolve(document, schema).get("properties", {}):
                problems.append(f"{where} {status}: not the error shape")
            elif is_bare(document, schema):
                problems.append(f"{where} {status}: untyped body {schema}")
    assert problems == []


def test_framework_error_statuses_are_documented(document):
    """What django-ninja and the middleware answer whatever the route does: 401 without
    credentials, 400 for a bad parameter or body, 404 for an unknown id in the path, 413 for a
    body over the request limit."""
    problems = []
    for path, method, op in operations(document):
        statuses = {int(s) for s in op["responses"]}
        needed = set()
        if op.get("security"):
            needed.add(401)
        if op.get("parameters") or op.get("requestBody"):
            needed.add(400)
        if "{" in path:
            needed.add(404)
        if method in ("POST", "PUT", "PATCH"):
            needed.add(413)
        if needed - statuses:
            problems.append(f"{method} {path}: {sorted(needed - statuses)} undocumented")
    assert problems == []


def test_the_error_schema_is_the_one_shape(document):
    error = document["components"]["schemas"]["Error"]
    info = resolve(document, error["properties"]["error"])
    assert set(info["properties"]) == {"code", "message", "fields"}
    assert set(info["required"]) == {"code", "message"}


def test_every_registered_operation_declares_typed_bodies():
    """The same contract walked on django-ninja's operations as they are served."""
    from yingji.api.contract import routes, untyped_statuses
    from yingji.core.api_schemas import Error
    from yingji.urls import api

    served = list(routes(api))
    assert len(served) > 300
    untyped = [f"{r.method} {r.path} {untyped_statuses(r)}" for r in served if untyped_statuses(r)]
    assert untyped == []
    bad_errors = [f"{r.method} {r.path} {status}" for r in served for status, body in r.body_types.items()
                  if status in ERROR_STATUSES and not (isinstance(body, type) and "error" in body.model_fields)]
    assert bad_errors == []
    assert all(r.body_types.get(401) is Error for r in served if r.operation.auth_callbacks)


def test_bare_bodies_are_detected():
    from ninja import NinjaAPI, Router

    from yingji.api.contract import document_framework_errors, routes, untyped_statuses

    api = NinjaAPI(urls_namespace="contract-probe")
    router = Router()

    @router.get("/bare", response=dict)
    def bare(request):
        return {}

    @router.get("/listed", response=list[dict])
    def listed(request):
        return []

    @router.get("/unset")
    def unset(request):
        return {}

    @router.delete("/gone", response={204: None})
    def gone(request):
        return 204, None

    api.add_router("/", router)
    document_framework_errors(api)
    found = {r.path: untyped_statuses(r) for r in routes(api)}
    assert found == {"/bare": [200], "/listed": [200], "/unset": [200], "/gone": []}


def conforms(document, path, method, status, body):
    schema = document["paths"][path][method]["responses"][str(status)]["content"]["application/json"]["schema"]
    OAS31Validator({**schema, "components": document["components"]}).validate(body)


def test_answers_match_their_documented_schemas(document, make_user, api_client):
    """Plans' ``event_types`` is a list (the generated schema said object), and a structured plan,
    its registry record and a list page validate against what the document promises."""
    from tests.command.test_command_plans import PLAN

    client = api_client(make_user("cityadm", "city_admin", CITY))
    created = client.post("/api/v1/plans/structured", PLAN, content_type="application/json")
    assert created.status_code == 201, created.content
    conforms(document, "/api/v1/plans/structured", "post", 201, created.json())
    pk = created.json()["id"]
    record = client.get(f"/api/v1/plans/{pk}")
    assert record.json()["event_types"] == ["accident.hazchem"]
    conforms(document, "/api/v1/plans/{pk}", "get", 200, record.json())
    conforms(document, "/api/v1/plans/{pk}/document", "get", 200, client.get(f"/api/v1/plans/{pk}/document").json())
    conforms(document, "/api/v1/plans/", "get", 200, client.get("/api/v1/plans/").json())
    refused = client.post("/api/v1/plans/structured", {**PLAN, "levels": []}, content_type="application/json")
    assert refused.status_code == 400
    conforms(document, "/api/v1/plans/structured", "post", 400, refused.json())
    missing = client.get("/api/v1/plans/999999")
    assert missing.status_code == 404
    conforms(document, "/api/v1/plans/{pk}", "get", 404, missing.json())


def test_no_two_schemas_share_a_name():
    """The document keeps one component per name: two classes of one name would document one
    route with the other's schema (warnings' and command's coverage reports once did)."""
    from yingji.api.contract import schema_name_clashes
    from yingji.urls import api

    assert schema_name_clashes(api) == {}


def test_apps_use_the_public_api_vocabulary_only():
    """Apps type their routes with ``yingji.core.api_schemas`` and paginate with ``core.pagination``;
    ``yingji.api.base`` (authentication, handlers, assembly) is for ``yingji.urls`` alone."""
    import re
    from pathlib import Path

    import yingji

    root = Path(yingji.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py")
                 if path.parent.name != "api" and path.name != "urls.py"
                 and re.search(r"yingji\.api\.base|from yingji\.api import base|from \.\.api\.base", path.read_text())]
    assert offenders == []
