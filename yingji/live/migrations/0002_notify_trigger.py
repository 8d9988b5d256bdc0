"""PostgreSQL: every insert into the live-event table sends NOTIFY yingji_live (delivered when
the inserting transaction commits), so web processes wait for new events instead of polling.
SQLite has no notifications; the embedded mode keeps polling the table."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION yingji_live_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('yingji_live', '');
    RETURN NULL;
END $$;
DROP TRIGGER IF EXISTS live_liveevent_notify ON live_liveevent;
CREATE TRIGGER live_liveevent_notify AFTER INSERT ON live_liveevent
    FOR EACH STATEMENT EXECUTE FUNCTION yingji_live_notify();
"""
DROP = """
DROP TRIGGER IF EXISTS live_liveevent_notify ON live_liveevent;
DROP FUNCTION IF EXISTS yingji_live_notify();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("live", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
