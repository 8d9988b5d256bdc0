"""``yingji worker``: a separate worker process (scaled mode)."""

import threading

from django.core.management import call_command

from yingji.core.background import start_background
from yingji.core.management.base import YingjiCommand
from yingji.jobs.services import REAP_EVERY_S, reap, run_periodically, work_forever


class Command(YingjiCommand):
    help = "独立的后台任务进程"

    def handle(self, **options):
        """The background tasks plus the apps' background services (deadline watcher, delivery
        senders, feed pollers...), so that web processes can run with YINGJI_INPROCESS_WORKER=0.
        Tasks: the database backend's worker (``django_tasks_db``), or with ``YINGJI_TASKS=rq`` an
        RQ worker on the Redis queue (with its scheduler, for delayed tasks and retries)."""
        from django.conf import settings

        stop = start_background(include_jobs=False)
        self.stdout.write("后台任务进程已启动（Ctrl-C 退出）")
        self.stdout.flush()
        try:
            if settings.YINGJI_TASKS == "rq":
                run_periodically("yingji-task-leases", REAP_EVERY_S, reap, stop)  # runs whose worker died
                call_command("rqworker", "default", "--with-scheduler", "--job-class", "django_tasks_rq.Job")
            else:
                work_forever(stop, handle_signals=threading.current_thread() is threading.main_thread())
        except KeyboardInterrupt:
            pass
        finally:
            stop.set()
