"""Audit log as a hash chain: sequence number, previous hash, own hash; rows that exist already are
linked in id order (the append-only triggers are lifted for that one update and put back)."""

import datetime as dt

from django.conf import settings

import django.utils.timezone
from django.db import migrations, models

from yingji.audit import chain


SQLITE_TRIGGERS = [
    """CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
    """CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit_auditentry
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END""",
]


def link_existing(apps, schema_editor):
    Entry = apps.get_model("audit", "AuditEntry")
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        schema_editor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER audit_no_update_delete")
    else:
        # SQLite rebuilt the table for the new columns, which dropped its triggers; they are
        # created again below, after the existing rows are linked.
        schema_editor.execute("DROP TRIGGER IF EXISTS audit_no_update")
    previous = chain.GENESIS
    fields = [f for f in chain.HASHED_FIELDS if f not in ("seq", "prev_hash")]
    for seq, row in enumerate(Entry.objects.order_by("id").values("id", *fields), 1):
        content = dict(row, seq=seq, prev_hash=previous, at=row["at"].astimezone(dt.timezone.utc).isoformat())
        digest = chain.digest(settings.YINGJI_AUDIT_KEY, content)
        schema_editor.execute("UPDATE audit_auditentry SET seq = %s, prev_hash = %s, entry_hash = %s WHERE id = %s",
                              [seq, previous, digest, row["id"]])
        previous = digest
    if vendor == "postgresql":
        schema_editor.execute("ALTER TABLE audit_auditentry ENABLE TRIGGER audit_no_update_delete")
    else:
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('audit', '0002_append_only_triggers'),
    ]

    operations = [
        migrations.AddField(
            model_name='auditentry',
            name='entry_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='本条哈希'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='prev_hash',
            field=models.CharField(blank=True, editable=False, max_length=64, verbose_name='前序哈希'),
        ),
        migrations.AddField(
            model_name='auditentry',
            name='seq',
            field=models.BigIntegerField(editable=False, null=True, unique=True, verbose_name='链序号'),
        ),
        migrations.AlterField(
            model_name='auditentry',
            name='at',
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, verbose_name='时间'),
        ),
        migrations.RunPython(link_existing, migrations.RunPython.noop),
    ]
