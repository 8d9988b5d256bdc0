"""Insert many new rows of one model quickly, with their keys, as ``bulk_create`` would.

Django's ``bulk_create`` compiles every value of every row through its SQL compiler; for a
10,000-row spreadsheet import that compilation, not the database, took most of the time
(docs/performance.md). Here each column's conversion is decided once per model, and the rows go
to the database in one statement run many times (SQLite's ``executemany``) or one ``COPY``
(PostgreSQL). The keys are taken before the insert — the sequence's next values on PostgreSQL,
the numbers after the table's highest on SQLite, where the writer holds the database's write
lock for the whole transaction (``IMMEDIATE`` transactions, settings) — so every object knows
its key afterwards, as after ``bulk_create``.

It lives in the audit package, the lowest layer that talks to the database, because the audit
log's own batch flush uses it; core's ``insert_prepared`` uses it for imported records. Only
plain inserts: models whose ``save()`` does more, or that have save signals or a parent table,
are not given to it (``records._bulk_safe``).
"""

from __future__ import annotations

from typing import Any, Callable, Sequence

from django.db import connection, models

# Field classes (exactly these, not subclasses, which may convert values their own way) and the
# Python types a value of theirs may have to go to the driver as it is — what get_db_prep_save
# returns for it: the conversion is skipped for those values.
_TEXT, _WHOLE = {str, type(None)}, {int, type(None)}
_PLAIN = {models.CharField: _TEXT, models.TextField: _TEXT, models.IntegerField: _WHOLE,
          models.BigIntegerField: _WHOLE, models.SmallIntegerField: _WHOLE, models.PositiveIntegerField: _WHOLE,
          models.PositiveSmallIntegerField: _WHOLE, models.PositiveBigIntegerField: _WHOLE,
          models.FloatField: {float, int, type(None)}, models.BooleanField: {bool, type(None)}}


def _converter(field: models.Field) -> Callable[[models.Model], Any]:
    """The database value of ``field`` for one object, as Django's insert compiler makes it."""
    attname = field.attname
    prep = field.get_db_prep_save
    own_pre_save = type(field).pre_save is not models.Field.pre_save  # auto_now, files
    plain = _PLAIN.get(type(field))

    if own_pre_save:
        return lambda obj: prep(field.pre_save(obj, True), connection)
    if plain:
        def plain_value(obj):
            value = getattr(obj, attname)
            return value if type(value) in plain else prep(value, connection)
        return plain_value
    return lambda obj: prep(getattr(obj, attname), connection)


def _fields(model: type[models.Model]) -> tuple[models.Field, list[models.Field]]:
    meta = model._meta
    pk = meta.pk
    if not isinstance(pk, models.AutoField):  # BigAutoField and SmallAutoField are AutoFields too
        raise TypeError(f"{meta.label}: bulk insert needs an automatic integer key")
    return pk, [f for f in meta.concrete_fields if f is not pk and not getattr(f, "generated", False)]


def _sqlite_keys(table: str, pk_column: str, count: int, cursor) -> list[int]:
    quote = connection.ops.quote_name
    cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
    row = cursor.fetchone()
    cursor.execute(f"SELECT MAX({quote(pk_column)}) FROM {quote(table)}")
    highest = max(row[0] if row else 0, cursor.fetchone()[0] or 0)
    return list(range(highest + 1, highest + 1 + count))


def _postgresql_keys(table: str, pk_column: str, count: int, cursor) -> list[int]:
    cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                   [connection.ops.quote_name(table), pk_column, count])
    return [row[0] for row in cursor.fetchall()]


def insert(objs: Sequence[models.Model]) -> None:
    """INSERT ``objs`` (new, unsaved, one model) and give each its key. Raises the database's
    ``IntegrityError`` (as ``bulk_create`` does) when a unique key or constraint refuses a row;
    the caller's savepoint then undoes the rest."""
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    pk, fields = _fields(model)
    convert = [_converter(f) for f in fields]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(c) for c in [pk.column, *(f.column for f in fields)])
    with connection.cursor() as cursor:
        take_keys = _postgresql_keys if connection.vendor == "postgresql" else _sqlite_keys
        keys = take_keys(meta.db_table, pk.column, len(objs), cursor)
        rows = [(key, *[c(obj) for c in convert]) for key, obj in zip(keys, objs)]
        if connection.vendor == "postgresql":
            with connection.wrap_database_errors:
                with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})", rows)
    db = connection.alias
    for key, obj in zip(keys, objs):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = db
