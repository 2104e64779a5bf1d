"""A resident's "who accessed my data" (PEOPLE-7) finds the staff lists that showed them by
`data.ids` of "resident.listed" audit entries: on PostgreSQL a partial GIN index makes that a
lookup instead of a scan of every list in the window. SQLite scans (small deployments)."""

from django.db import migrations

PG_UP = """
CREATE INDEX IF NOT EXISTS people_audit_listed_ids ON core_auditentry
  USING gin ((data -> 'ids') jsonb_path_ops) WHERE action = 'resident.listed';
"""
PG_DOWN = "DROP INDEX IF EXISTS people_audit_listed_ids;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_UP)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DOWN)


class Migration(migrations.Migration):
    dependencies = [("people", "0003_default_tags"), ("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(forwards, backwards)]
