"""Helpers of the restore drill and the multi-process tests: ``yingji`` subprocesses against
databases of their own (``tests/databases.py``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO
from tests.databases import Database


def env_for(db: Database, data_dir: Path, **extra) -> dict:
    return dict(os.environ, DATABASE_URL=db.url, YINGJI_DATA_DIR=str(data_dir), YINGJI_BACKGROUND="0",
                PYTHONPATH=str(REPO), DJANGO_SETTINGS_MODULE="yingji.settings", **extra)


def yingji(env: dict, *args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "yingji.cli", *args], env=env, cwd=REPO, capture_output=True,
                          text=True, timeout=timeout)
