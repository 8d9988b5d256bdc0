"""Base class of the management commands behind the ``yingji`` entry point (see yingji/cli.py)."""

from __future__ import annotations

import json
import signal
import sys
import threading

from django.core.management.base import BaseCommand


class YingjiCommand(BaseCommand):
    """A management command offered as ``yingji <subcommand>`` (``YingjiAppConfig.cli_commands``).

    Output is plain (no colours) and in Chinese; a failure prints ``错误：…`` to stderr and exits
    with a status (:meth:`fail`), like every ``yingji`` command always did. No system checks run
    first: the commands check what they need themselves (``yingji check`` is the deployment check).
    """

    requires_system_checks: list = []
    suppressed_base_arguments = {"--version", "--verbosity", "--settings", "--pythonpath", "--traceback",
                                 "--no-color", "--force-color", "--skip-checks"}

    def __init__(self, stdout=None, stderr=None, no_color=True, force_color=False):
        super().__init__(stdout=stdout, stderr=stderr, no_color=no_color, force_color=force_color)

    def fail(self, message: str, status: int = 2):
        """Print ``错误：message`` to stderr and exit with ``status``."""
        self.stderr.write(f"错误：{message}")
        sys.exit(status)

    def exit(self, status: int):
        if status:
            sys.exit(status)

    @staticmethod
    def stop_event() -> threading.Event:
        """An event set by SIGINT/SIGTERM, for long-running commands to stop cleanly."""
        stop = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: stop.set())
        return stop

    def print_json(self, data) -> None:
        self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str))
