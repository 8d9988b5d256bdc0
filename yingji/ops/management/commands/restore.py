"""``yingji restore FILE``: restore a backup into the configured, empty database."""

from yingji.core.management.base import YingjiCommand
from yingji.ops.backup import BackupError, restore


class Command(YingjiCommand):
    help = "把备份恢复到当前配置的空数据库（恢复后请运行 yingji audit verify），输出 JSON"

    def add_arguments(self, parser):
        parser.add_argument("file", help="yingji backup 生成的备份文件")

    def handle(self, file, **options):
        try:
            summary = restore(file)
        except BackupError as exc:
            self.fail(str(exc), 1)
        self.print_json(summary)
