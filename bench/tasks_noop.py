"""The task of ``bench.bench_tasks``: does nothing, so the figure is the queue's own cost."""

from yingji.jobs.services import task


@task("基准测试空任务", max_attempts=1)
def noop(payload: dict) -> None:
    return None
