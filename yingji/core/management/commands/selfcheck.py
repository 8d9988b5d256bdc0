"""``yingji check``: database, migrations, static assets, no reference to another host."""

from yingji.core.checks import holiday_reminders, run_checks
from yingji.core.management.base import YingjiCommand


class Command(YingjiCommand):
    help = "部署自检"

    def handle(self, **options):
        problems = run_checks()
        for reminder in holiday_reminders():  # a reminder, not a failure: the periods still count
            self.stdout.write(f"提醒：{reminder}")
        if problems:
            self.stdout.write("检查未通过：")
            for problem in problems:
                self.stdout.write(f"  - {problem}")
            self.exit(1)
        self.stdout.write("检查通过：数据库可连接，迁移已全部应用，静态资源齐全，页面和资源不引用外部主机。")
