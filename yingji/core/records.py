"""The one write path for business records: scope check (of the record and of every foreign
key it sets), validation, optimistic locking, location normalisation and audit, all in one
transaction.

Every app's services write through this module instead of saving models and calling the audit
log by hand:

* :func:`create_record`, :func:`update_record`, :func:`delete_record` — user input. ``data`` is
  what the user typed (editable fields only, foreign keys scope-checked); ``server`` holds fields
  the code sets (states, who/when, derived values) which users can never set themselves.
* :func:`create_rows` — several rows in one transaction (child rows of a parent, batches).
* :func:`change` — a server-side change of an existing record (locked, version bumped, audited).
* :func:`transition` — one step of a :class:`~yingji.rules.statemachine.StateMachine`: checks the
  table, refuses an illegal step with a Chinese message, records who/when/note, bumps version.
* :func:`log_event` — audit entries that are not record writes (login, export, import summary).

``SYSTEM`` is the actor for background work (alarms raised by ingest, escalation sweeps, demo
loading): it skips user scope checks and is recorded as “系统” in the audit log.
"""

from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Iterable, Iterator, Mapping

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from yingji.audit import bulk as audit_bulk
from yingji.audit import services as audit
from yingji.geo import divcodes
from yingji.geo.coords import to_wgs84
from yingji.regions.services import check_location
from yingji.rules.statemachine import StateMachine, Transition, TransitionError

from . import capabilities, scope
from .errors import Conflict, Forbidden, NotFound, ServiceError, ValidationFailed, from_django_validation

# Services open their write transactions with this (chain lock first: see audit.services).
audited_transaction = audit.audited_transaction


class _System:
    """The actor of background work. Not a user: no scope, recorded as “系统”."""

    pk = None
    role = "system"
    region_code = ""
    is_authenticated = False

    def __repr__(self) -> str:
        return "SYSTEM"

    def __str__(self) -> str:
        return "系统"

    def display_name(self) -> str:
        return "系统"


SYSTEM = _System()

# Listeners told of every record write inside its transaction, after its audit entry:
# ``listener(actor, obj, action)`` with action create / update / transition / delete. Apps above
# the floor register here (the exchange outbox) so that what they write commits or rolls back
# with the record itself. A listener that raises aborts the write.
_WRITE_LISTENERS: list[Callable[[Any, models.Model, str], None]] = []


def on_write(listener: Callable[[Any, models.Model, str], None]) -> Callable[[Any, models.Model, str], None]:
    """Register ``listener`` (once; registering the same function again is a no-op)."""
    if listener not in _WRITE_LISTENERS:
        _WRITE_LISTENERS.append(listener)
    return listener


def _written(actor, obj: models.Model, action: str) -> None:
    for listener in _WRITE_LISTENERS:
        listener(actor, obj, action)


_BATCH_MEMO: ContextVar[dict | None] = ContextVar("yingji_write_batch_memo", default=None)


@contextmanager
def write_batch() -> Iterator[audit.AuditBatch]:
    """One audited transaction for many record writes (a spreadsheet import): the audit entries
    are chained in memory and inserted together at the end, and listeners may keep what does not
    change during the batch through :func:`batch_cached` (the exchange outbox's links). Use the
    batch's ``mark()`` / ``discard()`` around each savepoint a part may be rolled back to."""
    memo = _BATCH_MEMO.get()
    token = _BATCH_MEMO.set({} if memo is None else memo)  # a nested batch shares the outer one
    try:
        with audit.batched() as batch:
            yield batch
    finally:
        _BATCH_MEMO.reset(token)


def batch_memo() -> dict | None:
    """The memo of the write batch in progress, or None outside one."""
    return _BATCH_MEMO.get()


def batch_cached(key, compute: Callable[[], Any]) -> Any:
    """``compute()``, asked once per write batch (every time outside one)."""
    memo = _BATCH_MEMO.get()
    if memo is None:
        return compute()
    if key not in memo:
        memo[key] = compute()
    return memo[key]


def is_system(actor) -> bool:
    return actor is SYSTEM or actor is None


def _user_or_none(actor):
    return None if is_system(actor) else actor


# ----- assignment and checks -----------------------------------------------------------


def _assign(obj: models.Model, data: Mapping[str, Any]) -> None:
    editable = {f.name: f for f in obj._meta.concrete_fields if f.editable}
    unknown = [k for k in data if k not in editable and not k.endswith("_id")]
    if unknown:
        raise ValidationFailed(f"未知字段：{'、'.join(unknown)}", fields={k: ["未知字段"] for k in unknown})
    for key, value in data.items():
        setattr(obj, key, value)


def _assign_server(obj: models.Model, server: Mapping[str, Any] | None) -> None:
    for key, value in (server or {}).items():
        setattr(obj, key, value)


def _foreign_keys(obj: models.Model, keys: Iterable[str]) -> list[models.ForeignKey]:
    keys = set(keys)
    return [f for f in obj._meta.concrete_fields
            if isinstance(f, models.ForeignKey) and (f.name in keys or f.attname in keys)]


def may_reference(user, target: models.Model) -> bool:
    """Whether ``user`` may point a foreign key at ``target`` (``check_foreign_keys``'s rule)."""
    if is_system(user) or not any(f.name == "division_code" for f in type(target)._meta.concrete_fields):
        return True
    code = target.division_code
    inside = not code or divcodes.is_within(code, user.region_code) or divcodes.is_within(user.region_code, code)
    if inside and capabilities.enterprise_bound(user) and scope.enterprise_field(type(target)) is not None:
        inside = scope.is_visible(target, user)
    return inside


def referable(user, queryset: models.QuerySet) -> models.QuerySet:
    """The records of ``queryset`` a form may offer ``user`` as a foreign key's target: the ones
    ``check_foreign_keys`` accepts, so a form never offers a choice the save refuses."""
    if is_system(user) or not any(f.name == "division_code" for f in queryset.model._meta.concrete_fields):
        return queryset
    return queryset.filter(pk__in=[t.pk for t in queryset if may_reference(user, t)])


def check_foreign_keys(user, obj: models.Model, keys: Iterable[str]) -> None:
    """Refuse a write that points a foreign key at a record outside the writer's scope
    (e.g. equipment placed in another county's warehouse, a monitored object of another
    county's enterprise). A target filed at a level above the writer (the city's material
    catalogue, the city headquarters) is shared downward and may be referenced; targets without
    a division (users, types) are not scoped; a missing target is left to validation.
    Enterprise users may only point at their own enterprise's records where the target model
    names an enterprise field."""
    if is_system(user):
        return
    for field in _foreign_keys(obj, keys):
        target_id = getattr(obj, field.attname)
        target_model = field.remote_field.model
        if target_id is None or not any(f.name == "division_code" for f in target_model._meta.concrete_fields):
            continue
        target = target_model._base_manager.filter(pk=target_id).first()
        if target is None:
            continue
        if not may_reference(user, target):
            raise Forbidden(
                f"{field.verbose_name}“{target}”不在您的管辖范围内（{user.region_code[:6]}），不能引用",
                code="foreign_key_out_of_scope", fields={field.name: ["不在您的管辖范围内"]},
            )


def _normalise_location(obj: models.Model) -> None:
    """Convert GCJ-02 / BD-09 input to WGS-84 once, keeping the source system recorded."""
    if getattr(obj, "lon", None) is None or getattr(obj, "coord_source", "WGS84") in ("WGS84", "CGCS2000"):
        return
    if getattr(obj, "_location_normalised", False):
        return
    obj.lon, obj.lat = to_wgs84(obj.lon, obj.lat, obj.coord_source)
    obj._location_normalised = True


def _validate(obj: models.Model, derive: Callable[[models.Model], None] | None = None) -> None:
    """Model validation, then the service layer's derived fields (grades, scores) if any."""
    try:
        obj.full_clean()
        if derive is not None:
            derive(obj)
    except ValidationError as exc:
        raise from_django_validation(exc) from exc
    check_location(obj)


def _save(obj: models.Model, **kwargs) -> None:
    try:
        with transaction.atomic(savepoint=not audit.in_batch()):  # a batch's owner holds the savepoint
            obj.save(**kwargs)
    except IntegrityError as exc:
        raise Conflict(f"保存失败：与已有记录冲突（{exc}）") from exc


def _check_parent(user, model: type[models.Model], parent: models.Model) -> None:
    """A row written as part of a write to ``parent`` (a receipt of a report, a grading of a
    hazard source, the tasks of a response) is authorised through the parent: the writer must
    see it and be allowed to write it. The row itself may be filed elsewhere (a receipt lies
    under the receiving unit's division) and its model may admit no direct writers at all."""
    scope.check_can_see(parent, user)
    scope.check_can_write(type(parent), user, getattr(parent, "division_code", None), parent)


def _stamp(obj: models.Model, user, *, created: bool) -> None:
    who = _user_or_none(user)
    if created and hasattr(obj, "created_by_id"):
        obj.created_by = who
    if hasattr(obj, "updated_by_id"):
        obj.updated_by = who


def lock(obj: models.Model, manager=None) -> models.Model:
    """The row again, locked until commit. A row deleted by a concurrent request between the
    caller's read and this lock is a 404, not a server error (two deletes of one record)."""
    model = type(obj)
    try:
        return (manager or model._base_manager).select_for_update().get(pk=obj.pk)
    except model.DoesNotExist as exc:
        raise NotFound(f"该{model._meta.verbose_name}已被他人删除，请刷新后查看") from exc


_lock = lock  # inside this module: ``change`` has a parameter of that name


def _check_version(current: models.Model, expected_version, message=None) -> None:
    """Refuse a change based on an older version (409). ``message`` may be a callable on the row."""
    if expected_version in (None, "") or current.version == int(expected_version):
        return
    if callable(message):
        message = message(current)
    updated_at = getattr(current, "updated_at", None)
    raise Conflict(
        message or (
            f"保存被拒绝：该记录已被 {getattr(current, 'updated_by', None) or '他人'} 于 "
            f"{updated_at:%Y-%m-%d %H:%M} 修改（当前版本 {current.version}，您编辑的是版本 {expected_version}）。"
            "请刷新后重新编辑。"),
        code="version_conflict",
    )


# ----- create / update / delete from user input ------------------------------------------


def _prepare_new(user, model: type[models.Model], data: Mapping[str, Any], server, parent, validate: bool,
                 derive: Callable[[models.Model], None] | None = None):
    obj = model()
    _assign(obj, data)
    _assign_server(obj, server)
    _normalise_location(obj)
    if hasattr(obj, "division_code") and not obj.division_code:
        obj.division_code = parent.division_code if parent is not None else getattr(user, "region_code", "")
    if is_system(user):
        pass
    elif parent is not None:
        _check_parent(user, model, parent)
    else:
        scope.check_can_write(model, user, getattr(obj, "division_code", None) or user.region_code)
    check_foreign_keys(user, obj, data.keys())
    if validate:
        _validate(obj, derive)
    if not is_system(user) and parent is None:
        scope.check_can_write(model, user, getattr(obj, "division_code", None), obj)
    _stamp(obj, user, created=True)
    return obj


def create_record(user, model: type[models.Model], data: Mapping[str, Any], *, note: str = "",
                  server: Mapping[str, Any] | None = None, parent: models.Model | None = None,
                  validate: bool = True, audit_action: str = "create", audit_division: str = "",
                  derive: Callable[[models.Model], None] | None = None) -> models.Model:
    """Create one record from user input ``data`` plus code-set ``server`` fields. ``derive(obj)``
    computes derived fields (grades, scores; may raise ValidationError) after model validation,
    before the save: models hold data and invariants only.

    With ``parent`` the row is part of a write to that record (a receipt of a report, a task of
    a response): the writer must see and be allowed to write the parent, and the row's division
    defaults to the parent's. ``user`` may be :data:`SYSTEM` for background work.
    ``audit_division`` files the audit entry under a division for records without one (users)."""
    obj = _prepare_new(user, model, data, server, parent, validate, derive)
    with audit.audited_transaction():
        _save(obj)
        audit.record(_user_or_none(user), audit_action, obj, after=audit.snapshot(obj), note=note,
                     division_code=audit_division)
        _written(user, obj, "create")
    return obj


def prepare_record(user, model: type[models.Model], data: Mapping[str, Any], *,
                   derive: Callable[[models.Model], None] | None = None) -> models.Model:
    """The checks of :func:`create_record` without the write: an unsaved, validated record for
    :func:`insert_prepared` (raises the same ``ServiceError`` the create would)."""
    return _prepare_new(user, model, data, None, None, True, derive)


def _bulk_safe(model: type[models.Model]) -> bool:
    """Whether one multi-row INSERT writes ``model`` exactly as ``save()`` would: no save()
    of its own, no save signals, no parent table."""
    meta = model._meta
    return (model.save is models.Model.save and not meta.parents
            and not models.signals.pre_save.has_listeners(model)
            and not models.signals.post_save.has_listeners(model))


def insert_prepared(user, objs: list[models.Model], *, note: str = "") -> None:
    """Insert records made by :func:`prepare_record` (one model) together (``audit.bulk.insert``), then
    audit each and tell the listeners, exactly as :func:`create_record` does one by one. A
    conflict (a unique key) raises ``Conflict`` and writes nothing; callers that must say which
    record conflicted insert one at a time. Models whose save does more than an INSERT are saved
    one by one."""
    if not objs:
        return
    model = type(objs[0])
    try:
        # A savepoint of its own: a conflict rolls back to it and leaves the caller's
        # transaction usable (an import then inserts its rows one by one to name the culprit).
        with transaction.atomic(), audit.audited_transaction():
            if _bulk_safe(model):
                audit_bulk.insert(objs)
            else:
                for obj in objs:
                    obj.save()
            actor = _user_or_none(user)
            for obj in objs:
                audit.record(actor, "create", obj, after=audit.snapshot(obj), note=note)
                _written(user, obj, "create")
    except IntegrityError as exc:
        for obj in objs:  # the ones of an earlier chunk got keys before the rollback
            obj.pk, obj._state.adding = None, True
        raise Conflict(f"保存失败：与已有记录冲突（{exc}）") from exc


def create_rows(user, model: type[models.Model], rows: Iterable[Mapping[str, Any]], *, note: str = "",
                server: Mapping[str, Any] | None = None, parent: models.Model | None = None,
                validate: bool = True) -> list[models.Model]:
    """Create several rows in one transaction (all or nothing), each checked and audited like
    :func:`create_record`. ``server`` fields apply to every row (e.g. the parent key)."""
    with audit.audited_transaction():
        return [create_record(user, model, data, note=note, server=server, parent=parent, validate=validate)
                for data in rows]


@contextmanager
def writing_children(user, parent: models.Model, *, note: str, document: Callable[[models.Model], dict] | None = None,
                     audit_action: str = "update") -> Iterator[models.Model]:
    """Write unscoped child rows of ``parent`` (a plan's levels, members and actions) in one
    transaction, after checking the writer may write the parent; on success one audit entry on
    the parent carries the whole structure (``document(parent)``, default its snapshot)."""
    if not is_system(user):
        scope.check_can_see(parent, user)
        scope.check_can_write(type(parent), user, getattr(parent, "division_code", None))
    with audit.audited_transaction():
        yield parent
        after = document(parent) if document is not None else audit.snapshot(parent)
        audit.record(_user_or_none(user), audit_action, parent, after=after, note=note)
        _written(user, parent, audit_action)


def update_record(user, obj: models.Model, data: Mapping[str, Any], *, expected_version: int | None = None,
                  note: str = "", server: Mapping[str, Any] | None = None,
                  derive: Callable[[models.Model], None] | None = None) -> models.Model:
    """Apply ``data`` to ``obj`` (``derive`` as in :func:`create_record`). ``expected_version`` is the version the editor started from:
    a save based on an older version is refused (two people editing the same record)."""
    model = type(obj)
    scope.check_can_see(obj, user)
    scope.check_can_write(model, user, obj.division_code)
    with audit.audited_transaction():
        current = _lock(obj, model.objects)
        _check_version(current, expected_version)
        before = audit.snapshot(current)
        _assign(current, data)
        _assign_server(current, server)
        if "lon" in data or "coord_source" in data:
            _normalise_location(current)
        scope.check_can_write(model, user, current.division_code)
        check_foreign_keys(user, current, [f.name for f in _foreign_keys(current, data.keys())
                                           if before.get(f.attname) != getattr(current, f.attname)])
        _validate(current, derive)
        scope.check_can_write(model, user, current.division_code, current)
        current.version += 1
        current.updated_by = user
        _save(current)
        audit.record(user, "update", current, before=before, after=audit.snapshot(current), note=note)
        _written(user, current, "update")
    return current


def delete_blocker(obj: models.Model) -> str:
    """Why the record cannot be deleted ("" when it can): records that still refer to it through
    a protected reference. The same collection ``delete()`` runs first, without deleting, so a page
    offers 删除 only when the server will do it."""
    collector = models.deletion.Collector(using=obj._state.db or "default")
    try:
        collector.collect([obj])
    except (models.ProtectedError, models.RestrictedError):
        return "仍有其他记录引用它，不能删除"
    return ""


def delete_record(user, obj: models.Model, *, expected_version: int | None = None, note: str = "") -> None:
    model = type(obj)
    scope.check_can_see(obj, user)
    scope.check_can_write(model, user, obj.division_code)
    with audit.audited_transaction():
        current = _lock(obj, model.objects)
        if expected_version is not None and current.version != int(expected_version):
            raise Conflict("删除被拒绝：该记录已被他人修改，请刷新后重试", code="version_conflict")
        before = audit.snapshot(current)
        try:
            current.delete()
        except models.ProtectedError as exc:
            raise Conflict(f"不能删除“{current}”：仍有其他记录引用它") from exc
        current.pk = before.get("id", current.pk)
        audit.record(user, "delete", current, before=before, note=note)
        _written(user, current, "delete")


# ----- server-side changes and state transitions ------------------------------------------


def _finish(user, current: models.Model, before: dict, action: str, note: str, *, bump: bool = True,
            update_fields: list[str] | None = None, audit_division: str = "") -> None:
    if bump and hasattr(current, "version"):
        current.version += 1
    if not is_system(user) and hasattr(current, "updated_by_id"):
        current.updated_by = user
    if update_fields is not None:
        extra = [f for f in ("version", "updated_by", "updated_at") if hasattr(current, f)]
        update_fields = sorted(set(update_fields) | set(extra))
    _save(current, update_fields=update_fields)
    audit.record(_user_or_none(user), action, current, before=before, after=audit.snapshot(current), note=note,
                 division_code=audit_division)
    _written(user, current, action)


def change(user, obj: models.Model, *, note: str = "", audit_action: str = "update", lock: bool = True,
           expected_version=None, conflict_message=None, bump: bool = True,
           only_changed: bool = False, audit_division: str = "", **changes) -> models.Model:
    """Set code-determined fields on an existing record (never user input: the caller has
    checked who may do this), bump its version and audit before/after in one transaction.
    Returns the saved (locked, fresh) row. ``only_changed`` saves just these fields, for rows
    that other processes update concurrently (alarms, escalation sweeps)."""
    with audit.audited_transaction():
        current = _lock(obj) if lock else obj
        _check_version(current, expected_version, conflict_message)
        before = audit.snapshot(current)
        for key, value in changes.items():
            setattr(current, key, value)
        _finish(user, current, before, audit_action, note, bump=bump,
                update_fields=list(changes) if only_changed else None, audit_division=audit_division)
    return current


def claim(user, obj: models.Model, where: Mapping[str, Any], *, note: str, audit_action: str = "transition",
          **changes) -> bool:
    """Compare-and-set for sweeps that several processes may run at once (escalations): set
    ``changes`` only if the row still matches ``where``, in one UPDATE; audit before/after of the
    changed fields only when this process won. Returns whether it did."""
    with audit.audited_transaction():
        won = type(obj)._base_manager.filter(pk=obj.pk, **where).update(**changes)
        if not won:
            return False
        before = {key: audit._json_value(getattr(obj, key)) for key in changes}
        for key, value in changes.items():
            setattr(obj, key, value)
        after = {key: audit._json_value(value) for key, value in changes.items()}
        audit.record(_user_or_none(user), audit_action, obj, before=before, after=after, note=note)
        _written(user, obj, audit_action)
    return True


def note_event(user, obj: models.Model, note: str, *, audit_action: str = "transition") -> None:
    """An audited event on a record that changes none of its fields (a timeline entry, a
    stopped delivery, a task note): who, when and what, in the caller's transaction."""
    audit.record(_user_or_none(user), audit_action, obj, note=note)


TRANSITION_ERRORS: dict[str, type[ServiceError]] = {
    "forbidden_role": Forbidden,
    "illegal_transition": ValidationFailed,
    "guard_failed": ValidationFailed,
    "unknown_action": ValidationFailed,
}


def transition_error(exc: TransitionError, errors=None) -> ServiceError:
    """The service error for an illegal move: ``errors`` maps TransitionError codes to error
    classes (default :data:`TRANSITION_ERRORS`), or is a callable ``exc -> ServiceError``."""
    if callable(errors):
        return errors(exc)
    cls = {**TRANSITION_ERRORS, **(errors or {})}.get(exc.code, ValidationFailed)
    return cls(exc.message, code=exc.code)


def transition(user, obj: models.Model, machine: StateMachine, action: str, *, note=None, context=None,
               roles: Iterable[str] | None = None, errors=None, expected_version=None,
               conflict_message=None, field: str = "state",
               apply: Callable[[models.Model, Transition, str], None] | None = None, **changes) -> models.Model:
    """Take ``action`` of ``machine`` on ``obj`` for ``user`` in one transaction.

    Locks the row, refuses a stale version (409), checks the machine table with the user's role
    (or ``roles``) and ``context`` (a mapping, or a callable on the locked row), sets the state to
    the transition's target, applies ``changes`` and then ``apply(row, transition, from_state)`` for
    work that needs the locked row, bumps the version and writes a ``transition`` audit entry (who, when,
    before/after and ``note``: text, or a callable ``(row, transition, from_state) -> text``;
    default the transition's label). An illegal move raises a :class:`ServiceError` with the
    machine's Chinese message (see :func:`transition_error`), and nothing is written."""
    with audit.audited_transaction():
        current = _lock(obj)
        if not is_system(user):
            scope.check_can_see(current, user)
        _check_version(current, expected_version, conflict_message)
        ctx = context(current) if callable(context) else context
        actor_roles = list(roles) if roles is not None else [getattr(user, "role", "system")]
        source = getattr(current, field)
        try:
            move = machine.check(action, source, actor_roles, ctx)
        except TransitionError as exc:
            raise transition_error(exc, errors) from exc
        before = audit.snapshot(current)
        setattr(current, field, move.target)
        for key, value in changes.items():
            setattr(current, key, value)
        if apply is not None:
            apply(current, move, source)
        text = note(current, move, source) if callable(note) else (note or move.label or action)
        _finish(user, current, before, "transition", text)
    return current


def log_event(user, action: str, obj: models.Model | None = None, *, note: str = "", **kwargs):
    """An audit entry that is not a record write: login, logout, token issue, export, import
    summary. ``kwargs`` pass through to the audit log (model_label, address, division_code,
    before, after)."""
    return audit.record(_user_or_none(user), action, obj, note=note, **kwargs)
