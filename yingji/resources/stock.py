"""The stock ledger: the one write path for stock (``record_movement``) and the selectors that
derive current stock from it (``current_stock``, ``batch_balances``, ``low_stock``,
``near_expiry``).

Stock is never stored or edited: every figure is a sum over ledger lines. Each line carries the
signed change it makes to its own warehouse (``delta``):

    入库 +q    回收 +q (also counts as 待消毒 until disinfected)    消毒 0 (moves q out of 待消毒)
    出库 −q    报废 −q    调拨 −q at the source and +q at the destination (two paired lines)

在库 = Σ delta; 待消毒 = Σ 回收 − Σ 消毒; 可用 = 在库 − 待消毒. 出库 and 调拨 may not exceed 可用,
报废 may not exceed 在库, 消毒 may not exceed 待消毒. Outflows without a batch are taken
first-expiry-first-out across the batches in stock (one ledger line per batch touched).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Max, Q, Sum
from django.utils import timezone

from yingji.core import records, scope
from yingji.core.errors import NotFound, ValidationFailed
from yingji.core.records import audited_transaction

from .models import Material, StockMovement, Warehouse

ZERO = Decimal("0")
CENT = Decimal("0.01")


def _fmt(value: Decimal) -> str:
    """Two decimals whatever the database returned (SQLite sums lose the scale)."""
    return str(Decimal(value).quantize(CENT))
INFLOWS = {"in", "recover"}
OUTFLOWS = {"out", "transfer", "scrap"}
NEAR_EXPIRY_DAYS = 30
MAX_EXPIRY_DAYS = 3650  # ten years ahead: the longest shelf life worth listing


@dataclass(frozen=True)
class StockLine:
    warehouse_id: int
    warehouse: str
    material_id: int
    material: str
    unit: str
    quantity: Decimal  # 在库
    pending_disinfection: Decimal  # 待消毒
    min_stock: Decimal

    @property
    def available(self) -> Decimal:
        return self.quantity - self.pending_disinfection

    @property
    def shortfall(self) -> Decimal:
        return max(ZERO, self.min_stock - self.quantity)

    def as_dict(self) -> dict:
        return {"warehouse_id": self.warehouse_id, "warehouse": self.warehouse, "material_id": self.material_id,
                "material": self.material, "unit": self.unit, "quantity": _fmt(self.quantity),
                "pending_disinfection": _fmt(self.pending_disinfection), "available": _fmt(self.available),
                "min_stock": _fmt(self.min_stock)}


@dataclass(frozen=True)
class BatchLine:
    warehouse_id: int
    warehouse: str
    material_id: int
    material: str
    unit: str
    batch: str
    quantity: Decimal
    expiry_date: dt.date | None

    def as_dict(self) -> dict:
        return {"warehouse_id": self.warehouse_id, "warehouse": self.warehouse, "material_id": self.material_id,
                "material": self.material, "unit": self.unit, "batch": self.batch, "quantity": _fmt(self.quantity),
                "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None}


# ----------------------------------------------------------------------------- selectors
def _ledger(user=None, warehouse=None, material=None):
    qs = StockMovement.objects.all()
    if user is not None:
        qs = scope.visible(qs, user)
    if warehouse is not None:
        qs = qs.filter(warehouse=warehouse)
    if material is not None:
        qs = qs.filter(material=material)
    return qs


def current_stock(warehouse=None, material=None, *, user=None) -> list[StockLine]:
    """Current stock per (warehouse, material), derived from the ledger. ``warehouse`` and
    ``material`` may be instances or ids; ``user`` limits the result to their scope."""
    rows = (_ledger(user, warehouse, material).values("warehouse", "material")
            .annotate(on_hand=Sum("delta"),
                      recovered=Sum("quantity", filter=Q(kind="recover")),
                      disinfected=Sum("quantity", filter=Q(kind="disinfect")))
            .order_by("warehouse", "material"))
    rows = list(rows)
    warehouses = Warehouse.objects.in_bulk({r["warehouse"] for r in rows})
    materials = Material.objects.in_bulk({r["material"] for r in rows})
    lines = []
    for r in rows:
        m = materials[r["material"]]
        pending = max(ZERO, (r["recovered"] or ZERO) - (r["disinfected"] or ZERO))
        on_hand = r["on_hand"] or ZERO
        lines.append(StockLine(r["warehouse"], warehouses[r["warehouse"]].name, m.pk, m.name, m.unit,
                               on_hand, min(pending, on_hand), m.min_stock))
    return lines


def stocked_warehouses(warehouse_ids) -> set[int]:
    """The warehouses among ``warehouse_ids`` holding some material (on hand above zero), in one
    query: ``current_stock`` per warehouse is three (the plan registry's sweep asks this of every
    warehouse every plan in force names)."""
    rows = (StockMovement.objects.filter(warehouse_id__in=list(warehouse_ids)).values("warehouse", "material")
            .annotate(on_hand=Sum("delta")).filter(on_hand__gt=0).order_by().values_list("warehouse", "on_hand"))
    return {warehouse for warehouse, _ in rows}


def stock_of(warehouse, material) -> StockLine | None:
    lines = current_stock(warehouse, material)
    return lines[0] if lines else None


def batch_balances(warehouse=None, material=None, *, user=None, only_positive: bool = True) -> list[BatchLine]:
    rows = (_ledger(user, warehouse, material).values("warehouse", "material", "batch")
            .annotate(on_hand=Sum("delta"), expiry=Max("expiry_date"))
            .order_by("warehouse", "material", "batch"))
    rows = [r for r in rows if not only_positive or (r["on_hand"] or ZERO) > 0]
    warehouses = Warehouse.objects.in_bulk({r["warehouse"] for r in rows})
    materials = Material.objects.in_bulk({r["material"] for r in rows})
    return [BatchLine(r["warehouse"], warehouses[r["warehouse"]].name, r["material"], materials[r["material"]].name,
                      materials[r["material"]].unit, r["batch"], r["on_hand"] or ZERO, r["expiry"]) for r in rows]


def low_stock(*, user=None, warehouse=None) -> list[StockLine]:
    """Materials whose stock in a warehouse is below the catalogue's minimum (最低储备量)."""
    return [line for line in current_stock(warehouse, user=user) if line.quantity < line.min_stock]


def near_expiry(days: int = NEAR_EXPIRY_DAYS, *, user=None, warehouse=None, today: dt.date | None = None) -> list[BatchLine]:
    """Batches still in stock whose expiry date falls within ``days`` (expired ones included),
    soonest first."""
    if not 0 <= days <= MAX_EXPIRY_DAYS:
        raise ValidationFailed(f"临期天数须在 0–{MAX_EXPIRY_DAYS} 之间", fields={"days": ["超出范围"]})
    limit = (today or timezone.localdate()) + dt.timedelta(days=days)
    lines = [b for b in batch_balances(warehouse, user=user) if b.expiry_date is not None and b.expiry_date <= limit]
    return sorted(lines, key=lambda b: (b.expiry_date, b.warehouse, b.material))


# ----------------------------------------------------------------------------- the write path
def _instance(model, value, label: str):
    if isinstance(value, model):
        return value
    try:
        return model.objects.get(pk=value)
    except (model.DoesNotExist, ValueError, TypeError):
        raise NotFound(f"{label}（编号 {value}）不存在") from None


def _quantity(value) -> Decimal:
    try:
        q = Decimal(str(value))
    except Exception:  # noqa: BLE001 - any unparsable input is a validation error
        raise ValidationFailed(f"数量“{value}”不是有效数字", fields={"quantity": ["不是有效数字"]}) from None
    if not q.is_finite() or q <= 0:
        raise ValidationFailed(f"数量必须大于 0（收到 {value}）", fields={"quantity": ["数量必须大于 0"]})
    return q


def _fefo(warehouse, material, quantity: Decimal) -> list[tuple[str, dt.date | None, Decimal]]:
    """Split an outflow across batches, first expiry first out (no expiry last)."""
    far = dt.date.max
    batches = sorted(batch_balances(warehouse, material), key=lambda b: (b.expiry_date or far, b.batch))
    parts, left = [], quantity
    for b in batches:
        take = min(left, b.quantity)
        parts.append((b.batch, b.expiry_date, take))
        left -= take
        if left <= 0:
            break
    return parts


def _check_enough(kind: str, source: Warehouse, material: Material, quantity: Decimal, batch: str) -> None:
    line = stock_of(source, material)
    on_hand = line.quantity if line else ZERO
    pending = line.pending_disinfection if line else ZERO
    label = dict(StockMovement.KINDS)[kind]
    unit = material.unit
    if kind in ("out", "transfer") and quantity > on_hand - pending:
        extra = f"（其中 {pending} {unit} 回收后待消毒，不能发出）" if pending else ""
        raise ValidationFailed(
            f"{label}数量 {quantity} {unit} 超过{source.name}“{material.name}”的可用库存 {on_hand - pending} {unit}{extra}",
            code="insufficient_stock", fields={"quantity": [f"超过可用库存 {on_hand - pending} {unit}"]})
    if kind == "scrap" and quantity > on_hand:
        raise ValidationFailed(f"报废数量 {quantity} {unit} 超过{source.name}“{material.name}”的在库数量 {on_hand} {unit}",
                               code="insufficient_stock", fields={"quantity": [f"超过在库数量 {on_hand} {unit}"]})
    if kind == "disinfect" and quantity > pending:
        raise ValidationFailed(f"消毒数量 {quantity} {unit} 超过{source.name}“{material.name}”待消毒数量 {pending} {unit}",
                               code="insufficient_stock", fields={"quantity": [f"超过待消毒数量 {pending} {unit}"]})
    if batch and kind in OUTFLOWS:
        in_batch = next((b.quantity for b in batch_balances(source, material) if b.batch == batch), ZERO)
        if quantity > in_batch:
            raise ValidationFailed(f"批次“{batch}”在{source.name}的“{material.name}”仅有 {in_batch} {unit}，不足 {quantity} {unit}",
                                   code="insufficient_stock", fields={"batch": [f"该批次仅有 {in_batch} {unit}"]})


def _save_line(user, audit_note: str, /, *, material: Material, **fields) -> StockMovement:
    """One ledger line through the write path: the material is the user's choice (scope-checked
    like every foreign key), the rest is set here from the checked warehouses and quantities."""
    return records.create_record(user, StockMovement, {"material": material}, server=fields, note=audit_note)


def record_movement(user, *, warehouse, material, kind: str, quantity, signer: str, batch: str = "",
                    production_date: dt.date | None = None, expiry_date: dt.date | None = None,
                    other_warehouse=None, occurred_at: dt.datetime | None = None, counterparty: str = "",
                    reference: str = "", note: str = "") -> list[StockMovement]:
    """Record one stock movement and return the ledger lines written (one, or several when an
    outflow without a batch spans batches; a 调拨 also writes the destination's 入 line).

    Checks the user's scope on the warehouse (and the destination of a 调拨), refuses an outflow
    larger than the stock, and writes each line with its audit entry in one transaction.
    Raises ``ValidationFailed`` (code ``insufficient_stock`` when stock is short),
    ``Forbidden`` or ``NotFound``.
    """
    kinds = dict(StockMovement.KINDS)
    if kind not in kinds:
        kind = {v: k for k, v in kinds.items()}.get(kind, kind)
    if kind not in kinds:
        raise ValidationFailed(f"业务类型“{kind}”无效，可选：{'、'.join(kinds.values())}", fields={"kind": ["无效的业务类型"]})
    quantity = _quantity(quantity)
    if not (signer or "").strip():
        raise ValidationFailed("须填写签字人（谁签字谁负责）", fields={"signer": ["必填"]})
    material = _instance(Material, material, "物资")
    batch = (batch or "").strip()
    with audited_transaction():
        source = _instance(Warehouse, warehouse, "储备库")
        source = records.lock(source, Warehouse.objects)  # serialise movements of one warehouse
        scope.check_can_see(source, user)
        scope.check_can_write(StockMovement, user, source.division_code)
        target = None
        if kind == "transfer":
            if other_warehouse in (None, ""):
                raise ValidationFailed("调拨须填写调入库", fields={"other_warehouse": ["必填"]})
            target = _instance(Warehouse, other_warehouse, "调入库")
            if target.pk == source.pk:
                raise ValidationFailed("调入库不能与调出库相同", fields={"other_warehouse": ["与调出库相同"]})
            if not scope.is_visible(target, user):
                raise scope.Forbidden(f"调入库“{target.name}”不在您的管辖范围内，跨区调拨请由上级部门登记")
            scope.check_can_write(StockMovement, user, target.division_code)
        _check_enough(kind, source, material, quantity, batch)
        common = dict(material=material, kind=kind, signer=signer.strip(), occurred_at=occurred_at or timezone.now(),
                      counterparty=counterparty, reference=reference, note=note, production_date=production_date)
        if kind in OUTFLOWS and not batch:
            parts = _fefo(source, material, quantity)
        else:
            parts = [(batch, expiry_date, quantity)]
        label = kinds[kind]
        written = []
        for part_batch, part_expiry, part_qty in parts:
            sign = 1 if kind in INFLOWS else (0 if kind == "disinfect" else -1)
            line = _save_line(user, f"{label} {material.name} {part_qty}{material.unit}", warehouse=source,
                              other_warehouse=target, quantity=part_qty, delta=sign * part_qty, batch=part_batch,
                              expiry_date=expiry_date or part_expiry, division_code=source.division_code, **common)
            written.append(line)
            if target is not None:
                mirror = _save_line(user, f"调拨入库（自{source.name}）{material.name} {part_qty}{material.unit}",
                                    warehouse=target, other_warehouse=source, quantity=part_qty, delta=part_qty,
                                    batch=part_batch, expiry_date=expiry_date or part_expiry, paired=line,
                                    division_code=target.division_code, **common)
                StockMovement.objects.filter(pk=line.pk).update(paired=mirror)
                line.paired = mirror
                written.append(mirror)
    return written
