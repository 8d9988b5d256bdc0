"""``yingji cap validate FILE`` / ``yingji cap import FILE`` / ``yingji cap export WARNING_ID``."""

from pathlib import Path

from yingji.cap import validate_cap
from yingji.core.management.base import YingjiCommand
from yingji.warnings.imports import import_cap
from yingji.warnings.models import Warning


class Command(YingjiCommand):
    help = "CAP 1.2 预警报文：校验、导入、导出"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="cap_command", required=True)
        sub.add_parser("validate", help="校验 CAP 文件（有效退出码 0，否则 1 并列出原因）").add_argument("file")
        sub.add_parser("import", help="导入外部 CAP 文件").add_argument("file")
        sub.add_parser("export", help="输出已发布预警的 CAP XML").add_argument("warning_id")

    def handle(self, cap_command, **options):
        if cap_command == "validate":
            self.validate(options["file"])
        elif cap_command == "import":
            self.import_file(options["file"])
        else:
            self.export(options["warning_id"])

    def read(self, path: str) -> bytes:
        try:
            return Path(path).read_bytes()
        except OSError as exc:
            self.fail(f"无法读取 {path}：{exc.strerror or exc}", status=1)

    def validate(self, path: str) -> None:
        """Exit 0 when the file is a valid CAP message, 1 with the reasons otherwise (no database)."""
        result = validate_cap(self.read(path))
        for note in result.notes:
            self.stdout.write(f"说明：{note}")
        if result.valid:
            self.stdout.write(f"有效：CAP {result.version}，{result.alert_count} 条警报")
            return
        self.stderr.write("无效：")
        for error in result.errors:
            self.stderr.write(f"  - {error}")
        self.exit(1)

    def import_file(self, path: str) -> None:
        """Import like an upload; exit 0 when accepted (also when every alert was a duplicate)."""
        record = import_cap(self.read(path), source="cli", source_name=Path(path).name)
        if record.decision == "reject":
            self.stderr.write("已拒收：")
            for reason in record.reasons:
                self.stderr.write(f"  - {reason}")
            self.exit(1)
        self.stdout.write(f"{record.get_decision_display()}：新增 {record.new_alerts} 条，重复 {record.duplicate_alerts} 条"
                          f"（接收记录 {record.pk}）")
        for note in record.notes:
            self.stdout.write(f"说明：{note}")

    def export(self, warning_id: str) -> None:
        warning = Warning.objects.filter(pk=int(warning_id) if str(warning_id).isdigit() else None).first() \
            or Warning.objects.filter(identifier=warning_id).first()
        if warning is None:
            self.fail(f"预警 {warning_id} 不存在", status=1)
        if not warning.cap_xml:
            self.fail(f"预警 {warning_id} 尚未发布（{warning.state_label}），没有 CAP 报文", status=1)
        self.stdout.write(warning.cap_xml, ending="")
