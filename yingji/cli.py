"""The ``yingji`` console command: a thin dispatcher to Django management commands.

    yingji demo [--profile fuxin|benxi|kaiyuan] [--host H] [--port P] [--load-only]   migrate, load a profile's demo, serve
    yingji serve [--host H] [--port P]                 serve the platform (ASGI, uvicorn)
    yingji migrate                                     apply database migrations
    yingji createuser NAME --role ROLE --region CODE --password PW
    yingji token NAME                                  print a new API token for NAME
    yingji check                                       database, migrations, assets, offline
    yingji worker                                      a separate background job worker
    yingji ingest [--mqtt URL]                         the MQTT monitoring ingest worker
    yingji simulate sensors [--mqtt URL | --http URL --token T]   demo sensor readings
    yingji rules accident-grade --deaths N --serious-injuries N --direct-loss-yuan N
    yingji rules hazard-grade FILE.json
    yingji road import FILE.osm.pbf | road synthetic   import or generate the road network
    yingji dispatch nearest --lon X --lat Y --kind teams|warehouses|experts|shelters [--specialty S] [--k N]
    yingji cap validate FILE | import FILE | export WARNING_ID   CAP 1.2 messages
    yingji relief level --dead-missing N ... [--table national-2024]   relief response level (JSON)
    yingji audit verify                                check the audit log's hash chain
    yingji manage ARGS...                              any Django management command

Each subcommand is a management command of the app that declares it in
``YingjiAppConfig.cli_commands`` (``yingji/<app>/management/commands/<command>.py``).
"""

from __future__ import annotations

import os
import sys

import django
from django.apps import apps
from django.core.management import CommandError, ManagementUtility, load_command_class

PROG = "yingji"
DESCRIPTION = "应急管理综合应用平台（Yingji）"
MANAGE_HELP = "Django 管理命令"


def setup() -> None:
    """Configure Django once per process."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yingji.settings")
    if not apps.ready:
        django.setup()


def usage(commands: dict) -> str:
    names = ",".join([*commands, "manage"])
    return f"usage: {PROG} [-h] {{{names}}} ..."


def help_text(commands: dict) -> str:
    lines = [usage(commands), "", DESCRIPTION, "", "commands:"]
    for name, (app_name, command_name) in commands.items():
        lines.append(f"  {name:<12} {load_command_class(app_name, command_name).help}")
    lines.append(f"  {'manage':<12} {MANAGE_HELP}")
    lines += ["", f"{PROG} <command> -h 显示该命令的参数。"]
    return "\n".join(lines)


def run(name: str, app_name: str, command_name: str, argv: list[str]) -> int:
    """Parse ``argv`` for one management command and run it; returns the exit status."""
    command = load_command_class(app_name, command_name)
    command._called_from_command_line = True  # argparse errors print usage and exit 2
    parser = command.create_parser(PROG, name)
    try:
        options = vars(parser.parse_args(argv))
        args = options.pop("args", ())
        command.execute(*args, **options)
    except CommandError as exc:
        command.stderr.write(f"错误：{exc}")
        return exc.returncode
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    setup()
    from yingji.core.apps import cli_commands

    commands = cli_commands()
    if not argv or argv[0] in ("-h", "--help"):
        print(help_text(commands), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    name, rest = argv[0], argv[1:]
    if name == "manage":
        ManagementUtility([f"{PROG} manage", *rest]).execute()
        return 0
    if name not in commands:
        print(f"{usage(commands)}\n{PROG}: error: 未知命令 {name!r}", file=sys.stderr)
        return 2
    return run(name, *commands[name], rest)


if __name__ == "__main__":
    sys.exit(main())
