from django.db import migrations

# The tags every community uses; more can be added in the admin.
TAGS = [
    ("alone_elderly", "独居老人", "basic", False),
    ("empty_nest", "空巢老人", "basic", False),
    ("child", "儿童", "basic", False),
    ("left_behind_child", "留守儿童", "basic", False),
    ("new_citizen", "新市民", "basic", True),
    ("veteran", "退役军人", "basic", False),
    ("disabled", "残疾人", "health", False),
    ("chronic", "慢性病", "health", False),
    ("dibao", "低保", "finance", False),
    ("dibian", "低边", "finance", False),
    ("tekun", "特困", "finance", False),
]


def add(apps, schema_editor):
    Tag = apps.get_model("people", "Tag")
    for code, name, tier, expiry in TAGS:
        Tag.objects.get_or_create(
            code=code, defaults={"name": name, "tier": tier, "needs_expiry": expiry}
        )


class Migration(migrations.Migration):
    dependencies = [("people", "0002_records_sensitive_grants")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
