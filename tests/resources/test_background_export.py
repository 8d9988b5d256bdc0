"""A registry export above the in-request limit is built in the background: the page shows a
progress bar that moves with the rows written (job progress + live events), then a summary (rows,
size, time) and the download, for the user who asked only (issue 14, long operations)."""

from __future__ import annotations

import csv
import io

import pytest
from django.test import Client

from tests.conftest import HAIZHOU, PASSWORD, ZHANGWU
from yingji.core import exports, tabular
from yingji.jobs import progress
from yingji.jobs.models import TaskRun
from yingji.jobs.services import run_pending
from yingji.live.models import LiveEvent


@pytest.fixture
def subscribers(db):
    from yingji.warnings.models import Subscriber

    Subscriber.objects.bulk_create([Subscriber(phone=f"139{i:08d}", division_code=ZHANGWU) for i in range(30)])


@pytest.fixture
def large(monkeypatch, settings, tmp_path):
    settings.DATA_DIR = tmp_path
    monkeypatch.setenv("YINGJI_EXPORT_SYNC_LIMIT", "10")
    monkeypatch.setattr(tabular, "PROGRESS_EVERY", 7)
    monkeypatch.setattr(progress, "MIN_INTERVAL_S", 0)  # every report becomes a live event (no throttling)


def _login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_small_export_is_answered_in_the_request(make_user, subscribers):
    response = _login(make_user("city_a", "city_admin")).get("/r/subscribers/export/?format=csv")
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment")


def test_large_export_runs_in_the_background_with_progress_and_a_summary(make_user, subscribers, large,
                                                                         django_capture_on_commit_callbacks):
    admin = make_user("city_a", "city_admin")
    client = _login(admin)
    response = client.get("/r/subscribers/export/?format=csv&q=139")
    job = TaskRun.objects.get(task_path=exports.run_export_job.module_path)
    assert response.status_code == 302 and response["Location"] == f"/exports/{job.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "共 30 条" in page and f'data-progress-job="{job.pk}"' in page and "正在导出" in page
    assert client.get(f"/exports/{job.pk}/download").status_code == 404  # not ready yet

    with django_capture_on_commit_callbacks(execute=True):
        assert run_pending() == 1
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("done", 30, 30)
    done = [e.data["done"] for e in LiveEvent.objects.filter(channel="progress", data__job=job.pk).order_by("id")]
    assert done[0] == 0 and done[-1] == 30 and 7 in done  # the bar moved with the rows written
    page = client.get(f"/exports/{job.pk}/").content.decode()
    assert "导出完成：公众订阅用户共 30 条" in page and "用时" in page and "下载" in page
    download = client.get(f"/exports/{job.pk}/download")
    rows = list(csv.reader(io.StringIO(download.content.decode("utf-8-sig"))))
    assert len(rows) == 31 and rows[0][0] == "编号"
    # Only the user who asked sees the export.
    other = _login(make_user("hz_a", "county_admin", region=HAIZHOU))
    assert other.get(f"/exports/{job.pk}/").status_code == 404
    assert other.get(f"/exports/{job.pk}/download").status_code == 404


def test_unknown_format_is_refused_before_anything_is_queued(make_user, subscribers, large):
    response = _login(make_user("city_a", "city_admin")).get("/r/subscribers/export/?format=pdf")
    assert response.status_code == 400 and "不支持的导出格式" in response.content.decode()
    assert not TaskRun.objects.exists()
