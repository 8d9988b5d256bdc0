"""The console pages render for a duty officer and a county user sees only its own incidents."""

from __future__ import annotations

import uuid

from django.test import Client

from tests.conftest import ZHANGWU, ZHANGWU_POINT
from tests.incidents.conftest import ART12
from yingji.incidents.models import Incident
from yingji.jobs.models import TaskRun
from yingji.jobs.services import run_pending


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_intake_form_double_submit_creates_one_incident(officers):
    client = login(officers["zhangwu"])
    page = client.get("/incidents/new/").content.decode()
    assert 'name="client_token"' in page
    form = {"client_token": str(uuid.uuid4()), "source": "public", "title": "彰武县某村房屋倒塌", "type_code": "accident.construction",
            "description": "村民报告一处在建房屋倒塌", "division_code": ZHANGWU, "lon": ZHANGWU_POINT[0], "lat": ZHANGWU_POINT[1],
            "coord_source": "WGS84", "trapped": "2"}
    first = client.post("/incidents/new/", form)
    second = client.post("/incidents/new/", form)
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"]
    assert Incident.objects.count() == 1
    detail = client.get(first["Location"]).content.decode()
    assert "彰武县某村房屋倒塌" in detail and 'data-testid="countdown"' in detail and "电话报告" in detail


def test_intake_form_shows_chinese_error_and_keeps_input(officers):
    client = login(officers["zhangwu"])
    response = client.post("/incidents/new/", {"client_token": str(uuid.uuid4()), "title": "测试", "type_code": "accident.fire",
                                               "description": "x", "deaths": "-3", "division_code": ZHANGWU})
    assert response.status_code == 400
    body = response.content.decode()
    assert "不能为负数" in body and 'value="测试"' in body
    assert Incident.objects.count() == 0


def test_console_board_stats_and_documents(officers, incident):
    client = login(officers["zhangwu"])
    for url in ("/incidents/", "/incidents/board/", "/incidents/stats/", f"/incidents/{incident.pk}/",
                f"/incidents/{incident.pk}/report/first/", "/duty/", "/duty/handovers/", "/duty/daily/"):
        response = client.get(url)
        assert response.status_code == 200, url
    client.post(f"/incidents/{incident.pk}/report/first/", {**ART12, "issuer": "李局长", "report_at": "", "deaths": "0"})
    report = incident.reports.get()
    # The document is generated in the background: the link opens its progress page.
    queued = client.get(f"/incidents/reports/{report.pk}/docx/")
    job = TaskRun.objects.get(task_path="yingji.incidents.document_jobs.run_document_job")
    assert queued.status_code == 302 and queued["Location"] == f"/incidents/documents/{job.pk}/"
    waiting = client.get(queued["Location"]).content.decode()
    assert f'data-progress-job="{job.pk}"' in waiting and "正在后台生成文档" in waiting
    assert client.get(f"/incidents/documents/{job.pk}/download").status_code == 404  # not ready yet
    assert run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("done", 3, 3)
    done = client.get(queued["Location"]).content.decode()
    assert "已生成Word文档《" in done and "下载" in done
    docx = client.get(f"/incidents/documents/{job.pk}/download")
    assert docx.status_code == 200 and docx["Content-Type"].endswith("wordprocessingml.document")
    assert docx.content.startswith(b"PK")
    assert client.get(f"/incidents/reports/{report.pk}/odt/").status_code == 400
    other = login(officers["haizhou"])
    assert other.get(f"/incidents/documents/{job.pk}/").status_code == 404
    assert other.get(f"/incidents/documents/{job.pk}/download").status_code == 404
    assert other.get(f"/incidents/{incident.pk}/").status_code == 403
    assert incident.title not in other.get("/incidents/").content.decode()


def test_losses_read_in_wan_yuan_on_the_page_and_in_the_timeline(officers, incident):
    """Losses are entered in 元 and read as a report states them (issue 14: 万元)."""
    client = login(officers["zhangwu"])
    client.post(f"/incidents/{incident.pk}/report/first/",
                {**ART12, "issuer": "李局长", "report_at": "", "deaths": "0", "direct_loss_yuan": "3512345"})
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert "<dt>直接经济损失</dt><dd>351.23万元</dd>" in page
    assert "直接经济损失351.23万元" in page  # the timeline line of the report
