"""The demo-step registry: each app's ``demo_data`` module registers its steps with
:func:`demo_step`; :func:`yingji.demo.load_demo` runs them in order."""

from __future__ import annotations

from typing import Callable

from yingji.core.apps import claim

DEMO_PASSWORD = "yingji-demo-2026"
SEED = 2109

STEPS: list[tuple[int, str, Callable[[], int]]] = []
_ORIGINS: dict[str, str] = {}


def demo_step(order: int, label: str):
    """Register a demo step; a second step with the same label is an error."""
    def register(func):
        claim(_ORIGINS, "demo step", label, f"{func.__module__}.{func.__qualname__}")
        STEPS[:] = [step for step in STEPS if step[1] != label]  # a re-imported module replaces itself
        STEPS.append((order, label, func))
        return func

    return register
