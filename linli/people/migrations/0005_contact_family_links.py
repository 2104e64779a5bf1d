"""Contact becomes the one family relation: a link asked for by a user (the time bank's
代际互助) waits as a request (`requested_user`) until the other side accepts. The ledger's
FamilyLink rows are moved here by ledger 0003."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0004_audit_listed_ids_index"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="contact",
            name="requested_user",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="family_requests",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="requested_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddField(
            model_name="contact",
            name="accepted_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="接受关联时间"),
        ),
        migrations.AddField(
            model_name="contact",
            name="accepted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("user__isnull", True), ("requested_user__isnull", True), _connector="OR"
                ),
                name="people_contact_link_or_request",
            ),
        ),
        migrations.AddConstraint(
            model_name="contact",
            constraint=models.UniqueConstraint(
                condition=models.Q(("requested_user__isnull", False)),
                fields=("resident", "requested_user"),
                name="people_contact_request_once",
            ),
        ),
    ]
