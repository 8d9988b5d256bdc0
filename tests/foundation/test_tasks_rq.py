"""YINGJI_TASKS=rq: the same background tasks on Redis through RQ (django-tasks-rq), run by an RQ
worker with the task job class — what ``yingji worker`` runs in that mode. The console's record of
a run (status, attempts, retry) is the same as on the database backend (issue 20)."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time

import django_rq
import pytest
import redis
from django_tasks_db.models import DBTaskResult
from django_tasks_rq import Job as TaskJob
from rq import SimpleWorker
from rq.registry import ScheduledJobRegistry

from tests.conftest import ZHANGWU
from tests.foundation.test_tasks import CALLS, failing_task, note_task
from yingji.jobs import services


@pytest.fixture
def redis_url(tmp_path):
    """A Redis of the test's own when the server is installed, else the install's (CI: YINGJI_REDIS_URL)."""
    binary = shutil.which("redis-server")
    if binary is None:
        yield os.environ.get("YINGJI_REDIS_URL") or "redis://127.0.0.1:6379/15"
        return
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                                "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        client = redis.Redis(port=port)
        for _ in range(100):  # until it answers
            try:
                client.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.1)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.fixture
def rq_backend(settings, redis_url):
    settings.RQ_QUEUES = {"default": {"URL": redis_url, "DEFAULT_TIMEOUT": 600}}
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
    django_rq.get_connection("default").flushdb()
    CALLS.clear()
    yield django_rq.get_queue("default")
    django_rq.get_connection("default").flushdb()


class _BurstWorker(SimpleWorker):
    """A burst run takes no commands, so it does not listen on RQ's command channel: stopping that
    listener waits out its 60 s read when the unsubscribe reply wins the race (redis-py 8's
    ``PubSubWorkerThread.stop`` joins the thread), which cost the suite a minute now and then."""

    def subscribe(self):
        pass


def _work() -> None:
    """An RQ worker in burst mode (no fork: in this thread, on the test's connection and transaction)."""
    django_rq.get_worker("default", job_class=TaskJob, worker_class=_BurstWorker).work(burst=True)


@pytest.mark.django_db
def test_tasks_run_on_redis_through_rq_with_the_same_runs_and_retries(rq_backend, django_capture_on_commit_callbacks):
    on_database = DBTaskResult.objects.count()
    with django_capture_on_commit_callbacks(execute=True):  # RQ is told after the commit
        run = services.enqueue(note_task, {"word": "红"}, division_code=ZHANGWU)
    run.refresh_from_db()
    assert run.task_result_id and rq_backend.count == 1  # on Redis after the commit
    assert DBTaskResult.objects.count() == on_database  # nothing on the database queue
    _work()
    run.refresh_from_db()
    assert (run.status, run.attempts, run.progress_text, CALLS) == ("done", 1, "完成：红", [{"word": "红"}])

    with django_capture_on_commit_callbacks(execute=True):
        failing = services.enqueue(failing_task, {}, division_code=ZHANGWU)
    with django_capture_on_commit_callbacks(execute=True):  # the retry goes to RQ after the attempt's commit
        _work()
    failing.refresh_from_db()
    assert (failing.status, failing.attempts) == ("retrying", 1)
    assert failing.outcome_text == "第 1 次执行失败，等待自动重试（最多 3 次）"
    # The retry waits out its back-off in RQ's scheduler (``yingji worker`` runs it --with-scheduler).
    assert failing.task_result_id in ScheduledJobRegistry(queue=rq_backend).get_job_ids()
