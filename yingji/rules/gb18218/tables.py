"""GB 18218-2018 Tables 1–6 loaded from the CSV files in ``data/``.

The CSV files are the single source of the numbers; this module only parses them
into immutable records. ``data/sources.json`` records where each table comes from.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from typing import Any

from yingji.rules.bands import Band

from .normalize import cas_numbers_in, split_list

STANDARD = "GB 18218-2018"


@dataclass(frozen=True)
class Chemical:
    """One row of Table 1 (危险化学品名称及其临界量)."""

    row: int
    name: str
    aliases: tuple[str, ...]
    cas_numbers: tuple[str, ...]
    cas_text: str
    critical_quantity_t: Decimal
    check_spec: bool
    beta_categories: tuple[str, ...]
    extra_keys: tuple[str, ...]
    toxic_gas_beta: Decimal | None

    @property
    def label(self) -> str:
        return f"{self.name}（表1第{self.row}项）"


@dataclass(frozen=True)
class HazardCategory:
    """One symbol of Table 2 (Q) joined with Table 4 (β)."""

    symbol: str
    hazard_class: str
    description: str
    critical_quantity_t: Decimal
    quantity_note: str
    beta: Decimal

    @property
    def label(self) -> str:
        return f"{self.symbol} {self.hazard_class}（{self.description}）"


@dataclass(frozen=True)
class ToxicGasBeta:
    """One entry of Table 3 (毒性气体校正系数β)."""

    name: str
    beta: Decimal
    table1_row: int
    note: str


def _read_csv(filename: str) -> list[dict[str, str]]:
    text = resources.files(__package__).joinpath("data").joinpath(filename).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


@lru_cache(maxsize=1)
def sources() -> dict[str, Any]:
    """The provenance record of the data files."""
    text = resources.files(__package__).joinpath("data").joinpath("sources.json").read_text(encoding="utf-8")
    return json.loads(text)


@lru_cache(maxsize=1)
def toxic_gas_betas() -> tuple[ToxicGasBeta, ...]:
    """Table 3."""
    return tuple(
        ToxicGasBeta(name=r["name"], beta=Decimal(r["beta"]), table1_row=int(r["table1_row"]), note=r["note"])
        for r in _read_csv("table3.csv")
    )


@lru_cache(maxsize=1)
def table1() -> tuple[Chemical, ...]:
    """Table 1, in the standard's row order."""
    beta_by_row = {entry.table1_row: entry.beta for entry in toxic_gas_betas()}
    return tuple(
        Chemical(
            row=int(r["row"]),
            name=r["name"],
            aliases=tuple(split_list(r["aliases"])),
            cas_numbers=tuple(cas_numbers_in(r["cas"])),
            cas_text=r["cas"],
            critical_quantity_t=Decimal(r["q_t"]),
            check_spec=r["check_spec"] == "1",
            beta_categories=tuple(split_list(r["beta_categories"])),
            extra_keys=tuple(split_list(r["extra_keys"])),
            toxic_gas_beta=beta_by_row.get(int(r["row"])),
        )
        for r in _read_csv("table1.csv")
    )


@lru_cache(maxsize=1)
def categories() -> dict[str, HazardCategory]:
    """Tables 2 and 4 joined on the symbol (J1…J5, W1.1…W11), in table order."""
    betas = {r["symbol"]: Decimal(r["beta"]) for r in _read_csv("table4.csv")}
    table2 = _read_csv("table2.csv")
    if set(betas) != {r["symbol"] for r in table2}:
        raise ValueError("GB 18218 表2 与表4 的类别符号不一致")
    return {
        r["symbol"]: HazardCategory(
            symbol=r["symbol"],
            hazard_class=r["hazard_class"],
            description=r["description"],
            critical_quantity_t=Decimal(r["q_t"]),
            quantity_note=r["q_note"],
            beta=betas[r["symbol"]],
        )
        for r in table2
    }


def _optional_decimal(text: str) -> Decimal | None:
    return Decimal(text) if text else None


@lru_cache(maxsize=1)
def alpha_bands() -> tuple[Band, ...]:
    """Table 5: ``Band.label`` is α; people counted lo ≤ n < hi."""
    return tuple(
        Band(label=Decimal(r["alpha"]), lo=_optional_decimal(r["lo"]), hi=_optional_decimal(r["hi"]))
        for r in _read_csv("table5.csv")
    )


@dataclass(frozen=True)
class Grade:
    number: int
    name: str


@lru_cache(maxsize=1)
def grade_bands() -> tuple[Band, ...]:
    """Table 6: ``Band.label`` is a :class:`Grade`; lo ≤ R < hi."""
    return tuple(
        Band(
            label=Grade(number=int(r["grade"]), name=r["grade_name"]),
            lo=_optional_decimal(r["lo"]),
            hi=_optional_decimal(r["hi"]),
        )
        for r in _read_csv("table6.csv")
    )
