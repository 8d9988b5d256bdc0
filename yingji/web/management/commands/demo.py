"""``yingji demo [--profile NAME] [--host H] [--port P] [--load-only]``: migrate, load the demo of
a deployment profile (fuxin by default; docs/profiles.md), serve."""

from django.conf import settings
from django.core.management import CommandError, call_command

from yingji.core import profile as installation
from yingji.core.management.base import YingjiCommand
from yingji.demo import DEMO_PASSWORD, demo_users, load_demo
from yingji.profiles import ProfileError, names
from yingji.regions.models import Organisation
from yingji.web.serving import serve


class Command(YingjiCommand):
    help = "迁移数据库、载入档案（默认阜新）的合成演示数据并启动"

    def add_arguments(self, parser):
        parser.add_argument("--profile", default=None,
                            help=f"部署档案：{'、'.join(names())}（默认：已记录的档案，否则 fuxin）")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--load-only", action="store_true", help="只载入演示数据，不启动服务")

    def handle(self, profile, host, port, load_only, **options):
        recorded = settings.DATA_DIR / "profile"
        try:
            chosen = installation.switch(profile or settings.YINGJI_PROFILE)
        except ProfileError as exc:
            raise CommandError(str(exc)) from None
        call_command("migrate_quietly")
        loaded = recorded.read_text(encoding="utf-8").strip() if recorded.is_file() else "fuxin"
        if loaded != chosen.key and Organisation.objects.filter(is_synthetic=True).exists():
            raise CommandError(f"此数据库已载入“{loaded}”档案的演示数据；换用“{chosen.key}”请使用新的数据库（DATABASE_URL）"
                               "或新的数据目录（YINGJI_DATA_DIR）")
        recorded.write_text(chosen.key + "\n", encoding="utf-8")  # `yingji serve` then runs as this profile
        summary = load_demo()
        self.stdout.write(f"演示数据（合成，{chosen.name}）：" + "，".join(f"{k} {v}" for k, v in summary.items()))
        if load_only:
            return
        self.stdout.write(f"\n应急管理综合应用平台（{chosen.name}）已启动：http://{host}:{port}/\n演示账号（密码均为 {DEMO_PASSWORD}）：")
        for username, label in demo_users():
            self.stdout.write(f"  {username:<12} {label}")
        self.stdout.write("")
        self.stdout.flush()
        serve(host, port)
