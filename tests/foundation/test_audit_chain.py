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
