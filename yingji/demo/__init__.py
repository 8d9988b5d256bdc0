"""The demo dataset of the installation's profile (Fuxin by default; docs/profiles.md):
deterministic (seeded), synthetic, labelled so everywhere.

Steps ask ``yingji.demo.profile.current()`` for the names and places they write. Each domain
contributes steps (its ``demo_data`` module registers them with
:func:`yingji.demo.steps.demo_step`);
``load_demo`` runs them in order inside one transaction per step and skips a step whose
data is already present, so ``yingji demo`` can be run again safely.
"""

from __future__ import annotations

import time

from django.db import transaction

from yingji.audit.services import verify_chain  # the demo proves its own audit trail
from yingji.core.apps import app_modules

from . import foundation  # noqa: F401  (registers its steps)
from . import profile
from .foundation import demo_users_of
from .steps import DEMO_PASSWORD, SEED, STEPS, demo_step  # noqa: F401  (the demo kit's public names)


def demo_users() -> list[tuple[str, str]]:
    return [(u[0], f"{u[2]} · {u[4]}") for u in demo_users_of(profile.current())]


def load_demo(verbose: bool = False) -> dict[str, int]:
    app_modules("demo_data")  # importing each app's demo_data registers its steps
    summary = {}
    for _, label, func in sorted(STEPS, key=lambda s: s[0]):
        started = time.perf_counter()
        with transaction.atomic():
            count = func()
        summary[label] = count
        if verbose:
            print(f"{label}: {count}（{time.perf_counter() - started:.1f}s）")
    verdict = verify_chain()
    if not verdict.ok:
        raise RuntimeError(f"审计日志校验失败：{verdict.reason}")
    summary["审计日志校验（哈希链）"] = verdict.checked
    return summary
