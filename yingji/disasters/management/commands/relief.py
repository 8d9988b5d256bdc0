"""``yingji relief level``: the natural-disaster relief response level as one JSON object.

    yingji relief level --dead-missing N --relocated-or-needing-aid N
        --collapsed-severe-rooms N --collapsed-severe-households N
        --drought-aid-people N --agricultural-population N [--table national-2024]

All counts default to 0. ``--table`` is a shipped table (``national-2024``) or the code of an
active local table entered by a bureau (救助响应分级表). Prints
``{"level": 1-4 | null, "label": "一级"… | null, "conditions": [...], "table": code}``; bad input
exits with status 2 and a Chinese message on stderr.
"""

from __future__ import annotations

import json

from django.core.management.base import CommandError
from django.db import DatabaseError

from yingji.core.management.base import YingjiCommand
from yingji.disasters.selectors import find_table
from yingji.rules.relief import TABLES, ReliefFigures, relief_level

OPTIONS = (
    ("--dead-missing", "dead_missing", "死亡和失踪人数"),
    ("--relocated-or-needing-aid", "relocated_or_needing_aid", "紧急转移安置和需紧急生活救助人数"),
    ("--collapsed-severe-rooms", "collapsed_severe_rooms", "倒塌和严重损坏房屋间数"),
    ("--collapsed-severe-households", "collapsed_severe_households", "倒塌和严重损坏房屋户数"),
    ("--drought-aid-people", "drought_aid_people", "干旱需政府救助人数"),
    ("--agricultural-population", "agricultural_population", "农牧业人口（干旱比例的分母）"),
)


class Command(YingjiCommand):
    help = "自然灾害救助应急响应级别（国家预案国办函〔2024〕11号或本地分级表）"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        level = sub.add_parser("level", help="按任一条件计算响应级别，输出 JSON")
        for flag, dest, label in OPTIONS:
            level.add_argument(flag, dest=dest, type=int, default=0, help=f"{label}（默认 0）")
        level.add_argument("--table", default="national-2024", help="分级表编码（默认 national-2024）")

    def handle(self, *args, **options):
        table = TABLES.get(options["table"])
        if table is None:
            try:
                table = find_table(options["table"])
            except DatabaseError as exc:
                raise CommandError(f"无法读取本地分级表（数据库未迁移或不可用：{exc}）", returncode=2) from exc
        if table is None:
            raise CommandError(f"救助响应分级表“{options['table']}”不存在（可用：{'、'.join(TABLES)} 或已启用的本地分级表编码）",
                               returncode=2)
        try:
            figures = ReliefFigures(**{dest: options[dest] for _, dest, _ in OPTIONS})
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(json.dumps(relief_level(figures, table).to_json(), ensure_ascii=False))
