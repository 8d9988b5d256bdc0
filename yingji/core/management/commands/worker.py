"""``yingji worker``: a separate worker process (scaled mode)."""

from yingji.core.management.base import YingjiCommand
from yingji.core.background import start_background
from yingji.jobs.services import work_forever


class Command(YingjiCommand):
    help = "独立的后台任务进程"

    def handle(self, **options):
        """The job queue plus the apps' background services (deadline watcher, delivery senders,
        feed pollers...), so that web processes can run with YINGJI_INPROCESS_WORKER=0."""
        stop = start_background(include_jobs=False)
        self.stdout.write("后台任务进程已启动（Ctrl-C 退出）")
        self.stdout.flush()
        try:
            work_forever(stop)
        except KeyboardInterrupt:
            stop.set()
