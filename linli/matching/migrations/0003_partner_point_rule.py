"""The point rule partner contributions are awarded under (MATCH-5): 1 point a unit, the
service computing the units from the contribution's value."""

from django.db import migrations


def add(apps, schema_editor):
    PointRule = apps.get_model("ledger", "PointRule")
    PointRule.objects.get_or_create(
        code="partner_contribution",
        defaults={"name": "社区合伙人贡献", "points": 1, "daily_cap": None, "active": True},
    )


class Migration(migrations.Migration):
    dependencies = [("matching", "0002_booking_no_overlap"), ("ledger", "0004_delete_familylink")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
