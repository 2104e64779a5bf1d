"""FamilyLink is gone: family links are people Contacts (moved by 0003)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_family_links_to_contacts")]

    operations = [migrations.DeleteModel(name="FamilyLink")]
