"""``yingji road ...`` and ``yingji dispatch ...`` subcommands (registered in yingji/cli.py)."""

from __future__ import annotations

import json
import os
import sys


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def _system_user(username: str | None):
    """The acting user: --user NAME, else the first active system administrator."""
    from yingji.accounts.models import User
    from yingji.core.errors import NotFound

    qs = User.objects.filter(is_active=True)
    user = qs.filter(username=username).first() if username else qs.filter(role="sysadmin").order_by("pk").first()
    if user is None:
        raise NotFound(f"用户 {username} 不存在" if username else "没有可用的系统管理员账号，请用 --user 指定")
    return user


def cmd_road(args) -> int:
    from yingji.cli import _setup_django

    _setup_django()
    from yingji.core.errors import ServiceError

    from . import network

    try:
        user = _system_user(args.user)
        if args.action == "import":
            net = network.import_osm(user, args.file, name=args.name or "", division_code=args.division,
                                     activate=not args.no_activate)
        else:
            net = network.build_synthetic(user, seed=args.seed, target_nodes=args.nodes)
    except ServiceError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    from .serializers import network_json

    _print_json(network_json(net))
    return 0


def cmd_dispatch(args) -> int:
    from yingji.cli import _setup_django

    _setup_django()
    from yingji.core.errors import ServiceError

    from . import routing

    try:
        user = _system_user(args.user)
        result = routing.nearest(user, args.lon, args.lat, args.kind, k=args.k, specialty=args.specialty or "",
                                 available_only=not args.all, with_routes=args.routes)
    except ServiceError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    rows = []
    for r in result["results"]:
        row = {"id": r["id"], "name": r["name"], "seconds": r["seconds"], "metres": r["metres"],
               "status": r["status"], "reachable": r["reachable"]}
        if args.routes:
            row["route"] = r["route"]
        rows.append(row)
    _print_json({"origin": result["origin"], "kind": args.kind, "specialty": args.specialty or "",
                 "network": result["network"]["name"], "results": rows})
    return 0


def add_parsers(sub) -> None:
    road = sub.add_parser("road", help="路网：导入 OpenStreetMap 路网或生成阜新合成路网")
    rsub = road.add_subparsers(dest="action", required=True)
    imp = rsub.add_parser("import", help="导入 .osm.pbf 路网（小汽车速度按道路等级）并启用")
    imp.add_argument("file")
    imp.add_argument("--name")
    imp.add_argument("--division", default="210900", help="路网所属区划，默认阜新市 210900")
    imp.add_argument("--no-activate", action="store_true", help="只导入，不设为当前路网")
    imp.add_argument("--user")
    syn = rsub.add_parser("synthetic", help="在阜新市真实县区边界内生成合成路网（示例）并启用")
    syn.add_argument("--seed", type=int, default=2109)
    syn.add_argument("--nodes", type=int, default=30_000)
    syn.add_argument("--user")
    road.set_defaults(func=cmd_road)

    dispatch = sub.add_parser("dispatch", help="调度：就近资源查询")
    dsub = dispatch.add_subparsers(dest="action", required=True)
    near = dsub.add_parser("nearest", help="按行车时间列出最近的队伍/储备库/专家/避难场所（JSON）")
    near.add_argument("--lon", type=float, required=True)
    near.add_argument("--lat", type=float, required=True)
    near.add_argument("--kind", required=True, choices=["teams", "warehouses", "experts", "shelters"])
    near.add_argument("--specialty", help="专业领域（队伍）、类型（储备库）、类别或特长（专家）")
    near.add_argument("--k", type=int, default=5)
    near.add_argument("--all", action="store_true", help="包括非待命队伍、无空余容量的避难场所")
    near.add_argument("--routes", action="store_true", help="输出路线坐标")
    near.add_argument("--user")
    dispatch.set_defaults(func=cmd_dispatch)
