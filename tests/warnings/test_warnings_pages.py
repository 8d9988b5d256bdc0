"""Public page (no login), Atom feed and CAP URLs; console pages; API routes."""

import json

import pytest
from django.test import Client
from lxml import etree

from tests.conftest import PASSWORD, ZHANGWU
from tests.warnings.conftest import publish, warning_data
from yingji.cap import validate_cap
from yingji.warnings import services
from yingji.warnings.models import Delivery, Subscriber, Warning

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(draft, roles):
    return publish(draft, roles)


def test_public_page_without_login(published, roles):
    lifted_source = publish(services.create_warning(roles["drafter"], warning_data(event="大雾")), roles)
    publish(services.derive_warning(roles["drafter"], lifted_source, "lift"), roles)
    page = Client().get("/warnings/public/")
    assert page.status_code == 200
    html = page.content.decode()
    assert published.title in html and "避免前往低洼地带" in html
    assert 'data-testid="public-warning"' in html and html.count('data-testid="public-warning"') == 1
    assert "大雾" in html.split("近 7 日已解除")[1]  # the lifted one is listed as ended, not active
    geo = Client().get("/warnings/public/map.geojson").json()
    own = [f for f in geo["features"] if f["properties"].get("source") == "own"]
    assert [f["properties"]["id"] for f in own] == [published.pk]
    assert own[0]["geometry"]["type"] in ("Polygon", "MultiPolygon")


def test_public_page_has_no_drafts_or_drills(draft, roles):
    drill = publish(services.create_warning(roles["drafter"], warning_data(cap_status="Exercise", event="演练")), roles)
    html = Client().get("/warnings/public/").content.decode()
    assert "当前没有生效的预警" in html
    assert Client().get(f"/warnings/cap/{drill.identifier}.xml").status_code == 404


def test_atom_feed_links_valid_cap(published):
    response = Client().get("/warnings/feed.atom")
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = etree.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1 and entries[0].findtext(f"{ATOM}title") == published.title
    cap_link = [l.get("href") for l in entries[0].findall(f"{ATOM}link") if l.get("type") == "application/cap+xml"][0]
    cap = Client().get(cap_link.replace("http://testserver", ""))
    assert cap.status_code == 200 and validate_cap(cap.content).valid


def test_feed_is_importable_by_our_own_poller(published):
    from yingji.warnings.imports import atom_cap_links

    links = atom_cap_links(Client().get("/warnings/feed.atom").content, "http://testserver/warnings/feed.atom")
    assert links == [f"http://testserver/warnings/cap/{published.identifier}.xml"]


def _login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_console_compose_approve_publish(roles, channels):
    drafter = _login(roles["drafter"])
    assert "起草预警" in drafter.get("/warnings/new/").content.decode()
    form = {"event_type": "natural.meteorological", "event": "寒潮", "level": "4", "area_desc": "彰武县",
            "area_codes": [ZHANGWU], "effective": "2030-01-01T08:00", "expires": "2030-01-02T08:00",
            "description": "示例：强冷空气影响。", "instruction": "注意防寒保暖。", "sender_name": "阜新市应急管理局",
            "channels": ["sms", "web"], "audiences": ["public"], "urgency": "Unknown", "certainty": "Unknown",
            "cap_status": "Actual", "area_polygon": json.dumps([[122.40, 42.46], [122.46, 42.46], [122.46, 42.52]])}
    response = drafter.post("/warnings/new/", form)
    assert response.status_code == 302
    warning = Warning.objects.get(event="寒潮")
    assert warning.area_polygon[0] == [122.4, 42.46] and warning.effective.isoformat().startswith("2030-01-01T00:00")
    drafter.post(f"/warnings/{warning.pk}/act/", {"action": "submit"})
    # The drafter sees no approve button on their own warning, and a forged POST is refused.
    assert 'value="approve"' not in drafter.get(f"/warnings/{warning.pk}/").content.decode()
    page = drafter.post(f"/warnings/{warning.pk}/act/", {"action": "approve"}, follow=True).content.decode()
    assert "无权执行“审核通过”" in page
    _login(roles["reviewer"]).post(f"/warnings/{warning.pk}/act/", {"action": "approve"})
    _login(roles["signer"]).post(f"/warnings/{warning.pk}/act/", {"action": "sign"})
    drafter.post(f"/warnings/{warning.pk}/act/", {"action": "publish"})
    warning.refresh_from_db()
    assert warning.state == "published"
    assert drafter.get(f"/warnings/{warning.pk}/cap.xml").content.decode() == warning.cap_xml
    assert "覆盖率报告" in drafter.get(f"/warnings/{warning.pk}/coverage/").content.decode()


def test_console_form_errors_in_chinese(roles):
    response = _login(roles["drafter"]).post("/warnings/new/", {"event": "x"})
    assert response.status_code == 400
    assert "请检查标红的字段" in response.content.decode()
    assert Warning.objects.count() == 0


def test_console_lists_and_map_overlay(published, roles):
    client = _login(roles["reviewer"])
    assert published.title in client.get("/warnings/").content.decode()
    assert "生效预警" in client.get("/map/").content.decode()
    features = client.get("/warnings/map.geojson").json()["features"]
    assert features[0]["properties"]["url"] == f"/warnings/{published.pk}/"
    assert "生效预警 1" in client.get("/warnings/").content.decode()  # header widget
    assert Client().get("/warnings/").status_code == 302  # console needs login


def test_in_app_notice_for_officials(published, roles):
    page = _login(roles["drafter"]).get("/warnings/notices/").content.decode()
    assert published.title in page


def test_upload_page_imports_and_rejects(roles):
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _login(roles["drafter"])
    bad = client.post("/warnings/imports/", {"file": SimpleUploadedFile("bad.xml", b"<x/>")}, follow=True)
    assert "已拒收" in bad.content.decode()
    assert "拒收" in client.get("/warnings/imports/").content.decode()


def test_api_workflow_and_deliveries(api_client, roles, channels, make_user):
    # A city administrator drafts: their role could approve, but not their own draft.
    drafter = api_client(make_user("admin_drafter", "city_admin"))
    reviewer, signer = (api_client(roles[k]) for k in ("reviewer", "signer"))
    Subscriber.objects.create(phone="13812345678", division_code=ZHANGWU)
    body = warning_data()
    body = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in body.items()}
    created = drafter.post("/api/v1/warnings/", body, content_type="application/json")
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    own = drafter.post(f"/api/v1/warnings/{pk}/actions/submit", {}, content_type="application/json")
    assert own.json()["state"] == "reviewing"
    refused = drafter.post(f"/api/v1/warnings/{pk}/actions/approve", {}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "guard_failed"
    reviewer.post(f"/api/v1/warnings/{pk}/actions/approve", {}, content_type="application/json")
    signer.post(f"/api/v1/warnings/{pk}/actions/sign", {}, content_type="application/json")
    published = drafter.post(f"/api/v1/warnings/{pk}/actions/publish", {}, content_type="application/json").json()
    assert published["state"] == "published" and published["identifier"]
    cap = drafter.get(f"/api/v1/warnings/{pk}/cap")
    assert cap["Content-Type"].startswith("application/cap+xml") and validate_cap(cap.content).valid
    deliveries = drafter.get(f"/api/v1/deliveries/?warning={pk}&channel=sms&status=queued").json()
    assert {d["recipient_kind"] for d in deliveries["items"]} == {"public", "official"}
    derived = drafter.post(f"/api/v1/warnings/{pk}/derive", {"kind": "upgrade", "changes": {"level": 1}},
                           content_type="application/json")
    assert derived.status_code == 201 and derived.json()["supersedes_id"] == pk
    coverage = drafter.get(f"/api/v1/warnings/{pk}/coverage").json()
    assert coverage["public_targeted"] == 1
    subscribers = drafter.get("/api/v1/subscribers/").json()
    assert subscribers["count"] == 1
    stop = drafter.post(f"/api/v1/warnings/{pk}/actions/stop", {"comment": "测试"}, content_type="application/json")
    assert stop.status_code == 200
    assert not Delivery.objects.filter(warning_id=pk, status="queued").exists()


def test_api_scope_county_user_cannot_see_city_warning(published, api_client, make_user):
    other = api_client(make_user("hz_admin", "county_admin", region="210902000000"))
    assert other.get(f"/api/v1/warnings/{published.pk}").status_code == 403
    assert other.get("/api/v1/warnings/").json()["count"] == 0


def test_unconfigured_channels_are_not_offered_and_say_why(roles):
    """Without an SMS gateway, broadcast platform or mail server the form does not offer those
    channels (publishing "succeeded" with 0 % coverage for them before) and says why (issue 14)."""
    drafter = _login(roles["drafter"])
    page = drafter.get("/warnings/new/")
    html = page.content.decode()
    offered = [key for key, _ in page.context["form"].fields["channels"].choices]
    assert offered == ["web", "inapp"]
    assert "未配置、不可选：短信（未配置发送网关）；应急广播（未配置发送网关）；电子邮件（未配置发送网关）" in html


def test_configured_channels_are_offered(roles, channels):
    page = _login(roles["drafter"]).get("/warnings/new/")
    assert [key for key, _ in page.context["form"].fields["channels"].choices] == ["sms", "broadcast", "email", "web", "inapp"]
