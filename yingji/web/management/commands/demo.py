"""``yingji demo [--host H] [--port P] [--load-only]``: migrate, load the Fuxin demo, serve."""

from django.core.management import call_command

from yingji.core.management.base import YingjiCommand
from yingji.demo import DEMO_PASSWORD, demo_users, load_demo
from yingji.web.serving import serve


class Command(YingjiCommand):
    help = "迁移数据库、载入阜新演示数据并启动"

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--load-only", action="store_true", help="只载入演示数据，不启动服务")

    def handle(self, host, port, load_only, **options):
        call_command("migrate_quietly")
        summary = load_demo()
        self.stdout.write("演示数据（合成）：" + "，".join(f"{k} {v}" for k, v in summary.items()))
        if load_only:
            return
        self.stdout.write(f"\n应急管理综合应用平台已启动：http://{host}:{port}/\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label in demo_users():
            self.stdout.write(f"  {username:<12} {label}")
        self.stdout.write("")
        self.stdout.flush()
        serve(host, port)
