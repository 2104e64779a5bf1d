from django.db import migrations

from linli.people.defaults import TAGS


def add(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    for code, name, tier, expiry in TAGS:
        Tag.objects.get_or_create(
            code=code, defaults={"name": name, "tier": tier, "needs_expiry": expiry}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0002_records_sensitive_grants")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
