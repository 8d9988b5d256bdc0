"""The demo-step registry: each app's ``demo_data`` module registers its steps with
:func:`demo_step`; :func:`yingji.demo.load_demo` runs them in order."""

from __future__ import annotations

from typing import Callable

DEMO_PASSWORD = "yingji-demo-2026"
SEED = 2109

STEPS: list[tuple[int, str, Callable[[], int]]] = []


def demo_step(order: int, label: str):
    def register(func):
        STEPS.append((order, label, func))
        return func

    return register
