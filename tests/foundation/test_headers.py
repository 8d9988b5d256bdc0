"""Security headers on every page and Secure cookies with HSTS whenever the request is HTTPS,
directly or through a proxy that says so (issue 13, finding 10)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def _login(client, **extra):
    return client.post("/login/", {"username": "hdr", "password": PASSWORD}, **extra)


@pytest.fixture
def user(make_user):
    return make_user("hdr", "duty_officer")


def test_headers_on_every_response(user):
    response = Client().get("/login/")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_https_request_gets_secure_cookies_and_hsts(user):
    client = Client()
    response = _login(client, secure=True)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["secure"] is True
    assert "max-age=31536000" in response["Strict-Transport-Security"]
    assert client.get("/", secure=True)["Strict-Transport-Security"]


def test_plain_http_in_development_has_no_hsts_and_plain_cookies(user):
    response = _login(Client())
    assert response.status_code == 302
    assert not response.cookies["sessionid"]["secure"]
    assert "Strict-Transport-Security" not in response


def test_behind_a_trusted_proxy_the_forwarded_scheme_counts(user, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    response = _login(Client(), HTTP_X_FORWARDED_PROTO="https")
    assert response.cookies["sessionid"]["secure"] is True and "Strict-Transport-Security" in response


def test_oversized_request_body_is_refused_before_it_is_read(user, settings, api_client):
    settings.YINGJI_MAX_REQUEST_BYTES = 1000
    body = b"x" * 2000
    api = api_client(user).post("/api/v1/cap-imports/", body, content_type="application/cap+xml")
    assert api.status_code == 413 and api["Content-Type"] == "application/json"
    assert api.json()["error"]["code"] == "payload_too_large" and "上限" in api.json()["error"]["message"]
    page = Client().post("/login/", body, content_type="application/octet-stream")
    assert page.status_code == 413 and "上传内容过大" in page.content.decode()


def test_favicon_is_served_locally(user):
    client = Client()
    assert 'rel="icon"' in client.get("/login/").content.decode()
    redirect = client.get("/favicon.ico")
    assert redirect.status_code == 301
    icon = client.get(redirect["Location"])
    assert icon.status_code == 200 and b"<svg" in b"".join(icon.streaming_content)


def test_unauthenticated_api_calls_are_401_json_not_csrf_403(user):
    client = Client(enforce_csrf_checks=True)
    for response in (client.post("/api/v1/teams/", "{}", content_type="application/json"),
                     client.post("/api/v1/teams/", "{}", content_type="application/json", HTTP_AUTHORIZATION="Bearer nope"),
                     client.get("/api/v1/teams/")):
        assert response.status_code == 401 and response["Content-Type"].startswith("application/json")
        assert response.json()["error"]["code"] == "not_authenticated"
    # A logged-in console session without its CSRF token is refused, in Chinese.
    assert client.login(username="hdr", password=PASSWORD)
    refused = client.post("/api/v1/teams/", "{}", content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "csrf_failed"
    assert "CSRF 校验失败" in refused.json()["error"]["message"]


def test_api_documentation_needs_a_login_unless_configured_public(user, settings):
    anonymous = Client()
    page = anonymous.get("/api/v1/docs")
    assert page.status_code == 302 and "/login/" in page["Location"]
    document = anonymous.get("/api/v1/openapi.json")
    assert document.status_code == 401 and document.json()["error"]["code"] == "not_authenticated"
    signed_in = Client()
    assert signed_in.login(username="hdr", password=PASSWORD)
    assert signed_in.get("/api/v1/docs").status_code == 200
    assert signed_in.get("/api/v1/openapi.json").json()["openapi"].startswith("3.")


def test_content_security_policy_allows_no_inline_script(user):
    policy = Client().get("/login/")["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'" and "unsafe" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"


def test_no_template_carries_inline_script_or_event_handlers():
    """So the policy above never breaks a page: behaviour comes from static files."""
    import re

    from tests.conftest import REPO

    offenders = []
    for path in (REPO / "yingji").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        for pattern in (r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", r"\son[a-z]+=\"", r"javascript:"):
            offenders += [f"{path.relative_to(REPO)}: {m.group(0)}" for m in re.finditer(pattern, text)]
    assert offenders == []
