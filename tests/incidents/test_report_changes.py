"""首报 and later reports start from the last known figures (the intake's, then the previous
report's) and say what changed, field by field (issue 14): stored on the report, on the timeline, in
the reports table, in the API and in the generated document."""

from __future__ import annotations

import io

from django.test import Client

from tests.conftest import PASSWORD
from tests.incidents.conftest import ART12
from yingji.incidents.documents import body_sections, build_docx
from yingji.incidents.models import TimelineEntry
from yingji.incidents.services import file_report


def report(user, incident, kind, **extra):
    return file_report(user, incident, kind, {**ART12, "issuer": "李局长", **extra})


def _login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_first_report_without_figures_keeps_the_intake_figures(officers, incident):
    first = report(officers["zhangwu"], incident, "first")  # the intake said 2 injured; nothing typed again
    assert first.injuries == 2 and first.compared_with == "接报" and first.changes == []
    entry = TimelineEntry.objects.filter(incident=incident, kind="report").latest("id")
    assert "轻伤2" in entry.text and "数字与接报相同" in entry.text


def test_each_report_records_what_changed_against_the_previous_one(officers, incident):
    zw = officers["zhangwu"]
    report(zw, incident, "first", deaths=1)
    follow = report(zw, incident, "follow_up", deaths=3, injuries=2, direct_loss_yuan="1500000")
    assert follow.compared_with == "首报"
    assert follow.changes == [
        {"field": "deaths", "label": "死亡", "before": "1", "after": "3"},
        {"field": "direct_loss_yuan", "label": "直接经济损失", "before": "0万元", "after": "150万元"},
    ]
    second = report(zw, incident, "follow_up", injuries=5)  # deaths and loss carried over, not re-typed
    assert (second.deaths, second.direct_loss_yuan) == (3, 1500000)
    assert second.compared_with == "续报（第1次）" and [c["field"] for c in second.changes] == ["injuries"]
    entry = TimelineEntry.objects.filter(incident=incident, kind="report").latest("id")
    assert "较续报（第1次）：轻伤 2→5" in entry.text


def test_first_report_compared_with_the_intake(officers, incident):
    first = report(officers["zhangwu"], incident, "first", injuries=4, trapped=1)
    assert [(c["label"], c["before"], c["after"]) for c in first.changes] == [("轻伤", "2", "4"), ("被困", "0", "1")]


def test_changes_in_the_document_the_page_and_the_api(officers, incident, api_client):
    from docx import Document

    zw = officers["zhangwu"]
    report(zw, incident, "first")
    follow = report(zw, incident, "follow_up", deaths=2)
    sections = dict(body_sections(follow))
    assert sections["附：与首报相比的变化"] == "死亡：0 → 2"
    text = "\n".join(p.text for p in Document(io.BytesIO(build_docx(follow))).paragraphs)
    assert "附：与首报相比的变化" in text and "死亡：0 → 2" in text
    page = _login(zw).get(f"/incidents/{incident.pk}/").content.decode()
    assert "较首报：" in page and "死亡 0 → <strong>2</strong>" in page and "与接报相同" in page
    body = api_client(zw).get(f"/api/v1/incidents/{incident.pk}").json()
    latest = body["reports"][-1]
    assert latest["compared_with"] == "首报" and latest["changes"][0]["after"] == "2"


def test_report_form_is_prefilled_and_shows_the_previous_figures(officers, incident):
    zw = officers["zhangwu"]
    client = _login(zw)
    form = client.get(f"/incidents/{incident.pk}/report/first/").content.decode()
    assert 'name="injuries" value="2" data-previous="2"' in form and "接报：2" in form
    assert 'name="direct_loss_yuan" value="0.00" data-previous="0.00"' in form and "接报：0万元" in form
    report(zw, incident, "first", deaths=1)
    form = client.get(f"/incidents/{incident.pk}/report/follow_up/").content.decode()
    assert 'name="deaths" value="1" data-previous="1"' in form and "已按首报的数字填好" in form


def test_a_report_form_is_offered_only_when_the_report_can_be_filed(officers, incident):
    """After the 终报 the 续报 form still opened and its 报送 answered '不能执行“续报”'."""
    zw = officers["zhangwu"]
    client = _login(zw)
    report(zw, incident, "first")
    report(zw, incident, "final")
    response = client.get(f"/incidents/{incident.pk}/report/follow_up/", follow=True)
    assert response.redirect_chain[-1][0] == f"/incidents/{incident.pk}/"
    assert "该事件当前不能报送续报" in response.content.decode()
