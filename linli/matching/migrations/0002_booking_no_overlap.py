"""Bookings never overlap (MATCH-4): on PostgreSQL an exclusion constraint over (resource,
[starts_at, ends_at)) for the bookings that hold their slot, using btree_gist for the
equality part. SQLite has no exclusion constraints: there the booking service serialises
writers and checks the same condition (services/bookings.py)."""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CONSTRAINT = "matching_booking_no_overlap"


def add(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        f"ALTER TABLE matching_booking ADD CONSTRAINT {CONSTRAINT} EXCLUDE USING gist "
        "(resource_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&) "
        "WHERE (status IN ('booked', 'checked_in', 'done'))"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(f"ALTER TABLE matching_booking DROP CONSTRAINT IF EXISTS {CONSTRAINT}")


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]

    # BtreeGistExtension does nothing on other databases.
    operations = [BtreeGistExtension(), migrations.RunPython(add, drop)]
