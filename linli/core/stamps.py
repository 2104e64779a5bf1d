"""Change stamps of small reference tables, for per-process caches that must notice edits
made by any process (an admin's edit in another gunicorn worker).

A table's stamp is (row count, highest id, latest `updated_at`): an insert raises the count
and the id, a delete lowers the count, a save moves `updated_at` (BaseModel's auto_now).
Several tables are stamped in ONE statement, so a request pays one round trip however many
caches it checks. `QuerySet.update()` does not touch `updated_at`: code that bulk-updates a
stamped table must set `updated_at` itself.
"""

from typing import Any

from django.db import connections, models, router

Stamp = tuple[Any, ...]


def table_stamps(*tables: type[models.Model]) -> list[Stamp]:
    """One stamp per table, in the order given, read in a single statement."""
    connection = connections[router.db_for_read(tables[0])]
    qn = connection.ops.quote_name
    parts = []
    for i, model in enumerate(tables):
        meta = model._meta
        assert meta.pk is not None
        updated = qn("updated_at")  # BaseModel's column
        pk, table = qn(str(meta.pk.column)), qn(meta.db_table)
        parts.append(f"(SELECT count(*), max({pk}), max({updated}) FROM {table}) AS s{i}")  # noqa: S608
    with connection.cursor() as cursor:
        # Only quoted table and column names from the models are joined in.
        cursor.execute("SELECT * FROM " + ", ".join(parts))  # noqa: S608
        row = cursor.fetchone()
    assert row is not None  # aggregates without GROUP BY always give one row
    return [tuple(row[3 * i : 3 * i + 3]) for i in range(len(tables))]
