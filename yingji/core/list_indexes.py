"""PostgreSQL indexes for the registry lists, derived from the registries' own declarations.

A registry list at 100,000 rows filters by ``filter_fields``, searches ``search_fields`` with a
substring match (``icontains``: ``UPPER(col) LIKE UPPER('%…%')``, which no b-tree serves) and
sorts by a column the user clicks. On PostgreSQL this module keeps, for every registry:

* a trigram GIN index (``pg_trgm``) on ``UPPER(col::text)`` of each search field of the model's
  own table — the expression Django's ``icontains`` generates, so the planner can use it for the
  list, its count and the navigation search. ``pg_trgm`` treats Chinese characters as word
  characters under a UTF-8 ``lc_ctype`` (C.UTF-8 included), so 队名 substrings are indexed;
* a b-tree on each filter field (foreign keys and yes/no fields excepted: the first are
  indexed by Django, the second select half the table);
* a b-tree on each numeric or date column of the list (the sortable columns a user clicks), so
  “人数从多到少” reads the first page from the index instead of sorting every matching row.

They are created after every ``migrate`` (``post_migrate``), named ``yj_l_<hash>`` and kept in
step with the declarations: an index no registry asks for any more is dropped. Declarations,
not migrations, own them, because they follow the registries (which live in every app) and
SQLite needs none of them. Without the right to ``CREATE EXTENSION pg_trgm`` the trigram
indexes are left out with a warning (search still works, by scanning).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.apps import apps as django_apps
from django.db import DatabaseError, connections, models, transaction
from django.db.models.signals import post_migrate

log = logging.getLogger(__name__)
PREFIX = "yj_l_"
SORTABLE = (models.IntegerField, models.FloatField, models.DecimalField, models.DateField, models.DateTimeField)


@dataclass(frozen=True)
class ListIndex:
    table: str
    column: str
    kind: str  # "trigram" or "btree"

    @property
    def name(self) -> str:
        digest = hashlib.sha1(f"{self.table}.{self.column}.{self.kind}".encode()).hexdigest()[:12]
        return f"{PREFIX}{self.table[:40]}_{digest}"

    def create_sql(self, quote) -> str:
        table, column = quote(self.table), quote(self.column)
        if self.kind == "trigram":
            return f"CREATE INDEX IF NOT EXISTS {self.name} ON {table} USING gin ((UPPER({column}::text)) gin_trgm_ops)"
        return f"CREATE INDEX IF NOT EXISTS {self.name} ON {table} ({column})"


def wanted() -> list[ListIndex]:
    """The indexes the registries' declarations ask for (on any database; created on PostgreSQL)."""
    from .registry import REGISTRIES

    found: dict[str, ListIndex] = {}

    def add(model, field, kind: str) -> None:
        if not getattr(field, "concrete", False) or field.model is not model or field.primary_key:
            return  # a field of a parent table is that table's business
        if kind == "btree" and (field.db_index or field.unique or any(
                list(getattr(ix, "fields", []))[:1] == [field.name] for ix in model._meta.indexes)):
            return  # Django indexes it already
        index = ListIndex(model._meta.db_table, field.column, kind)
        found.setdefault(index.name, index)

    for registry in REGISTRIES.values():
        model = registry.model
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in _fields(model, registry.search_fields):
            if isinstance(field, (models.CharField, models.TextField)):
                add(model, field, "trigram")
        for field in _fields(model, registry.filter_fields):
            if not field.is_relation and not isinstance(field, models.BooleanField):
                add(model, field, "btree")
        for field in _fields(model, registry.list_fields):
            if isinstance(field, SORTABLE) and not field.is_relation:
                add(model, field, "btree")
    return sorted(found.values(), key=lambda i: i.name)


def _fields(model, names):
    """The model's own fields among ``names`` (related lookups such as expert__name and
    properties are skipped)."""
    for name in names:
        try:
            yield model._meta.get_field(name)
        except Exception:  # noqa: BLE001 - not a field of this model
            continue


def ensure(using: str = "default") -> dict:
    """Create the missing list indexes and drop the ones no longer declared (PostgreSQL only).
    Returns what was done: ``{"created": [...], "dropped": [...], "skipped": reason}``."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return {"created": [], "dropped": [], "skipped": "not PostgreSQL"}
    declared = indexes = wanted()
    done = {"created": [], "dropped": [], "skipped": ""}
    with connection.cursor() as cursor:
        try:
            with transaction.atomic(using=using):  # a refusal must not break the caller's transaction
                cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        except DatabaseError as exc:  # no right to create it: search works without the index
            log.warning("pg_trgm unavailable (%s): registry search will scan instead of using an index", exc)
            indexes = [i for i in indexes if i.kind != "trigram"]
            done["skipped"] = "pg_trgm unavailable"
        cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname LIKE %s",
                       [PREFIX.replace("_", r"\_") + "%"])
        present = {row[0] for row in cursor.fetchall()}
        tables = set(connection.introspection.table_names(cursor))
        for index in indexes:
            if index.name not in present and index.table in tables:
                cursor.execute(index.create_sql(connection.ops.quote_name))
                done["created"].append(index.name)
        for name in sorted(present - {i.name for i in declared}):  # kept even when pg_trgm is refused
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
            done["dropped"].append(name)
    return done


def ensure_after_migrate(sender, using="default", **kwargs) -> None:
    """``post_migrate`` receiver (connected once, for the core app: after every app migrated)."""
    done = ensure(using)
    if done["created"] or done["dropped"]:
        log.info("registry list indexes: %d created, %d dropped", len(done["created"]), len(done["dropped"]))


# A startup module of the core app (CoreConfig.startup_modules): imported once, in ready().
post_migrate.connect(ensure_after_migrate, sender=django_apps.get_app_config("core"),
                     dispatch_uid="yingji.core.list_indexes")
