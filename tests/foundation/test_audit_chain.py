"""The audit log is a hash chain: `yingji audit verify` passes on honest data and finds an edited,
a deleted and an inserted row, each at the right place (issue 13, finding 9)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from yingji.audit import services as audit
from yingji.audit.models import AuditEntry

SQLITE = __import__("yingji.audit.migrations.0002_append_only_triggers", fromlist=["SQLITE"]).SQLITE
SQLITE_DROP = __import__("yingji.audit.migrations.0002_append_only_triggers", fromlist=["SQLITE_DROP"]).SQLITE_DROP

pytestmark = pytest.mark.django_db  # rolled back: the raw edits below never outlive a test


def _entries(make_user, n=5):
    user = make_user("auditor", "city_admin")
    return [audit.record(user, "export", None, model_label="resources.RescueTeam", note=f"导出 {i}",
                         division_code="210900000000") for i in range(n)]


def _raw(sql, params=()):
    """What someone with direct database access could do: lift the append-only trigger and write."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update_delete")
            cursor.execute(sql, params)
            cursor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_no_update_delete")
        else:
            for statement in SQLITE_DROP:
                cursor.execute(statement)
            cursor.execute(sql, params)
            for statement in SQLITE:  # put the guard back for the other tests
                cursor.execute(statement)


def test_honest_log_verifies_and_links(make_user):
    entries = _entries(make_user)
    assert [e.seq for e in entries] == [entries[0].seq + i for i in range(5)]
    assert all(b.prev_hash == a.entry_hash for a, b in zip(entries, entries[1:]))
    verdict = audit.verify_chain()
    assert verdict.ok and verdict.checked == AuditEntry.objects.count()
    call_command("audit", "verify")  # no error


def test_edited_row_is_found(make_user):
    entries = _entries(make_user)
    _raw("UPDATE audit_auditentry SET note = %s WHERE id = %s", ["导出 0 条", entries[2].pk])
    verdict = audit.verify_chain()
    assert not verdict.ok and verdict.broken_id == entries[2].pk
    assert "内容与其哈希不符" in verdict.reason
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("audit", "verify")


def test_deleted_row_is_found(make_user):
    entries = _entries(make_user)
    _raw("DELETE FROM audit_auditentry WHERE id = %s", [entries[1].pk])
    verdict = audit.verify_chain()
    assert not verdict.ok and verdict.broken_id == entries[2].pk and "疑似被删除" in verdict.reason


def test_inserted_row_is_found(make_user):
    entries = _entries(make_user)
    _raw("INSERT INTO audit_auditentry (at, actor_name, address, action, model, object_id, object_repr, division_code,"
         " changed_fields, note, prev_hash, entry_hash) VALUES (%s, '系统', '', 'login', '', '', '', '', '[]', '补录', '', '')",
         [entries[-1].at])
    verdict = audit.verify_chain()
    assert not verdict.ok and "不在链中" in verdict.reason


def test_inserted_row_with_a_forged_link_is_found(make_user):
    """Even one that copies the chain's shape: without the key its hash cannot be right."""
    entries = _entries(make_user)
    last = entries[-1]
    _raw("INSERT INTO audit_auditentry (at, actor_name, address, action, model, object_id, object_repr, division_code,"
         " changed_fields, note, seq, prev_hash, entry_hash) VALUES (%s, '系统', '', 'login', '', '', '', '', '[]', '补录',"
         " %s, %s, %s)", [last.at, last.seq + 1, last.entry_hash, "f" * 64])
    verdict = audit.verify_chain()
    assert not verdict.ok and verdict.broken_seq == last.seq + 1 and "伪造" in verdict.reason


def test_cli_prints_json(make_user):
    # The command line tool works against the same database in a real process only for a file
    # database; the management command is what it runs, so check its output here.
    import io

    _entries(make_user, 2)
    out = io.StringIO()
    call_command("audit", "verify", stdout=out)
    assert json.loads(out.getvalue())["ok"] is True
    help_text = subprocess.run([sys.executable, "-m", "yingji.cli", "--help"], capture_output=True, text=True).stdout
    assert "audit" in help_text


def test_application_role_cannot_rewrite_the_audit_log(make_user):
    """PostgreSQL: the documented application role may append but not update, delete or lift the
    trigger. SQLite has no roles: there the triggers are the database-level guard."""
    from django.db import DatabaseError, transaction

    from yingji.audit.roles import app_role_grants

    entry = _entries(make_user, 1)[0]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            for sql in ("UPDATE audit_auditentry SET note = 'x'", "DELETE FROM audit_auditentry"):
                with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
                    cursor.execute(sql)
            return
        cursor.execute("SELECT current_user")
        owner = cursor.fetchone()[0]
        cursor.execute("CREATE ROLE yingji_test_app NOLOGIN")
        for sql in app_role_grants("yingji_test_app", owner):
            cursor.execute(sql)
        cursor.execute("SET LOCAL ROLE yingji_test_app")
        for sql in (f"UPDATE audit_auditentry SET note = 'x' WHERE id = {entry.pk}",
                    f"DELETE FROM audit_auditentry WHERE id = {entry.pk}", "TRUNCATE audit_auditentry"):
            with pytest.raises(DatabaseError, match="permission denied"), transaction.atomic():
                cursor.execute(sql)
        for sql in ("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update_delete",
                    "DROP TRIGGER audit_no_update_delete ON audit_auditentry"):
            with pytest.raises(DatabaseError, match="must be owner"), transaction.atomic():
                cursor.execute(sql)
        audit.record(None, "login", None, note="应用角色可以追加", model_label="accounts.User")  # appending works
        cursor.execute("RESET ROLE")
    assert audit.verify_chain().ok


def test_an_audited_write_takes_the_chain_before_any_row(make_user, enterprises):
    """Lock order: every audited write transaction takes the chain's lock before it locks a row.
    Taken only at the append, an edit holding a hazard source's row waited for the chain while
    the chain's holder waited for that row; PostgreSQL broke the deadlock by failing one edit
    (a 500 under API fuzzing). SQLite takes its one write lock at BEGIN IMMEDIATE, first anyway."""
    from django.conf import settings
    from django.test.utils import CaptureQueriesContext

    from yingji.core import records

    admin = make_user("chain_admin", "city_admin")
    enterprise = enterprises[0]
    if connection.vendor != "postgresql":
        assert settings.DATABASES["default"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
        return
    with CaptureQueriesContext(connection) as queries:
        records.update_record(admin, enterprise, {"name": "彰武测试化工有限公司（更名）"})
    sql = [q["sql"] for q in queries.captured_queries]
    chain = next(i for i, s in enumerate(sql) if "pg_advisory_xact_lock" in s)
    row = next(i for i, s in enumerate(sql) if "FOR UPDATE" in s)
    assert chain < row, sql[:row + 1]


def test_a_write_rolled_back_for_a_concurrent_one_asks_to_retry():
    """A deadlock PostgreSQL broke or SQLite's lock timeout is not a server fault: nothing was
    saved and the same call can be repeated (503 with Retry-After in the API, a Chinese page in
    the console). Other database faults stay 500s."""
    import sqlite3

    import psycopg
    from django.db import OperationalError

    from yingji.core.errors import busy_from

    for cause in (psycopg.errors.DeadlockDetected("deadlock detected"),
                  psycopg.errors.SerializationFailure("could not serialize access"),
                  sqlite3.OperationalError("database is locked")):
        wrapped = OperationalError(str(cause))
        wrapped.__cause__ = cause
        busy = busy_from(wrapped)
        assert busy is not None and busy.status == 503 and "重试" in busy.message
    fault = OperationalError("no such table: x")
    fault.__cause__ = sqlite3.OperationalError("no such table: x")
    assert busy_from(fault) is None
