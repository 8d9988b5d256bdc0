"""A warning to more subscribers than the request should list is published at once and targeted on
the job queue step by step, with progress on the job, live events on the ``progress`` channel, a
progress bar on the page and a final summary (counts, time); stopping or lifting it mid-way stops
the run (issue 14, long operations)."""

import pytest
from django.test import Client

from tests.conftest import HAIZHOU, PASSWORD, ZHANGWU
from tests.warnings.conftest import publish, warning_data
from yingji.jobs.models import TaskRun
from yingji.jobs.services import run_pending
from yingji.live.models import LiveEvent
from yingji.warnings import bulk, services
from yingji.warnings.models import Delivery, Subscriber


@pytest.fixture
def crowd(db):
    return [Subscriber.objects.create(phone=f"138{i:08d}", division_code=ZHANGWU) for i in range(12)]


@pytest.fixture
def background(monkeypatch):
    """Anything above 5 public recipients goes to the background, in steps of 4 subscriber ids."""
    monkeypatch.setenv("YINGJI_TARGETING_SYNC_LIMIT", "5")
    monkeypatch.setattr(bulk, "CHUNK", 4)


def _login(user):
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_small_warning_is_targeted_while_publishing(roles, channels, crowd):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    targeting = warning.dissemination["targeting"]
    assert targeting["mode"] == "sync" and targeting["status"] == "done" and targeting["counts"]["public"] == 12
    assert not TaskRun.objects.filter(task_path=bulk.run.module_path).exists()


def test_large_warning_is_targeted_in_the_background_with_progress(roles, channels, crowd, background,
                                                                  django_capture_on_commit_callbacks):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    targeting = warning.dissemination["targeting"]
    assert targeting["mode"] == "background" and targeting["estimate"] == 12
    assert not Delivery.objects.filter(warning=warning, recipient_kind="public").exists()
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()
    assert f'data-progress-job="{targeting["job"]}"' in page and "正在生成投递名单" in page

    with django_capture_on_commit_callbacks(execute=True):
        assert run_pending() == 1
    job = TaskRun.objects.get(pk=targeting["job"])
    assert job.status == "done" and job.progress_done == job.progress_total >= 4  # 3 id ranges + officials + endpoints
    events = list(LiveEvent.objects.filter(channel="progress", data__job=job.pk).order_by("id"))
    assert [e.data["done"] for e in events][0] == 0 and events[-1].data["status"] == "done"
    assert events[-1].division_code == warning.division_code
    warning.refresh_from_db()
    summary = warning.dissemination["targeting"]
    assert summary["status"] == "done" and summary["counts"]["public"] == 12
    assert Delivery.objects.filter(warning=warning, recipient_kind="public", status="queued").count() == 12
    page = _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()
    assert "投递名单已生成：共" in page and "公众 12 条" in page and "用时" in page and "后台生成" in page
    assert "data-progress-job" not in page


def test_progress_status_is_only_for_the_jobs_scope(roles, channels, crowd, background, make_user):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    job_id = warning.dissemination["targeting"]["job"]
    mine = _login(roles["drafter"]).get(f"/live/progress/{job_id}")
    assert mine.status_code == 200 and mine.json()["status_label"] == "排队"
    other = _login(make_user("hz_admin", "county_admin", region=HAIZHOU)).get(f"/live/progress/{job_id}")
    assert other.status_code == 404 and other.json()["error"]["message"] == "后台任务不存在"


def test_stop_while_listing_stops_the_run(roles, channels, crowd, background):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    services.stop_deliveries(roles["drafter"], warning, "内容有误")
    run_pending()
    warning.refresh_from_db()
    assert warning.dissemination["targeting"]["status"] == "stopped"
    assert not Delivery.objects.filter(warning=warning, status="queued").exists()
    assert "投递名单已停止" in _login(roles["drafter"]).get(f"/warnings/{warning.pk}/").content.decode()


def test_lifted_before_the_run_sends_nothing_of_the_original(roles, channels, crowd, background):
    original = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    publish(services.derive_warning(roles["drafter"], original, "lift"), roles)
    run_pending()
    run_pending()
    original.refresh_from_db()
    assert original.dissemination["targeting"]["status"] == "stopped"
    assert not Delivery.objects.filter(warning=original, status="queued").exists()


def test_a_resumed_run_sends_nobody_twice(roles, channels, crowd, background):
    warning = publish(services.create_warning(roles["drafter"], warning_data()), roles)
    steps = bulk.dissemination.steps_for(warning, chunk=4)
    steps[0][1]()  # a first attempt listed the first id range, then died
    run_pending()
    assert Delivery.objects.filter(warning=warning, recipient_kind="public").count() == 12
    warning.refresh_from_db()
    assert warning.dissemination["targeting"]["counts"]["public"] == 12
