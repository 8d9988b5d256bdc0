"""Import of CAP from other agencies, end to end, for every file in tests/fixtures/cap (as its
README describes), plus de-duplication, Update/Cancel linking, hostile XML, API and feeds."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.warnings.conftest import CAP_DATA
from yingji.cap import WarningArea, WarningMessage, build_cap
from yingji.warnings.imports import import_cap, poll_feed
from yingji.warnings.models import CapFeed, CapImport, ImportedAlert

# file → (decision, alerts stored)
EXPECTED = {
    "real-feeds/cn-baoding-thunder-update.xml": ("accept", 1),
    "real-feeds/australia.cap": ("accept", 1),
    "real-feeds/australia_bom.cap": ("accept", 1),
    "real-feeds/canada.cap": ("accept", 1),
    "real-feeds/CanadaNaad.xml": ("accept", 1),
    "real-feeds/iceland_met_office.cap": ("accept", 1),
    "real-feeds/mexico.xml": ("accept", 1),
    "real-feeds/ph.cap": ("accept_with_note", 1),
    "real-feeds/wcatwc-warning.cap": ("accept", 1),
    "real-feeds/earthquake-iso8859-1.cap": ("accept", 1),
    "real-feeds/earthquake.cap": ("accept_with_note", 1),
    "real-feeds/weather.cap": ("accept_with_note", 1),
    "real-feeds/no_optional_fields.cap": ("reject", 0),
    "real-feeds/rfs.xml": ("accept_with_note", 1),
    "real-feeds/smhi.se.alerts.cap": ("accept_with_note", 17),
    "real-feeds/sweden.cap": ("accept_with_note", 1),
    "invalid/invalid.cap": ("reject", 0),
    "invalid/invalid_xmlns.cap": ("reject", 0),
    "invalid/no_info_tag.cap": ("accept_with_note", 1),
}


def _read(name):
    return (CAP_DATA / name).read_bytes()


def test_every_file_is_covered():
    on_disk = {str(p.relative_to(CAP_DATA)) for p in CAP_DATA.rglob("*") if p.is_file() and p.suffix != ".md"}
    assert on_disk == set(EXPECTED)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_import_each_file_end_to_end(name):
    decision, count = EXPECTED[name]
    raw = _read(name)
    record = import_cap(raw, source="upload", source_name=name)
    assert record.decision == decision
    assert bytes(record.raw) == raw  # kept byte for byte
    assert record.new_alerts == count == ImportedAlert.objects.count()
    if decision == "reject":
        assert record.reasons and all(isinstance(r, str) and r for r in record.reasons)
        return
    assert bool(record.notes) == (decision == "accept_with_note")
    # The same document again: stored once.
    again = import_cap(raw, source="upload", source_name=name)
    assert (again.new_alerts, again.duplicate_alerts) == (0, count)
    assert ImportedAlert.objects.count() == count


@pytest.mark.django_db
def test_rejection_reasons_are_kept():
    record = import_cap(_read("invalid/invalid.cap"), source="upload")
    assert any("scope" in r for r in record.reasons)
    record = import_cap(_read("invalid/invalid_xmlns.cap"), source="upload")
    assert any("命名空间" in r for r in record.reasons)


@pytest.mark.django_db
def test_baoding_fields_stored():
    import_cap(_read("real-feeds/cn-baoding-thunder-update.xml"), source="upload")
    alert = ImportedAlert.objects.get()
    assert alert.language == "zh-CN" and alert.event == "雷电" and alert.level == 3
    assert alert.division_code == "130602000000"
    assert alert.msg_type == "Update" and alert.references[0][1] == "13060041600000_20240712073642"


def _baoding_original() -> bytes:
    text = _read("real-feeds/cn-baoding-thunder-update.xml").decode("utf-8")
    text = text.replace("<identifier>13060041600000_20240712213138</identifier>",
                        "<identifier>13060041600000_20240712073642</identifier>")
    text = text.replace("<msgType>Update</msgType>", "<msgType>Alert</msgType>")
    start = text.index("<references>")
    end = text.index("</references>") + len("</references>")
    return (text[:start] + text[end:]).encode("utf-8")


@pytest.mark.django_db
@pytest.mark.parametrize("original_first", [True, False])
def test_update_is_linked_to_original_in_either_order(original_first):
    documents = [_baoding_original(), _read("real-feeds/cn-baoding-thunder-update.xml")]
    for raw in documents if original_first else reversed(documents):
        assert import_cap(raw, source="upload").decision == "accept"
    original = ImportedAlert.objects.get(identifier="13060041600000_20240712073642")
    update = ImportedAlert.objects.get(identifier="13060041600000_20240712213138")
    assert update.updates == original
    assert original.state == "superseded"


@pytest.mark.django_db
def test_cancel_without_info_cancels_the_original():
    original = (b'<?xml version="1.0" encoding="UTF-8"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">'
                b"<identifier>1017033100951096-517189320160225203219800</identifier><sender>AtHoc</sender>"
                b"<sent>2016-02-25T12:32:19-08:00</sent><status>Actual</status><msgType>Alert</msgType><scope>Public</scope>"
                b"<info><category>Safety</category><event>Test event</event><urgency>Immediate</urgency>"
                b"<severity>Severe</severity><certainty>Observed</certainty><headline>Shelter in place</headline></info></alert>")
    assert import_cap(original, source="api").decision == "accept"
    cancel = import_cap(_read("invalid/no_info_tag.cap"), source="api")
    assert cancel.decision == "accept_with_note"
    first = ImportedAlert.objects.get(identifier="1017033100951096-517189320160225203219800")
    assert first.state == "cancelled"
    assert first.followups.get().msg_type == "Cancel"


XXE = b"""<?xml version="1.0"?><!DOCTYPE alert [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&xxe;</identifier></alert>"""
LAUGHS = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;">]><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">&lol3;</alert>"""


@pytest.mark.django_db
@pytest.mark.parametrize("raw", [XXE, LAUGHS, b"<alert" + b" " * (3 * 1024 * 1024) + b"/>", b"not xml at all"],
                         ids=["xxe", "entity-expansion", "oversized", "not-xml"])
def test_hostile_or_broken_xml_is_refused_without_harm(raw):
    record = import_cap(raw, source="api")
    assert record.decision == "reject" and record.reasons
    assert ImportedAlert.objects.count() == 0
    assert "root:" not in " ".join(record.reasons)  # no file content leaked


def _future_cap(identifier_seq=0, msg_type="Alert", references=None) -> bytes:
    now = timezone.now().replace(microsecond=0)
    message = WarningMessage(
        sender_code="21090041600000", sender_name="阜新市气象台（示例）", category="Met", event="大风", level=4,
        sent=now - dt.timedelta(minutes=identifier_seq), effective=now - dt.timedelta(minutes=5),
        expires=now + dt.timedelta(hours=6), seq=identifier_seq, msg_type=msg_type, references=references or [],
        areas=[WarningArea("彰武县", ["210922"], polygons=[[(122.3, 42.3), (122.6, 42.3), (122.6, 42.6)]])],
        description="预计彰武县将出现6级以上大风。", instruction="注意关好门窗。")
    return build_cap(message)


@pytest.mark.django_db
def test_active_imported_alert_shows_on_the_map():
    from yingji.warnings.selectors import map_features

    import_cap(_future_cap(), source="upload")
    features = map_features(None)["features"]
    imported = [f for f in features if f["properties"]["source"] == "imported"]
    assert len(imported) == 1 and imported[0]["geometry"]["type"] == "Polygon"
    assert imported[0]["properties"]["level"] == 4


@pytest.mark.django_db
def test_api_import_by_body_and_by_file(api_client, make_user):
    duty = make_user("duty_api", "duty_officer")
    client = api_client(duty)
    raw = _future_cap()
    response = client.post("/api/v1/cap-imports/", raw, content_type="application/cap+xml")
    assert response.status_code == 201 and response.json()["new_alerts"] == 1
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client.post("/api/v1/cap-imports/", {"file": SimpleUploadedFile("a.xml", raw)})
    assert response.status_code == 201 and response.json()["duplicate_alerts"] == 1
    bad = client.post("/api/v1/cap-imports/", XXE, content_type="application/xml")
    assert bad.status_code == 422 and bad.json()["decision"] == "reject"
    viewer = api_client(make_user("viewer_api", "readonly"))
    assert viewer.post("/api/v1/cap-imports/", raw, content_type="application/xml").status_code == 403
    listing = client.get("/api/v1/imported-alerts/?active=1").json()
    assert listing["count"] == 1


@pytest.mark.django_db
def test_feed_polling_atom_and_plain_cap(gateway, settings):
    settings.YINGJI_FEED_ALLOWED_HOSTS = ["127.0.0.1"]  # the test gateway runs on this machine
    first, second = _future_cap(0), _future_cap(1)
    gateway.pages["/cap/1.xml"] = first
    gateway.pages["/cap/2.xml"] = second
    gateway.pages["/feed.atom"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><feed xmlns="http://www.w3.org/2005/Atom"><id>x</id><title>t</title>'
        b"<updated>2025-01-01T00:00:00Z</updated>"
        b'<entry><id>1</id><title>a</title><updated>2025-01-01T00:00:00Z</updated><link type="application/cap+xml" href="/cap/1.xml"/></entry>'
        b'<entry><id>2</id><title>b</title><updated>2025-01-01T00:00:00Z</updated><link href="cap/2.xml"/></entry></feed>')
    atom = CapFeed.objects.create(name="气象台 Atom", url=gateway.url + "/feed.atom", division_code="210900000000")
    assert poll_feed(atom) == "Atom：新增 2，重复 0，拒收 0"
    assert poll_feed(atom) == "Atom：新增 0，重复 2，拒收 0"
    plain = CapFeed.objects.create(name="单条 CAP", url=gateway.url + "/cap/1.xml", division_code="210900000000")
    assert poll_feed(plain).startswith("接收：新增 0，重复 1")
    assert poll_feed(plain) == "内容未变化"
    broken = CapFeed.objects.create(name="坏地址", url=gateway.url + "/missing", division_code="210900000000")
    assert poll_feed(broken).startswith("获取失败")
    assert ImportedAlert.objects.count() == 2
    assert CapImport.objects.filter(source="feed").count() == 3


@pytest.mark.django_db
def test_oversized_cap_is_refused_unparsed_and_only_its_hash_and_first_kilobyte_kept(api_client, make_user):
    import hashlib

    client = api_client(make_user("duty_big", "duty_officer"))
    raw = _future_cap()
    padding = b"<!--" + b"x" * (1024 * 1024) + b"-->"
    big = raw.replace(b"?>", b"?>" + padding, 1)
    response = client.post("/api/v1/cap-imports/", big, content_type="application/cap+xml")
    assert response.status_code == 422 and response.json()["decision"] == "reject"
    record = CapImport.objects.get()
    assert "过大" in record.reasons[0] and "1024 KB" in record.reasons[0]
    assert len(bytes(record.raw)) == 1024 and bytes(record.raw) == big[:1024]
    assert record.sha256 == hashlib.sha256(big).hexdigest()
    assert not ImportedAlert.objects.exists()


@pytest.mark.django_db
def test_import_keeps_every_info_block_and_field_and_re_exports_unchanged(make_user):
    """The bilingual Baoding message: both info blocks, scope, category, responseType,
    eventCode, parameters, web, contact; the page shows them in Chinese with the codes on hover;
    the export is the message as received (issue 14)."""
    from django.test import Client

    from tests.conftest import PASSWORD

    raw = (CAP_DATA / "real-feeds" / "cn-baoding-thunder-update.xml").read_bytes()
    import_cap(raw, source="upload")
    alert = ImportedAlert.objects.get()
    assert alert.scope == "Public" and len(alert.infos) == 2
    assert {i["language"] for i in alert.infos} == {"zh-CN", "en-US"}
    zh = next(i for i in alert.infos if i["language"] == "zh-CN")
    assert zh["categories"] and zh["urgency"] and zh["instruction"] is not None
    assert alert.cap_xml == raw.decode("utf-8")
    client = Client()
    make_user("reader", "duty_officer")
    assert client.login(username="reader", password=PASSWORD)
    page = client.get(f"/warnings/imported/{alert.pk}/").content.decode()
    assert page.count('data-testid="cap-info"') == 2 and '<span title="en-US">英文</span>' in page
    assert "正式" in page and 'title="Actual"' in page and "气象" in page
    exported = client.get(f"/warnings/imported/{alert.pk}/cap.xml")
    assert exported["Content-Type"] == "application/cap+xml" and exported.content == raw


@pytest.mark.django_db
def test_re_export_keeps_a_latin1_message_byte_for_byte():
    from yingji.warnings.imports import document_bytes

    raw = (CAP_DATA / "real-feeds" / "earthquake-iso8859-1.cap").read_bytes()
    import_cap(raw, source="upload")
    alert = ImportedAlert.objects.get()
    assert document_bytes(alert.cap_xml) == raw


@pytest.mark.django_db
def test_zero_radius_circle_is_a_point_not_dropped():
    when = timezone.now()
    raw = build_cap(WarningMessage(
        sender_code="21090041600000", sender_name="阜新市应急管理局", category="Met", event="大风", level=4,
        sent=when, effective=when, onset=None, expires=when + dt.timedelta(days=1),
        areas=[WarningArea(desc="气象站", circles=[(122.43, 42.49, 0.0)])], description="示例", instruction="注意"))
    import_cap(raw, source="upload")
    alert = ImportedAlert.objects.get()
    assert alert.geometry["type"] == "Point" and list(alert.geometry["coordinates"]) == [122.43, 42.49]


@pytest.mark.django_db
def test_rss_feed_is_followed(gateway, settings):
    settings.YINGJI_FEED_ALLOWED_HOSTS = ["127.0.0.1"]
    gateway.pages["/cap/a.xml"] = _future_cap(5)
    gateway.pages["/cap/b.xml"] = _future_cap(6)
    gateway.pages["/rss.xml"] = (
        b'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>t</title><link>http://x/</link>'
        b"<description>d</description>"
        b'<item><title>a</title><enclosure url="/cap/a.xml" type="application/cap+xml" length="1"/></item>'
        b"<item><title>b</title><link>cap/b.xml</link></item></channel></rss>")
    feed = CapFeed.objects.create(name="RSS 源", url=gateway.url + "/rss.xml", division_code="210900000000")
    assert poll_feed(feed) == "RSS：新增 2，重复 0，拒收 0"
    assert ImportedAlert.objects.count() == 2


def _cap_for(division: str, seed: int) -> bytes:
    when = timezone.now().replace(microsecond=0) + dt.timedelta(seconds=seed)
    return build_cap(WarningMessage(
        sender_code=f"{division[:6]}41600000", sender_name="示例气象台", category="Met", event="大风", level=4,
        sent=when, effective=when, onset=None, expires=when + dt.timedelta(days=1),
        areas=[WarningArea(desc="示例区域", division_codes=[division])], description="示例", instruction="注意"))


@pytest.mark.django_db
def test_imported_alerts_and_receipts_are_scoped(make_user, api_client):
    """A county sees alerts for its county, for the city and province that contain it and those
    without a Chinese area code; not another county's, nor the receipts that brought them
    (issue 13, finding 2)."""
    from tests.conftest import HAIZHOU, ZHANGWU

    for seed, division in enumerate([ZHANGWU, HAIZHOU, "210900000000", "210000000000"]):
        import_cap(_cap_for(division, seed), source="cli")
    zhangwu = api_client(make_user("zw_duty", "duty_officer", ZHANGWU))
    ids = {a["id"] for a in zhangwu.get("/api/v1/imported-alerts/").json()["items"]}
    seen = set(ImportedAlert.objects.filter(pk__in=ids).values_list("division_code", flat=True))
    assert seen == {ZHANGWU, "210900000000", "210000000000"}
    receipts = zhangwu.get("/api/v1/cap-imports/").json()
    assert receipts["count"] == 3
    hz_receipt = ImportedAlert.objects.get(division_code=HAIZHOU).cap_import_id
    assert zhangwu.get(f"/api/v1/cap-imports/{hz_receipt}").status_code == 404
    hz_alert = ImportedAlert.objects.get(division_code=HAIZHOU).pk
    from django.test import Client

    from tests.conftest import PASSWORD

    page = Client()
    assert page.login(username="zw_duty", password=PASSWORD)
    assert page.get(f"/warnings/imported/{hz_alert}/").status_code == 404
    city = api_client(make_user("city_duty", "duty_officer", "210900000000"))
    assert city.get("/api/v1/imported-alerts/").json()["count"] == 4
