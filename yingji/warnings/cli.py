"""``yingji cap validate FILE`` / ``yingji cap import FILE`` / ``yingji cap export WARNING_ID``."""

from __future__ import annotations

import sys
from pathlib import Path


def _read(path: str) -> bytes | None:
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        print(f"错误：无法读取 {path}：{exc.strerror or exc}", file=sys.stderr)
        return None


def validate(path: str) -> int:
    """Exit 0 when the file is a valid CAP message, 1 with the reasons otherwise (no database)."""
    from yingji.cap import validate_cap

    raw = _read(path)
    if raw is None:
        return 1
    result = validate_cap(raw)
    for note in result.notes:
        print(f"说明：{note}")
    if result.valid:
        print(f"有效：CAP {result.version}，{result.alert_count} 条警报")
        return 0
    print("无效：", file=sys.stderr)
    for error in result.errors:
        print(f"  - {error}", file=sys.stderr)
    return 1


def import_file(path: str) -> int:
    """Import like an upload; exit 0 when accepted (also when every alert was a duplicate)."""
    from yingji.warnings.imports import import_cap

    raw = _read(path)
    if raw is None:
        return 1
    record = import_cap(raw, source="cli", source_name=Path(path).name)
    if record.decision == "reject":
        print("已拒收：", file=sys.stderr)
        for reason in record.reasons:
            print(f"  - {reason}", file=sys.stderr)
        return 1
    print(f"{record.get_decision_display()}：新增 {record.new_alerts} 条，重复 {record.duplicate_alerts} 条（接收记录 {record.pk}）")
    for note in record.notes:
        print(f"说明：{note}")
    return 0


def export(warning_id: str) -> int:
    from yingji.warnings.models import Warning

    warning = Warning.objects.filter(pk=int(warning_id) if str(warning_id).isdigit() else None).first() \
        or Warning.objects.filter(identifier=warning_id).first()
    if warning is None:
        print(f"错误：预警 {warning_id} 不存在", file=sys.stderr)
        return 1
    if not warning.cap_xml:
        print(f"错误：预警 {warning_id} 尚未发布（{warning.state_label}），没有 CAP 报文", file=sys.stderr)
        return 1
    sys.stdout.write(warning.cap_xml)
    return 0


def run(args) -> int:
    """Entry point of the ``cap`` subcommand group (see yingji/cli.py)."""
    if args.cap_command == "validate":
        return validate(args.file)
    from yingji.cli import _setup_django

    _setup_django()
    if args.cap_command == "import":
        return import_file(args.file)
    return export(args.warning_id)


def add_parser(sub) -> None:
    cap = sub.add_parser("cap", help="CAP 1.2 预警报文：校验、导入、导出")
    csub = cap.add_subparsers(dest="cap_command", required=True)
    csub.add_parser("validate", help="校验 CAP 文件（有效退出码 0，否则 1 并列出原因）").add_argument("file")
    csub.add_parser("import", help="导入外部 CAP 文件").add_argument("file")
    csub.add_parser("export", help="输出已发布预警的 CAP XML").add_argument("warning_id")
    cap.set_defaults(func=run)
