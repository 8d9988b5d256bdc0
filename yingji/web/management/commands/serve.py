"""``yingji serve [--host H] [--port P] [--workers N]``."""

import os

from yingji.core.management.base import YingjiCommand
from yingji.web.serving import serve


class Command(YingjiCommand):
    help = "启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--workers", type=int, default=int(os.environ.get("YINGJI_WEB_WORKERS", "1") or 1),
                            help="Web 工作进程数（默认 1；多进程时后台任务只在主进程运行一次）")

    def handle(self, host, port, workers, **options):
        if workers < 1:
            self.fail("--workers 至少为 1")
        suffix = f"（{workers} 个工作进程）" if workers > 1 else ""
        self.stdout.write(f"应急管理综合应用平台：http://{host}:{port}/{suffix}")
        self.stdout.flush()
        serve(host, port, workers)
