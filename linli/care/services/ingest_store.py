"""The database side of ingest (CARE-2): load devices, lock and write device states, read
the stored readings around late ones, insert readings. PostgreSQL gets set-based SQL over
`unnest` arrays (one statement per batch, the 20,000 readings/s target); other databases use
the ORM's bulk operations.
"""

import datetime as dt
from collections.abc import Iterable

from django.db import connection
from django.db.models import Q

from linli.care.models.devices import Device, DeviceState, Reading
from linli.care.services.ingest_state import DeviceInfo, State

STATE_FIELDS = (
    "last_at",
    "last_value",
    "use_mark_at",
    "use_mark_value",
    "last_event_at",
    "last_change_at",
)
# Stored readings loaded before the earliest late meter reading, to re-fold the use mark.
RECOMPUTE_WINDOW = dt.timedelta(days=2)


def _pg() -> bool:
    return connection.vendor == "postgresql"


def devices_by_serial(serials: Iterable[str]) -> dict[str, DeviceInfo]:
    rows = Device.objects.filter(serial__in=set(serials)).values_list(
        "id",
        "serial",
        "kind",
        "household_id",
        "gateway_id",
        "active",
        "register_max",
        "installed_on",
        "last_seen_at",
    )
    return {row[1]: DeviceInfo(*row) for row in rows}


def states_lock(devices: list[DeviceInfo]) -> dict[int, State]:
    """The devices' states, row-locked in id order (so concurrent ingests of the same device
    queue up instead of both writing). Missing rows are created first."""
    ids = sorted(d.id for d in devices)
    fields = ("device_id", "household_id", "kind", *STATE_FIELDS)

    def load() -> dict[int, State]:
        rows = (
            DeviceState.objects.select_for_update()
            .filter(device_id__in=ids)
            .order_by("device_id")
            .values_list(*fields)
        )
        return {row[0]: State(*row) for row in rows}

    states = load()
    missing = [d for d in devices if d.id not in states]
    if missing:
        DeviceState.objects.bulk_create(
            [
                DeviceState(device_id=d.id, household_id=d.household_id, kind=d.kind)
                for d in missing
            ],
            ignore_conflicts=True,
        )
        states = load()
    for d in devices:  # a device moved to another household: the state follows it
        state = states[d.id]
        state.household_id, state.kind = d.household_id, d.kind
    return states


def stored_around(
    windows: dict[int, tuple[dt.datetime, dt.datetime | None]], *, meters: set[int]
) -> dict[int, list[tuple[dt.datetime, float]]]:
    """Stored readings per device within [start, end] (end None = up to now), in time order;
    for meters also the last reading before `start`, so the earliest new reading has a
    predecessor to be checked against."""
    if not windows:
        return {}
    cond = Q()
    for device_id, (start, end) in windows.items():
        term = Q(device_id=device_id, at__gte=start)
        if end is not None:
            term &= Q(at__lte=end)
        cond |= term
    out: dict[int, list[tuple[dt.datetime, float]]] = {d: [] for d in windows}
    rows = Reading.objects.filter(cond).order_by("device_id", "at")
    for device_id, at, value in rows.values_list("device_id", "at", "value"):
        out[device_id].append((at, value))
    for device_id, (start, _) in windows.items():
        if device_id not in meters:
            continue
        before = (
            Reading.objects.filter(device_id=device_id, at__lt=start)
            .order_by("-at")
            .values_list("at", "value")
            .first()
        )
        if before is not None:
            out[device_id].insert(0, before)
    return out


def _copy_rows(rows: Iterable[Iterable[object]]) -> str:
    """COPY text format: tab-separated, \\N for NULL. Only numbers, ISO times and plain
    words are written, none of which can hold a tab, newline or backslash."""

    def cell(v: object) -> str:
        if v is None:
            return "\\N"
        if isinstance(v, dt.datetime):
            return v.isoformat()
        return repr(v) if isinstance(v, float) else str(v)

    return "".join("\t".join(cell(v) for v in row) + "\n" for row in rows)


def readings_insert(
    rows: list[tuple[int, dt.datetime, float]], *, received_at: dt.datetime, source: str
) -> None:
    """Insert new readings. Raises IntegrityError if one is already stored (the caller then
    re-checks against stored readings): never silently drops one."""
    if not rows:
        return
    if _pg():
        table = Reading._meta.db_table
        tail = f"\t{received_at.isoformat()}\t{source}\n"
        data = "".join(f"{d}\t{a.isoformat()}\t{v!r}{tail}" for d, a, v in rows)
        with connection.wrap_database_errors, connection.cursor() as cur:
            sql = f"COPY {table} (device_id, at, value, received_at, source) FROM STDIN"
            with cur.cursor.copy(sql) as copy:
                copy.write(data)
        return
    Reading.objects.bulk_create(
        [
            Reading(device_id=d, at=a, value=v, received_at=received_at, source=source)
            for d, a, v in rows
        ],
        batch_size=2000,
    )


# PostgreSQL: the new states go through a session temp table (COPY in, two UPDATE … FROM),
# much cheaper than binding tens of thousands of parameters.
TMP = "care_ingest_tmp"
TMP_COLUMNS = (
    ("device_id", "bigint"),
    ("household_id", "bigint"),
    ("kind", "text"),
    ("last_at", "timestamptz"),
    ("last_value", "float8"),
    ("use_mark_at", "timestamptz"),
    ("use_mark_value", "float8"),
    ("last_event_at", "timestamptz"),
    ("last_change_at", "timestamptz"),
    ("seen", "timestamptz"),
    ("battery", "int"),
)


def states_write(states: list[State], seen: dict[int, tuple[dt.datetime, int | None]]) -> None:
    """Write the new states; move Device.last_seen_at forward to the newest reading time
    and set the battery to the newest reported level (`seen[device] = (time, battery or
    None)`)."""
    if not states:
        return
    if _pg():
        _states_write_pg(states, seen)
        return
    objs = [
        DeviceState(
            device_id=s.device_id,
            household_id=s.household_id,
            kind=s.kind,
            **{f: getattr(s, f) for f in STATE_FIELDS},
        )
        for s in states
    ]
    DeviceState.objects.bulk_update(objs, ["household_id", "kind", *STATE_FIELDS], batch_size=500)
    devices = list(Device.objects.filter(id__in=list(seen)).only("id", "last_seen_at", "battery"))
    for obj in devices:
        at, battery = seen[obj.id]
        if obj.last_seen_at is None or at > obj.last_seen_at:
            obj.last_seen_at = at
        if battery is not None:
            obj.battery = battery
    Device.objects.bulk_update(devices, ["last_seen_at", "battery"], batch_size=500)


def _states_write_pg(states: list[State], seen: dict[int, tuple[dt.datetime, int | None]]) -> None:
    cols = ", ".join(f"{name} {kind}" for name, kind in TMP_COLUMNS)
    names = [name for name, _ in TMP_COLUMNS]
    rows = (
        (
            s.device_id,
            s.household_id,
            s.kind,
            *(getattr(s, f) for f in STATE_FIELDS),
            *seen.get(s.device_id, (None, None)),
        )
        for s in states
    )
    sets = ", ".join(f"{c} = t.{c}" for c in names[1:9])
    # The temp table is filled and read in one transaction, so behind a transaction pooler
    # (PgBouncer) every statement runs on the server connection that holds it.
    if not connection.in_atomic_block:
        raise RuntimeError("care states are written inside the ingest's transaction")
    with connection.wrap_database_errors, connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {TMP} ({cols}) ON COMMIT DELETE ROWS")
        cur.execute(f"DELETE FROM {TMP}")  # noqa: S608 (rows of an earlier call, same commit)
        with cur.cursor.copy(f"COPY {TMP} ({', '.join(names)}) FROM STDIN") as copy:
            copy.write(_copy_rows(rows))
        cur.execute(
            f"UPDATE {DeviceState._meta.db_table} AS s SET {sets} "  # noqa: S608
            f"FROM {TMP} AS t WHERE s.device_id = t.device_id"
        )
        cur.execute(
            f"UPDATE {Device._meta.db_table} AS d "  # noqa: S608
            "SET last_seen_at = GREATEST(d.last_seen_at, t.seen), "
            "battery = COALESCE(t.battery, d.battery) "
            f"FROM {TMP} AS t WHERE d.id = t.device_id AND t.seen IS NOT NULL"
        )
