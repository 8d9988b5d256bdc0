"""Writing audit entries: one function, called by every service that changes a record."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Iterator

import json

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from yingji.audit.context import client_address

from . import bulk, chain
from .models import AuditEntry

# Any constant: the advisory lock that serialises appends to the chain on PostgreSQL.
CHAIN_LOCK = 7_240_001


_PLAIN = (str, int, float, bool, type(None))


def _json_value(value):
    if type(value) in _PLAIN:  # most values: nothing to convert
        return value
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_value(v) for k, v in value.items()}
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, FieldFile):  # an empty file field has no url: asking for one raises
        return value.name or None
    return value


def snapshot(obj: models.Model) -> dict:
    """A JSON-safe dict of the record's concrete field values, without the fields a model keeps
    out of the log (``audit_exclude``: secrets' digests, password hashes)."""
    return {name: _json_value(getattr(obj, name)) for name in _logged_attnames(type(obj))}


_ATTNAMES: dict[type, tuple[str, ...]] = {}


def _logged_attnames(model: type[models.Model]) -> tuple[str, ...]:
    names = _ATTNAMES.get(model)
    if names is None:
        excluded = getattr(model, "audit_exclude", ())
        names = _ATTNAMES[model] = tuple(f.attname for f in model._meta.concrete_fields
                                         if f.name not in excluded and f.attname not in excluded)
    return names


def describe(obj: models.Model) -> str:
    """How the record reads in the log: its own ``__str__``, else its kind and number (not
    Django's "TaskFeedback object (8)")."""
    if type(obj).__str__ is models.Model.__str__:
        return f"{obj._meta.verbose_name} {obj.pk}号" if obj.pk is not None else str(obj._meta.verbose_name)
    return str(obj)


def changed(before: dict | None, after: dict | None) -> list[str]:
    before, after = before or {}, after or {}
    ignore = {"updated_at", "version"}
    return sorted(k for k in set(before) | set(after) if k not in ignore and before.get(k) != after.get(k))


def record(actor, action: str, obj: models.Model | None = None, *, before: dict | None = None,
           after: dict | None = None, note: str = "", model_label: str = "", address: str | None = None,
           division_code: str = "") -> AuditEntry:
    """Append one audit entry. ``actor`` is a user (or None for the system)."""
    label = model_label or (obj._meta.label if obj is not None else "")
    entry = AuditEntry(
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        actor_name=(actor.get_username() if getattr(actor, "pk", None) else "系统"),
        address=client_address() if address is None else address,
        action=action,
        model=label,
        object_id=str(obj.pk) if obj is not None and obj.pk is not None else "",
        object_repr=describe(obj)[:200] if obj is not None else "",
        division_code=division_code or (getattr(obj, "division_code", "") or ""),
        before=_as_stored(before),
        after=_as_stored(after),
        changed_fields=changed(before, after) if action == "update" else [],
        note=note[:300],
    )
    batch = _BATCH.get()
    if batch is not None:
        batch.append(entry)
        return entry
    with transaction.atomic():
        _lock_chain()
        _link(entry, _last_link())
        entry.save(force_insert=True)
    return entry


def _last_link() -> tuple[int, str]:
    last = AuditEntry.objects.filter(seq__isnull=False).order_by("-seq").values("seq", "entry_hash").first()
    return (last["seq"], last["entry_hash"]) if last else (0, chain.GENESIS)


def _link(entry: AuditEntry, last: tuple[int, str]) -> tuple[int, str]:
    entry.seq = last[0] + 1
    entry.prev_hash = last[1]
    entry.entry_hash = chain.digest(settings.YINGJI_AUDIT_KEY, chain_content(entry))
    return entry.seq, entry.entry_hash


class AuditBatch:
    """Entries of one bulk write (a spreadsheet import), chained in memory and inserted together.
    ``mark()`` / ``discard(mark)`` drop the entries of a part rolled back to a savepoint."""

    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.links: list[tuple[int, str]] = []

    def append(self, entry: AuditEntry) -> None:
        if not self.links:
            _lock_chain()
            self.links.append(_last_link())
        self.links.append(_link(entry, self.links[-1]))
        self.entries.append(entry)

    def mark(self) -> int:
        return len(self.entries)

    def discard(self, mark: int) -> None:
        del self.entries[mark:]
        del self.links[mark + 1:]

    def flush(self) -> None:
        bulk.insert(self.entries)
        self.entries, self.links = [], []


_BATCH: ContextVar[AuditBatch | None] = ContextVar("yingji_audit_batch", default=None)


@contextmanager
def batched() -> Iterator[AuditBatch]:
    """One audited transaction whose entries are written together when it ends (the chain is
    the same as entry by entry). Nothing inside may read the audit log back before the end."""
    current = _BATCH.get()
    if current is not None:
        yield current
        return
    batch = AuditBatch()
    with audited_transaction():
        token = _BATCH.set(batch)
        try:
            yield batch
            batch.flush()
        finally:
            _BATCH.reset(token)


def _as_stored(value):
    """What a JSON column gives back, so the hash is the same before and after the round trip.
    A flat dict of plain values (a snapshot) comes back as it is: only the round trip is saved."""
    if value is None:
        return None
    if type(value) is dict and all(type(k) is str and type(v) in _PLAIN and v == v for k, v in value.items()):
        return dict(value)  # str keys, JSON-native values (NaN excepted): the round trip is the identity
    return json.loads(json.dumps(value, cls=DjangoJSONEncoder))


@contextmanager
def audited_transaction():
    """A write transaction that will append to the audit log. On PostgreSQL it takes the chain's
    lock first, before any row lock: every audited transaction then locks in the same order
    (chain, then rows). Taken only at the append, a transaction holding a row could wait for the
    chain while the chain's holder waited for that row: PostgreSQL broke that deadlock by failing
    one of them (seen under API fuzzing: two edits of one hazard source). The lock is held until
    commit either way, so taking it earlier costs only the time before the first append."""
    if in_batch():
        # Inside a write batch: the batch holds the chain lock and its owner wraps each part in
        # a savepoint of its own, so no lock round trip and no savepoint per nested write.
        with transaction.atomic(savepoint=False):
            yield
        return
    with transaction.atomic():
        _lock_chain()
        yield


def in_batch() -> bool:
    return _BATCH.get() is not None


def _lock_chain() -> None:
    # SQLite: transactions are IMMEDIATE (settings), so the writer already holds the database's
    # write lock. PostgreSQL: one advisory lock until commit, so two appends cannot both link to
    # the same last entry. Re-taking it in the same transaction is free.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CHAIN_LOCK])


def chain_content(entry: AuditEntry | dict) -> dict:
    """The hashed content of an entry (a model instance or a ``values()`` row)."""
    get = entry.get if isinstance(entry, dict) else (lambda name: getattr(entry, name))
    at = get("at")
    return {**{name: get(name) for name in chain.HASHED_FIELDS if name != "at"},
            "at": at.astimezone(dt.timezone.utc).isoformat() if at else None}


def verify_chain() -> chain.Verdict:
    """Check the whole audit log; the first broken link and why (``yingji audit verify``)."""
    fields = ("id", "entry_hash", *chain.HASHED_FIELDS)
    rows = (dict(row, **chain_content(row)) for row in
            AuditEntry.objects.order_by(models.F("seq").asc(nulls_first=True), "id").values(*fields).iterator(2000))
    return chain.verify(settings.YINGJI_AUDIT_KEY, rows)


def history_of(obj: models.Model):
    return AuditEntry.objects.filter(model=obj._meta.label, object_id=str(obj.pk)).order_by("-at", "-id")
