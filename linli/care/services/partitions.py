"""Raw readings by month, hourly rollups for ever (issue 18, "Partitioned readings").

On PostgreSQL `care_reading` is partitioned by range of `at`, one partition a calendar month
in Beijing time (`care_reading_y2026m12`), plus `care_reading_default` for a reading that
falls in no month partition. Migration 0006 converts the table and makes the partitions for
the months it holds and the months ahead; `partitions_ensure` (each care sweep) keeps
`AHEAD_MONTHS` months ahead ready, so the default partition normally stays empty: a reading
only lands there if the sweep has not run for months, or for a late reading older than every
partition. Making a month partition first moves such rows out of the default (PostgreSQL
refuses to create a partition whose rows sit in the default).

`readings_retention(keep_months)` rolls every hour of the months to go up into ReadingHour,
then drops their partitions whole (no DELETE, no table bloat). On SQLite (development, tests)
there are no partitions: the same calls roll up and DELETE.

Why a default partition rather than refusing: ingest must never lose an accepted reading, and
a refusal for "no partition yet" would be a refusal for something the gateway cannot fix.
Readings older than the retention horizon are refused by ingest (`retention_horizon`): they
would be dropped at once anyway.
"""

import datetime as dt
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from linli.care.models.devices import Reading, ReadingHour

log = logging.getLogger(__name__)

TABLE = "care_reading"
DEFAULT_PARTITION = f"{TABLE}_default"
AHEAD_MONTHS = 2  # months after the current one whose partitions already exist
NAME = re.compile(rf"^{TABLE}_y(\d{{4}})m(\d{{2}})$")
# Partition DDL waits at most this long for ingest to let go of the table, then gives up
# until the next sweep (months ahead, so a missed try costs nothing).
LOCK_TIMEOUT = "2s"


def month_start(moment: dt.datetime | dt.date, shift: int = 0) -> dt.datetime:
    """Midnight of the first day of the month of `moment` (Beijing time), `shift` months on."""
    if isinstance(moment, dt.datetime):
        moment = timezone.localtime(moment).date()
    index = moment.year * 12 + moment.month - 1 + shift
    return timezone.make_aware(dt.datetime(index // 12, index % 12 + 1, 1))


def partition_name(month: dt.datetime) -> str:
    return f"{TABLE}_y{month.year:04d}m{month.month:02d}"


def is_partitioned() -> bool:
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cur:
        cur.execute("SELECT 1 FROM pg_partitioned_table WHERE partrelid = %s::regclass", [TABLE])
        return cur.fetchone() is not None


def partitions() -> list[dt.datetime]:
    """The month partitions that exist, oldest first (PostgreSQL, partitioned table)."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass",
            [TABLE],
        )
        names = [row[0] for row in cur.fetchall()]
    months = []
    for name in names:
        m = NAME.match(name)
        if m:
            months.append(timezone.make_aware(dt.datetime(int(m[1]), int(m[2]), 1)))
    return sorted(months)


def _bound(moment: dt.datetime) -> str:
    return timezone.localtime(moment).isoformat()


def partition_create(month: dt.datetime) -> bool:
    """Create the partition for `month` if missing, moving matching rows out of the default
    partition. True if created. Call inside a transaction."""
    start, end = month_start(month), month_start(month, 1)
    name = partition_name(start)
    with connection.cursor() as cur:
        # Two sweeps at once: the second leaves it to the first.
        cur.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [TABLE])
        if not cur.fetchone()[0]:
            return False
        cur.execute("SELECT to_regclass(%s)", [name])
        if cur.fetchone()[0] is not None:
            return False
        cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cur.execute("SELECT to_regclass(%s)", [DEFAULT_PARTITION])
        has_default = cur.fetchone()[0] is not None
        bounds = f"FROM ('{_bound(start)}') TO ('{_bound(end)}')"
        if not has_default:
            cur.execute(f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES {bounds}")
            return True
        # Rows of this month in the default: build the table alone, move them, then attach
        # (attaching checks the default no longer holds any).
        cur.execute(f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS)")
        cur.execute(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "  # noqa: S608
            "WHERE at >= %s AND at < %s RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved",
            [start, end],
        )
        if cur.rowcount:
            log.warning(
                "care: %d readings moved out of %s into %s", cur.rowcount, DEFAULT_PARTITION, name
            )
        cur.execute(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} FOR VALUES {bounds}")
    return True


def partitions_ensure(*, now: dt.datetime | None = None, ahead: int = AHEAD_MONTHS) -> list[str]:
    """Make sure the partitions of the current month and `ahead` months after it exist.
    Returns the names created. Does nothing off PostgreSQL or on an unpartitioned table; a
    lock timeout (ingest holding the table) is logged and left for the next sweep."""
    if not is_partitioned():
        return []
    now = now or timezone.now()
    have = set(partitions())
    created = []
    for shift in range(ahead + 1):
        month = month_start(now, shift)
        if month in have:
            continue
        try:
            with transaction.atomic():
                if partition_create(month):
                    created.append(partition_name(month))
        except Exception:
            log.exception("care: could not create partition %s; next sweep tries again", month)
    return created


def keep_months() -> int | None:
    value = getattr(settings, "CARE_READINGS_KEEP_MONTHS", None)
    return int(value) if value else None


def retention_horizon(now: dt.datetime, months: int | None = None) -> dt.datetime | None:
    """Raw readings before this moment are dropped (None: kept for ever). Keeping N months
    means the current month and the N before it, whole."""
    months = keep_months() if months is None else months
    if not months:
        return None
    return month_start(now, -months)


def rollups_refresh(start: dt.datetime, end: dt.datetime) -> int:
    """(Re)compute the hourly rollups of every hour in [start, end) from the raw readings
    (`start`, `end` on hour boundaries). Idempotent: late readings are folded in by running
    it again. Returns the number of device-hours written."""
    table, rollup = Reading._meta.db_table, ReadingHour._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            # date_trunc('hour') is the same hour in UTC and Beijing time (whole-hour offset).
            cur.execute(
                f"INSERT INTO {rollup} (device_id, hour, readings, first_at, first_value, "  # noqa: S608
                "last_at, last_value, min_value, max_value, value_sum) "
                "SELECT device_id, date_trunc('hour', at), count(*), min(at), "
                "(array_agg(value ORDER BY at))[1], max(at), "
                "(array_agg(value ORDER BY at DESC))[1], min(value), max(value), sum(value) "
                f"FROM {table} WHERE at >= %s AND at < %s "
                "GROUP BY device_id, date_trunc('hour', at) "
                "ON CONFLICT (device_id, hour) DO UPDATE SET readings = EXCLUDED.readings, "
                "first_at = EXCLUDED.first_at, first_value = EXCLUDED.first_value, "
                "last_at = EXCLUDED.last_at, last_value = EXCLUDED.last_value, "
                "min_value = EXCLUDED.min_value, max_value = EXCLUDED.max_value, "
                "value_sum = EXCLUDED.value_sum",
                [start, end],
            )
            return cur.rowcount
    hours: dict[tuple[int, dt.datetime], ReadingHour] = {}
    rows = (
        Reading.objects.filter(at__gte=start, at__lt=end)
        .order_by("device_id", "at")
        .values_list("device_id", "at", "value")
    )
    for device_id, at, value in rows.iterator(chunk_size=5000):
        key = (device_id, at.replace(minute=0, second=0, microsecond=0))
        h = hours.get(key)
        if h is None:
            hours[key] = ReadingHour(
                device_id=device_id,
                hour=key[1],
                readings=1,
                first_at=at,
                first_value=value,
                last_at=at,
                last_value=value,
                min_value=value,
                max_value=value,
                value_sum=value,
            )
            continue
        h.readings += 1
        h.last_at, h.last_value = at, value
        h.min_value, h.max_value = min(h.min_value, value), max(h.max_value, value)
        h.value_sum += value
    fields = [
        f.name for f in ReadingHour._meta.concrete_fields if f.name not in ("id", "device", "hour")
    ]
    ReadingHour.objects.bulk_create(
        list(hours.values()),
        batch_size=1000,
        update_conflicts=True,
        unique_fields=["device", "hour"],
        update_fields=fields,
    )
    return len(hours)


@dataclass(frozen=True)
class RetentionResult:
    horizon: dt.datetime | None
    dropped: list[str]  # partitions dropped (PostgreSQL)
    deleted: int  # rows deleted (SQLite, or stray rows in the default partition)
    rolled_up: int  # device-hours written


def readings_retention(
    *, months: int | None = None, now: dt.datetime | None = None
) -> RetentionResult:
    """Drop raw readings older than `months` (default CARE_READINGS_KEEP_MONTHS; None or 0
    keeps everything) after rolling each hour of them up. One month per transaction, so a
    long run holds no lock for long and an interrupted run resumes where it stopped."""
    now = now or timezone.now()
    horizon = retention_horizon(now, months)
    if horizon is None:
        return RetentionResult(None, [], 0, 0)
    dropped: list[str] = []
    deleted = rolled = 0
    if is_partitioned():
        for month in partitions():
            end = month_start(month, 1)
            if end > horizon:
                break
            with transaction.atomic():
                rolled += rollups_refresh(month, end)
                with connection.cursor() as cur:
                    cur.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
                    # Foreign-key checks still pending from this transaction's own inserts
                    # (only ever in tests) would block the drop: run them now.
                    cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    cur.execute(f"DROP TABLE {partition_name(month)}")
            dropped.append(partition_name(month))
        # Stray late rows in the default partition: few, so a plain DELETE.
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"SELECT min(at) FROM {DEFAULT_PARTITION} WHERE at < %s", [horizon])  # noqa: S608
            oldest = cur.fetchone()[0]
            if oldest is not None:
                rolled += rollups_refresh(
                    oldest.replace(minute=0, second=0, microsecond=0), horizon
                )
                cur.execute(f"DELETE FROM {DEFAULT_PARTITION} WHERE at < %s", [horizon])  # noqa: S608
                deleted += cur.rowcount
        return RetentionResult(horizon, dropped, deleted, rolled)
    oldest = (
        Reading.objects.filter(at__lt=horizon).order_by("at").values_list("at", flat=True).first()
    )
    while oldest is not None and oldest < horizon:
        start = month_start(oldest)
        end = min(month_start(oldest, 1), horizon)
        with transaction.atomic():
            rolled += rollups_refresh(start, end)
            deleted += Reading.objects.filter(at__gte=start, at__lt=end).delete()[0]
        oldest = end
    return RetentionResult(horizon, dropped, deleted, rolled)
