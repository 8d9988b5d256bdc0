"""The Fuxin demo dataset: deterministic (seeded), synthetic, labelled so everywhere.

Each domain contributes a step (``steps.py`` files register with :func:`demo_step`);
``load_demo`` runs them in order inside one transaction per step and skips a step whose
data is already present, so ``yingji demo`` can be run again safely.
"""

from __future__ import annotations

import time
from typing import Callable

from django.db import transaction

DEMO_PASSWORD = "yingji-demo-2026"
SEED = 2109

_STEPS: list[tuple[int, str, Callable[[], int]]] = []


def demo_step(order: int, label: str):
    def register(func):
        _STEPS.append((order, label, func))
        return func

    return register


def demo_users() -> list[tuple[str, str]]:
    from .foundation import DEMO_USERS

    return [(u[0], f"{u[2]} · {u[4]}") for u in DEMO_USERS]


def load_demo(verbose: bool = False) -> dict[str, int]:
    from yingji.core.apps import app_modules

    from . import foundation  # noqa: F401  (registers its steps)

    app_modules("demo_data")  # importing each app's demo_data registers its steps
    summary = {}
    for _, label, func in sorted(_STEPS, key=lambda s: s[0]):
        started = time.perf_counter()
        with transaction.atomic():
            count = func()
        summary[label] = count
        if verbose:
            print(f"{label}: {count}（{time.perf_counter() - started:.1f}s）")
    from yingji.audit.services import verify_chain  # the demo proves its own audit trail

    verdict = verify_chain()
    if not verdict.ok:
        raise RuntimeError(f"审计日志校验失败：{verdict.reason}")
    summary["审计日志校验（哈希链）"] = verdict.checked
    return summary
