"""Hazard photos (type and size checked, served within scope) and the demo's hazard data."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

pytestmark = pytest.mark.django_db


def png_bytes(size=(40, 30)) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture
def hazard(people, enterprises, registries):
    return registries["hidden-hazards"].create(people["enterprise"], {
        "enterprise": enterprises[0].pk, "title": "洗眼器无水", "description": "洗眼器无水"})


def test_photo_upload_over_the_api_and_scoped_download(hazard, people, api_client, client):
    response = api_client(people["enterprise"]).post(
        f"/api/v1/hidden-hazards/{hazard.pk}/photos",
        {"image": SimpleUploadedFile("现场.png", png_bytes(), content_type="image/png"), "stage": "discovery",
         "caption": "现场照片"})
    assert response.status_code == 201, response.content.decode()
    photo = response.json()
    assert photo["content_type"] == "image/png" and photo["stage"] == "discovery"
    client.force_login(people["supervisor"])
    served = client.get(photo["url"])
    assert served.status_code == 200 and b"".join(served.streaming_content) == png_bytes()
    client.force_login(people["other_enterprise"])
    assert client.get(photo["url"]).status_code == 403
    client.force_login(people["haizhou"])
    assert client.get(photo["url"]).status_code == 403


@pytest.mark.parametrize("name, content, message", [
    ("报告.png", b"not really an image", "不是有效的图片"),
    ("动画.gif", b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00,"
                b"\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;", "不支持的图片格式"),
])
def test_photos_of_the_wrong_type_are_refused(hazard, people, api_client, name, content, message):
    from yingji.hazards.models import HazardPhoto

    response = api_client(people["enterprise"]).post(f"/api/v1/hidden-hazards/{hazard.pk}/photos",
                                                     {"image": SimpleUploadedFile(name, content)})
    assert response.status_code == 400 and message in response.json()["error"]["message"]
    assert not HazardPhoto.objects.exists()


def test_photos_over_5_mb_are_refused(hazard, people, client):
    from yingji.hazards.models import HazardPhoto

    big = png_bytes() + b"\0" * (5 * 1024 * 1024)
    client.force_login(people["enterprise"])
    response = client.post(f"/hazards/hidden/{hazard.pk}/photos/", {"image": SimpleUploadedFile("大.png", big)})
    assert response.status_code == 400 and "超过 5 MB" in response.content.decode()
    assert not HazardPhoto.objects.exists()


def test_report_form_with_a_photo(people, enterprises, client):
    from yingji.hazards.models import HiddenHazard

    client.force_login(people["enterprise"])
    response = client.post("/hazards/hidden/new/", {
        "enterprise": enterprises[0].pk, "title": "配电室挡鼠板缺失", "description": "配电室门口无挡鼠板",
        "source": "self_check", "proposed_grade": "general", "discovered_on": "2026-11-20",
        "photos": SimpleUploadedFile("p.png", png_bytes())})
    assert response.status_code == 302, response.content.decode()
    hazard = HiddenHazard.objects.get()
    assert hazard.state == "reported" and hazard.photos.count() == 1 and hazard.created_by == people["enterprise"]


def test_demo_hazard_data(django_db_setup):
    from yingji.demo import foundation
    from yingji.hazards import demo_data
    from yingji.hazards.models import HazardSource, HiddenHazard, RiskPoint
    from yingji.rules import hidden_hazard as rules

    foundation.load_organisations()
    foundation.load_enterprises()
    foundation.load_users()
    assert demo_data.load_hazard_sources() == 37
    demo_data.load_risk_points()
    demo_data.load_inspections_and_hazards()
    assert demo_data.load_hazard_sources() == 0  # idempotent
    sources = HazardSource.objects.all()
    assert sources.count() == 37 and all(s.is_major_hazard and s.is_synthetic for s in sources)
    assert set(sources.values_list("current_grade", flat=True)) == {1, 2, 3, 4}
    assert all(s.gradings.count() == 1 and s.exposed_people >= 0 for s in sources)
    assert set(RiskPoint.objects.values_list("level", flat=True)) == {1, 2, 3, 4}
    assert set(RiskPoint.objects.values_list("method", flat=True)) == {"LEC", "LS"}
    states = Counter(HiddenHazard.objects.values_list("state", flat=True))
    assert set(states) == set(rules.STATES)
    assert any(h.is_overdue() for h in HiddenHazard.objects.all())
    escalated = HiddenHazard.objects.get(escalation_level__gt=0)
    assert escalated.grade == "major" and escalated.is_supervised and escalated.supervising_unit
