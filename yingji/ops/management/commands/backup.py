"""``yingji backup FILE``: a consistent backup of the running database (docs/operations.md)."""

from yingji.core.management.base import YingjiCommand
from yingji.ops.backup import BackupError, backup


class Command(YingjiCommand):
    help = "在线备份数据库（SQLite 在线备份接口；PostgreSQL 用 pg_dump），输出 JSON"

    def add_arguments(self, parser):
        parser.add_argument("file", help="备份文件（不得已存在）")

    def handle(self, file, **options):
        try:
            summary = backup(file)
        except BackupError as exc:
            self.fail(str(exc), 1)
        self.print_json(summary)
