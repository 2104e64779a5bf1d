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


def readings_insert(
    rows: list[tuple[int, dt.datetime, float]], *, received_at: dt.datetime, source: str
) -> None:
    """Insert new readings. Raises IntegrityError if one is already stored (the caller then
    re-checks against stored readings): never silently drops one."""
    if not rows:
        return
    if _pg():
        table = Reading._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (device_id, at, value, received_at, source) "  # noqa: S608
                "SELECT d, a, v, %s, %s FROM unnest(%s::bigint[], %s::timestamptz[], "
                "%s::float8[]) AS t(d, a, v)",
                [received_at, source, *(list(col) for col in zip(*rows, strict=True))],
            )
        return
    Reading.objects.bulk_create(
        [
            Reading(device_id=d, at=a, value=v, received_at=received_at, source=source)
            for d, a, v in rows
        ],
        batch_size=2000,
    )


def states_write(states: list[State]) -> None:
    if not states:
        return
    if _pg():
        table = DeviceState._meta.db_table
        cols = ("household_id", "kind", *STATE_FIELDS)
        types = ["bigint", "text", "timestamptz", "float8", "timestamptz", "float8"]
        types += ["timestamptz", "timestamptz"]
        sets = ", ".join(f"{c} = t.{c}" for c in cols)
        arrays = ", ".join(f"%s::{t}[]" for t in ("bigint", *types))
        params: list[list[object]] = [[s.device_id for s in states]]
        params += [[getattr(s, c) for s in states] for c in cols]
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} AS s SET {sets} FROM unnest({arrays}) "  # noqa: S608
                f"AS t(device_id, {', '.join(cols)}) WHERE s.device_id = t.device_id",
                params,
            )
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


def devices_touch(seen: dict[int, tuple[dt.datetime, int | None]]) -> None:
    """Device.last_seen_at moves forward to the newest reading time; battery takes the
    newest reported level (the caller passes None when the newest reading had none)."""
    if not seen:
        return
    ids = list(seen)
    if _pg():
        table = Device._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"UPDATE {table} AS d SET last_seen_at = GREATEST(d.last_seen_at, t.seen), "  # noqa: S608
                "battery = COALESCE(t.battery, d.battery) "
                "FROM unnest(%s::bigint[], %s::timestamptz[], %s::int[]) AS t(id, seen, battery) "
                "WHERE d.id = t.id",
                [ids, [seen[i][0] for i in ids], [seen[i][1] for i in ids]],
            )
        return
    objs = list(Device.objects.filter(id__in=ids).only("id", "last_seen_at", "battery"))
    for obj in objs:
        at, battery = seen[obj.id]
        if obj.last_seen_at is None or at > obj.last_seen_at:
            obj.last_seen_at = at
        if battery is not None:
            obj.battery = battery
    Device.objects.bulk_update(objs, ["last_seen_at", "battery"], batch_size=500)
