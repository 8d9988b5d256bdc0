"""The ``yingji`` console command.

    yingji demo [--host H] [--port P] [--load-only]   migrate, load the Fuxin demo, serve
    yingji serve [--host H] [--port P]                 serve the platform (ASGI, uvicorn)
    yingji createuser NAME --role ROLE --region CODE --password PW
    yingji token NAME                                  print a new API token for NAME
    yingji check                                       database, migrations, assets, offline
    yingji worker                                      a separate background job worker
    yingji ingest [--mqtt URL]                         the MQTT monitoring ingest worker
    yingji simulate sensors [--mqtt URL | --http URL --token T]   demo sensor readings
    yingji rules accident-grade --deaths N --serious-injuries N --direct-loss-yuan N
    yingji rules hazard-grade FILE.json
    yingji road import FILE.osm.pbf                    import and activate an OSM road network
    yingji dispatch nearest --lon X --lat Y --kind teams|warehouses|experts|shelters [--specialty S] [--k N]
    yingji cap validate FILE | import FILE | export WARNING_ID   CAP 1.2 messages
    yingji relief level --dead-missing N ... [--table national-2024]   relief response level (JSON)
    yingji audit verify                                check the audit log's hash chain
    yingji manage ARGS...                              any Django management command
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading


def _setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    import django

    django.setup()


def _print_json(data) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str))


def cmd_migrate(args) -> int:
    _setup_django()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    return 0


def cmd_demo(args) -> int:
    cmd_migrate(args)
    from yingji.demo import DEMO_PASSWORD, demo_users, load_demo

    summary = load_demo()
    print("演示数据（合成）：" + "，".join(f"{k} {v}" for k, v in summary.items()))
    if args.load_only:
        return 0
    url = f"http://{args.host}:{args.port}/"
    print(f"\n应急管理综合应用平台已启动：{url}\n演示账号（密码均为 {DEMO_PASSWORD}）：")
    for username, label in demo_users():
        print(f"  {username:<12} {label}")
    print()
    return _serve(args.host, args.port)


def start_background(include_jobs: bool = True) -> threading.Event:
    """Embedded mode: the job worker and each app's background services run in this process.
    Apps opt in with ``AppConfig.start_background(stop_event)``."""
    from django.apps import apps

    from yingji.jobs.services import start_in_process_worker

    stop = start_in_process_worker() if include_jobs else threading.Event()
    if os.environ.get("YINGJI_BACKGROUND", "1") == "1":
        for config in apps.get_app_configs():
            hook = getattr(config, "start_background", None)
            if hook is not None:
                hook(stop)
    return stop


SHUTDOWN_GRACE_S = 3


def _serve(host: str, port: int) -> int:
    import uvicorn

    stop = start_background() if os.environ.get("YINGJI_INPROCESS_WORKER", "1") == "1" else None
    # Open SSE streams never end by themselves: on SIGTERM/SIGINT uvicorn waits at most this long
    # for them, then closes them, so the server stops within a few seconds.
    from yingji.live.hub import HUB

    server = uvicorn.Server(uvicorn.Config("yingji.asgi:application", host=host, port=port, log_level="warning",
                                           lifespan="off", timeout_graceful_shutdown=SHUTDOWN_GRACE_S))
    handle_exit = server.handle_exit

    def stop_serving(sig, frame):  # end the open SSE streams first, then uvicorn's own shutdown
        HUB.close_streams()
        handle_exit(sig, frame)

    server.handle_exit = stop_serving
    server.run()
    if stop is not None:
        stop.set()
    return 0


def cmd_serve(args) -> int:
    _setup_django()
    print(f"应急管理综合应用平台：http://{args.host}:{args.port}/")
    return _serve(args.host, args.port)


def cmd_worker(args) -> int:
    """A separate worker process (scaled mode): the job queue plus the apps' background
    services (deadline watcher, delivery senders, feed pollers...), so that web processes
    can run with YINGJI_INPROCESS_WORKER=0."""
    _setup_django()
    from yingji.jobs.services import work_forever

    stop = start_background(include_jobs=False)
    print("后台任务进程已启动（Ctrl-C 退出）")
    try:
        work_forever(stop)
    except KeyboardInterrupt:
        stop.set()
    return 0


def cmd_createuser(args) -> int:
    _setup_django()
    from yingji.accounts.services import create_user
    from yingji.core.errors import ServiceError

    try:
        user = create_user(None, args.name, args.password, args.role, args.region, full_name=args.full_name or "")
    except ServiceError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    print(f"已创建用户 {user.username}（{user.role_label}，{user.region_code}）")
    return 0


def cmd_token(args) -> int:
    _setup_django()
    from yingji.accounts.services import get_user, issue_token
    from yingji.core.errors import ServiceError

    try:
        user = get_user(args.name)
    except ServiceError as exc:
        print(f"错误：{exc.message}", file=sys.stderr)
        return 2
    print(issue_token(user, args.label))
    return 0


def cmd_check(args) -> int:
    _setup_django()
    from yingji.core.checks import run_checks

    problems = run_checks()
    if problems:
        print("检查未通过：")
        for p in problems:
            print(f"  - {p}")
        return 1
    print("检查通过：数据库可连接，迁移已全部应用，静态资源齐全，页面和资源不引用外部主机。")
    return 0


def cmd_rules(args) -> int:
    if args.rule == "accident-grade":
        from yingji.rules.accident import grade_accident

        try:
            result = grade_accident(args.deaths, args.serious_injuries, args.direct_loss_yuan)
        except ValueError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
        _print_json(result.to_json())
        return 0
    if args.rule == "hazard-grade":
        from yingji.rules.gb18218 import UnknownChemicalError, grade_from_json

        try:
            with open(args.file, encoding="utf-8") as fh:
                data = json.load(fh)
        except (OSError, json.JSONDecodeError) as exc:
            print(f"错误：无法读取 {args.file}：{exc}", file=sys.stderr)
            return 2
        try:
            _print_json(grade_from_json(data))
        except UnknownChemicalError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 1
        except (ValueError, KeyError, TypeError) as exc:
            print(f"错误：输入格式不正确：{exc}", file=sys.stderr)
            return 2
        return 0
    return 2


def cmd_relief(args) -> int:
    """Forward ``yingji relief ...`` to the ``relief`` management command (yingji.disasters)."""
    _setup_django()
    from django.core.management import call_command
    from django.core.management.base import CommandError

    try:
        call_command("relief", *args.rest)
    except CommandError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return getattr(exc, "returncode", 2) or 2
    return 0


def cmd_manage(args) -> int:
    _setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["yingji manage", *args.rest])
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="yingji", description="应急管理综合应用平台（Yingji）")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="迁移数据库、载入阜新演示数据并启动")
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--load-only", action="store_true", help="只载入演示数据，不启动服务")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser("serve", help="启动服务")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.set_defaults(func=cmd_serve)

    sub.add_parser("migrate", help="执行数据库迁移").set_defaults(func=cmd_migrate)
    sub.add_parser("worker", help="独立的后台任务进程").set_defaults(func=cmd_worker)

    cu = sub.add_parser("createuser", help="创建用户")
    cu.add_argument("name")
    cu.add_argument("--role", required=True, help="角色中文名或代码，如 值班员 / duty_officer")
    cu.add_argument("--region", required=True, help="管辖区划代码，如 210922")
    cu.add_argument("--password", required=True)
    cu.add_argument("--full-name")
    cu.set_defaults(func=cmd_createuser)

    tok = sub.add_parser("token", help="为用户签发 API 令牌")
    tok.add_argument("name")
    tok.add_argument("--label", default="cli")
    tok.set_defaults(func=cmd_token)

    sub.add_parser("check", help="部署自检").set_defaults(func=cmd_check)

    rules = sub.add_parser("rules", help="规则计算（纯计算，无需数据库）")
    rsub = rules.add_subparsers(dest="rule", required=True)
    ag = rsub.add_parser("accident-grade", help="生产安全事故等级（国务院令第493号）")
    ag.add_argument("--deaths", type=int, required=True)
    ag.add_argument("--serious-injuries", type=int, required=True)
    ag.add_argument("--direct-loss-yuan", required=True)
    hg = rsub.add_parser("hazard-grade", help="危险化学品重大危险源辨识与分级（GB 18218-2018）")
    hg.add_argument("file")
    rules.set_defaults(func=cmd_rules)

    from yingji.command.cli import add_parsers as add_command_parsers

    add_command_parsers(sub)  # road import / road synthetic / dispatch nearest

    from yingji.warnings.cli import add_parser as add_cap_parser

    add_cap_parser(sub)

    from yingji.monitoring.cli import add_commands as add_monitoring_commands

    add_monitoring_commands(sub)  # yingji ingest, yingji simulate sensors

    relief = sub.add_parser("relief", help="自然灾害救助应急响应级别：relief level --dead-missing N ...", add_help=False)
    relief.add_argument("rest", nargs=argparse.REMAINDER)
    relief.set_defaults(func=cmd_relief)
    audit = sub.add_parser("audit", help="审计日志：audit verify 校验哈希链")
    audit.add_argument("rest", nargs=argparse.REMAINDER)
    audit.set_defaults(func=lambda a: cmd_manage(argparse.Namespace(rest=["audit", *a.rest])))

    manage = sub.add_parser("manage", help="Django 管理命令")
    manage.add_argument("rest", nargs=argparse.REMAINDER)
    manage.set_defaults(func=cmd_manage)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args) or 0


if __name__ == "__main__":
    sys.exit(main())
