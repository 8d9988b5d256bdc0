"""``yingji audit verify``: walk the audit log's hash chain and report the first broken link."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from yingji.audit.services import verify_chain


class Command(BaseCommand):
    help = "审计日志：verify 校验哈希链（第一处断链及原因）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="校验审计日志哈希链，输出 JSON；断链时退出码为 1")

    def handle(self, *args, **options):
        verdict = verify_chain()
        self.stdout.write(json.dumps(verdict.as_dict(), ensure_ascii=False))
        if not verdict.ok:
            raise CommandError(f"审计日志校验失败：{verdict.reason}", returncode=1)
