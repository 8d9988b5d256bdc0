"""Background work runs through Django's Tasks interface (django_tasks, database backend): a task
enqueued with ``.enqueue()`` is run by the library's worker; one that keeps failing is retried with
back-off and ends "failed after N attempts" where the console shows it; a run whose worker died is
taken back when its lease runs out (issue 20)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import HAIZHOU, PASSWORD, ZHANGWU
from yingji.jobs import services
from yingji.jobs.models import TaskRun
from yingji.jobs.progress import Tracker
from yingji.live.models import LiveEvent

CALLS: list[dict] = []


@services.task("测试记录", max_attempts=1)
def note_task(payload: dict) -> None:
    """Leaves a trace the test can see, and reports progress like a real operation."""
    tracker = Tracker(services.current_run(), total=2, text="开始")
    CALLS.append(payload)
    tracker.advance(text="进行中")
    tracker.finish(text=f"完成：{payload['word']}", result={"word": payload["word"]})


@services.task("测试失败", max_attempts=3)
def failing_task(payload: dict) -> None:
    raise RuntimeError("gateway down")


def _due_now(run: TaskRun) -> None:
    """The back-off has passed (the retry's task result becomes due)."""
    DBTaskResult.objects.filter(id=run.task_result_id).update(run_after=timezone.now())


def _watch(make_user) -> Client:
    user = make_user("zw_admin", "county_admin", region=ZHANGWU)
    client = Client()
    assert client.login(username=user.username, password=PASSWORD)
    return client


@pytest.fixture(autouse=True)
def _calls():
    CALLS.clear()


@pytest.mark.django_db
def test_a_task_enqueued_through_the_tasks_interface_is_run_by_the_worker(make_user, django_capture_on_commit_callbacks):
    run = services.enqueue(note_task, {"word": "你好"}, division_code=ZHANGWU)
    result = DBTaskResult.objects.get(id=run.task_result_id)  # the library's own queue row
    assert result.status == "READY" and result.task_path == "tests.foundation.test_tasks.note_task"
    assert result.args_kwargs == {"args": [run.pk], "kwargs": {}}
    client = _watch(make_user)
    assert client.get(f"/live/progress/{run.pk}").json()["status_label"] == "排队"

    with django_capture_on_commit_callbacks(execute=True):
        assert services.run_pending() == 1
    assert CALLS == [{"word": "你好"}]
    result.refresh_from_db()
    run.refresh_from_db()
    assert result.status == "SUCCESSFUL" and len(result.worker_ids) == 1
    assert (run.status, run.attempts, run.progress_done, run.progress_total) == ("done", 1, 2, 2)
    status = client.get(f"/live/progress/{run.pk}").json()
    assert status["status_label"] == "完成" and status["text"] == "完成：你好" and status["result"] == {"word": "你好"}
    assert [e.data["done"] for e in LiveEvent.objects.filter(channel="progress", data__job=run.pk).order_by("id")][-1] == 2
    assert services.run_pending() == 0  # nothing left


@pytest.mark.django_db
def test_a_failing_task_is_retried_with_back_off_and_shows_failed_after_n_attempts(make_user,
                                                                                   django_capture_on_commit_callbacks):
    run = services.enqueue(failing_task, {}, division_code=ZHANGWU)
    client = _watch(make_user)
    delays = []
    for attempt in (1, 2):
        before = timezone.now()
        assert services.run_pending() == 1
        run.refresh_from_db()
        assert (run.status, run.attempts) == ("retrying", attempt)
        status = client.get(f"/live/progress/{run.pk}").json()
        assert status["status_label"] == "等待重试"
        assert status["outcome"] == f"第 {attempt} 次执行失败，等待自动重试（最多 3 次）"
        retry = DBTaskResult.objects.get(id=run.task_result_id)
        assert retry.status == "READY" and retry.run_after > before
        delays.append(retry.run_after - before)
        assert services.run_pending() == 0  # not before its back-off
        _due_now(run)
    assert delays[1] > delays[0]  # the back-off grows
    with django_capture_on_commit_callbacks(execute=True):  # the live event goes out on commit
        assert services.run_pending() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("failed", 3) and "gateway down" in run.last_error
    status = client.get(f"/live/progress/{run.pk}").json()
    assert status["status_label"] == "失败" and status["outcome"] == "已尝试 3 次仍失败"
    attempts = DBTaskResult.objects.filter(task_path="tests.foundation.test_tasks.failing_task")
    assert attempts.count() == 3 and set(attempts.values_list("status", flat=True)) == {"FAILED"}
    assert all("RuntimeError: gateway down" in a.traceback for a in attempts)
    assert services.run_pending() == 0  # no fourth attempt
    events = LiveEvent.objects.filter(channel="progress", data__job=run.pk).order_by("id")
    assert events.last().data["text"] == "已尝试 3 次仍失败"
    # The 后台任务 page of the console lists it with its attempts, for the administrators of its scope.
    page = client.get("/tasks/?status=failed").content.decode()
    assert "测试失败" in page and "已尝试 3 次仍失败" in page and "3 / 3" in page and "gateway" not in page
    other = Client()
    assert other.login(username=make_user("hz_admin", "county_admin", region=HAIZHOU).username, password=PASSWORD)
    assert "测试失败" not in other.get("/tasks/").content.decode()
    viewer = Client()
    assert viewer.login(username=make_user("zw_viewer", "viewer", region=ZHANGWU).username, password=PASSWORD)
    assert viewer.get("/tasks/").status_code == 403


@pytest.mark.django_db
def test_a_run_whose_worker_died_is_taken_back_when_its_lease_runs_out():
    run = services.enqueue(note_task, {"word": "再来"}, division_code=ZHANGWU)
    first = DBTaskResult.objects.get(id=run.task_result_id)
    first.claim("dead-worker")  # a worker took it, then its process was killed
    TaskRun.objects.filter(pk=run.pk).update(status="running", attempts=1, max_attempts=2,
                                             lease_until=timezone.now() - services.LEASE)
    assert services.reap(timezone.now() - 2 * services.LEASE) == 0  # not before the lease ends
    assert services.reap() == 1
    run.refresh_from_db()
    first.refresh_from_db()
    assert run.status == "retrying" and "租约" in run.last_error
    assert run.outcome_text == "第 1 次执行进程中断，等待自动重试（最多 2 次）"
    assert first.status == "FAILED"
    _due_now(run)
    assert services.run_pending() == 1
    run.refresh_from_db()
    assert (run.status, run.attempts, CALLS) == ("done", 2, [{"word": "再来"}])


# The embedded worker (the database backend's worker in a thread of `yingji serve`) is exercised end to end
# by tests/exchange/test_two_installations.py: two real server processes whose deliveries are tasks.
