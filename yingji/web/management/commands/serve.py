"""``yingji serve [--host H] [--port P]``."""

from yingji.core.management.base import YingjiCommand
from yingji.web.serving import serve


class Command(YingjiCommand):
    help = "启动服务"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, host, port, **options):
        self.stdout.write(f"应急管理综合应用平台：http://{host}:{port}/")
        self.stdout.flush()
        serve(host, port)
