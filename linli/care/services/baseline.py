"""Electricity far from the person's own baseline (CARE-3).

Design: the rule compares whole-hour windows. The window is the `electricity_hours` (12)
hours ending at the top of the current hour; its use is the difference of two hourly
snapshots of the meter register (PowerSnapshot, written by the first sweep of each hour
with one INSERT … SELECT from DeviceState and kept for about a day). The baseline is the
use over the same window on the matching days: slot = (day type at the window start, day
type at its end, end hour), weekday or weekend. `baseline_refresh` (nightly) folds each
past hour's window total, from the day's readings, into its slot's exponentially weighted
mean and variance, with a memory of about eight weeks of that slot's days (a weekday slot
sees five days a week, a weekend one two) — so the table stays one small row per meter and
slot, and the sweep reads one row per meter and never touches readings.

Alert when, for a meter with at least MIN_SAMPLES samples in the slot and an expected use
of at least `electricity_min_kwh`: use ≤ `electricity_ratio` × expected, and expected − use
≥ `electricity_sigma` standard deviations; and no water use, door or motion event since
the window started (a person seen by another device is not silent). So it catches the
evening lights, cooking and heating that did not happen, where the water meter cannot
tell (stuck, offline, none). High use is not alerted (a heater left on is not, by itself,
a person in trouble; the simulated ground truth has no such incidents).
"""

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from linli.care.models import (
    CareDefaults,
    Device,
    DeviceKind,
    DeviceState,
    PowerBaseline,
    PowerSnapshot,
    Reading,
    Rule,
)
from linli.care.services.rules import Candidate, Home, activity_after, defaults_get, iso

MIN_SAMPLES = 4
KEEP_DAYS = 56  # the first refresh of a meter looks this far back
KEEP_WEEKS = 8
HOUR = dt.timedelta(hours=1)
NEAR = 2700.0  # a register value at an hour needs readings within 45 minutes on both sides
CHUNK = 200


def hour_floor(moment: dt.datetime) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(minute=0, second=0, microsecond=0)


def day_type(moment: dt.datetime) -> int:
    return 1 if timezone.localtime(moment).weekday() >= 5 else 0


def slot_of(end: dt.datetime, hours: int) -> int:
    """The baseline slot of the window of `hours` hours ending at the hour `end`."""
    start_type = day_type(end - dt.timedelta(hours=hours))
    end_type = day_type(end - dt.timedelta(seconds=1))
    return (start_type * 2 + end_type) * 24 + timezone.localtime(end).hour


def _table(model: Any) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def power_snapshot(*, now: dt.datetime, d: CareDefaults) -> dt.datetime | None:
    """Take this hour's snapshot of every electricity register, once. Returns the hour, or
    None when it was already taken."""
    hour = hour_floor(now)
    if PowerSnapshot.objects.filter(hour=hour).exists():
        return None
    adapt = connection.ops.adapt_datetimefield_value
    fresh = hour - dt.timedelta(minutes=45)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {_table(PowerSnapshot)} "  # noqa: S608
            "(hour, device_id, household_id, at, value) "
            f"SELECT %s, device_id, household_id, last_at, last_value FROM {_table(DeviceState)} "
            "WHERE kind = %s AND last_at >= %s AND last_value IS NOT NULL",
            [adapt(hour), DeviceKind.ELECTRICITY.value, adapt(fresh)],
        )
        if connection.vendor == "postgresql":
            # 100,000 rows of a new hour: without fresh statistics the planner expects one.
            cursor.execute(f"ANALYZE {_table(PowerSnapshot)}")
    PowerSnapshot.objects.filter(
        hour__lt=hour - dt.timedelta(hours=d.electricity_hours + 3)
    ).delete()
    return hour


@dataclass(frozen=True)
class PowerSuspect:
    household_id: int
    device_id: int
    expected: float
    variance: float
    days: int
    used: float
    window_start: dt.datetime
    window_end: dt.datetime


def power_suspects(*, hour: dt.datetime, d: CareDefaults) -> list[PowerSuspect]:
    """Meters whose use over the window ending at `hour` is below `electricity_ratio` of
    their baseline (one query over baseline ⋈ two snapshots)."""
    n = d.electricity_hours
    start = hour - dt.timedelta(hours=n)
    adapt = connection.ops.adapt_datetimefield_value
    b, s = _table(PowerBaseline), _table(PowerSnapshot)
    sql = (
        "SELECT b.device_id, e.household_id, b.expected, b.variance, b.days, "  # noqa: S608
        "e.at, e.value, o.at, o.value "
        f"FROM {b} b JOIN {s} e ON e.device_id = b.device_id AND e.hour = %s "
        f"JOIN {s} o ON o.device_id = b.device_id AND o.hour = %s "
        "WHERE b.slot = %s AND b.days >= %s AND b.expected >= %s "
        "AND e.value - o.value <= b.expected * %s"
    )
    params = [
        adapt(hour),
        adapt(start),
        slot_of(hour, n),
        MIN_SAMPLES,
        d.electricity_min_kwh,
        d.electricity_ratio,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    wraps = dict(
        Device.objects.filter(pk__in=[r[0] for r in rows if r[6] < r[8]]).values_list(
            "pk", "register_max"
        )
    )
    out = []
    for device_id, household_id, expected, variance, days, e_at, e_val, o_at, o_val in rows:
        e_at, o_at = _aware(e_at), _aware(o_at)
        used = e_val - o_val
        if used < 0:  # the register wrapped round, or was replaced
            wrap = wraps.get(device_id)
            if not wrap:
                continue
            used += wrap
        if used > expected * d.electricity_ratio:
            continue
        if abs((e_at - o_at).total_seconds() - n * 3600) > NEAR:
            continue  # a meter that was late at either end: its window is not comparable
        out.append(
            PowerSuspect(household_id, device_id, expected, variance, days, used, o_at, e_at)
        )
    return out


def _aware(value: Any) -> dt.datetime:
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if timezone.is_naive(value):
        value = value.replace(tzinfo=dt.UTC)
    return value


def spread(suspect: "PowerSuspect") -> float:
    """The variance the test uses: a few samples understate it, and a very regular person
    still varies a little (5% and 0.05 kWh)."""
    n = suspect.days
    small = n / (n - 1) if n > 1 else 2.0
    return suspect.variance * small + (0.05 * suspect.expected) ** 2 + 0.0025


def judge_electricity(
    home: Home, suspect: PowerSuspect, *, now: dt.datetime, d: CareDefaults
) -> Candidate | None:
    if not home.enabled or home.away_now:
        return None
    since = suspect.window_start
    started = home.started()
    if (home.away_end and home.away_end > since) or (started and started > since):
        return None
    if activity_after(home, since) is not None:
        return None
    sigma = home.setting("electricity_sigma", d)
    gap = suspect.expected - suspect.used
    if gap <= 0 or gap * gap < sigma * sigma * spread(suspect):
        return None
    return Candidate(
        home.household_id,
        home.resident_id,
        Rule.ELECTRICITY,
        since,
        {
            "window_start": iso(suspect.window_start),
            "window_end": iso(suspect.window_end),
            "expected": round(suspect.expected, 3),
            "used": round(suspect.used, 3),
            "sd": round(float(np.sqrt(spread(suspect))), 3),
            "ratio": d.electricity_ratio,
        },
    )


# ---------------------------------------------------------------- the nightly refresh


def _registers(ts: np.ndarray, vs: np.ndarray, hours: np.ndarray) -> np.ndarray:
    """Register at each hour (epoch seconds), NaN where no reading is near on both sides."""
    out = np.full(len(hours), np.nan)
    if len(ts) == 0:
        return out
    idx = np.searchsorted(ts, hours)
    lo = np.clip(idx - 1, 0, len(ts) - 1)
    hi = np.clip(idx, 0, len(ts) - 1)
    exact = ts[hi] == hours
    ok = exact | ((idx > 0) & (idx < len(ts)) & (hours - ts[lo] <= NEAR) & (ts[hi] - hours <= NEAR))
    out[ok] = np.interp(hours[ok], ts, vs)
    return out


@transaction.atomic
def baseline_refresh(
    *, now: dt.datetime | None = None, defaults: CareDefaults | None = None
) -> int:
    """Add every whole hour since the last refresh to the electricity baselines (the first
    run looks back 56 days). Returns the number of meters refreshed."""
    now = now or timezone.now()
    d = defaults or defaults_get()
    n = d.electricity_hours
    end = hour_floor(now)
    oldest = end - dt.timedelta(days=KEEP_DAYS)
    meters = list(
        Device.objects.filter(kind=DeviceKind.ELECTRICITY, active=True).values_list(
            "pk", "register_max"
        )
    )
    done = 0
    for i in range(0, len(meters), CHUNK):
        done += _refresh_chunk(meters[i : i + CHUNK], end=end, oldest=oldest, hours=n, now=now)
    return done


def _refresh_chunk(
    meters: list[tuple[int, float | None]],
    *,
    end: dt.datetime,
    oldest: dt.datetime,
    hours: int,
    now: dt.datetime,
) -> int:
    ids = [pk for pk, _ in meters]
    rows: dict[tuple[int, int], PowerBaseline] = {
        (r.device_id, r.slot): r for r in PowerBaseline.objects.filter(device_id__in=ids)
    }
    last: dict[int, dt.datetime] = {}
    for r in rows.values():
        last[r.device_id] = max(last.get(r.device_id, r.refreshed_at), r.refreshed_at)
    first = min((hour_floor(last[pk]) + HOUR if pk in last else oldest) for pk in ids)
    if first > end:
        return 0
    grid = [first + k * HOUR for k in range(int((end - first) / HOUR) + 1)]
    epoch = np.array([g.timestamp() for g in grid])
    slots = np.array([slot_of(g, hours) for g in grid])
    readings: dict[int, list[tuple[float, float]]] = {pk: [] for pk in ids}
    for device_id, at, value in (
        Reading.objects.filter(
            device_id__in=ids, at__gte=first - dt.timedelta(hours=hours + 1), at__lte=end + HOUR
        )
        .order_by("device_id", "at")
        .values_list("device_id", "at", "value")
    ):
        readings[device_id].append((at.timestamp(), value))
    changed: dict[tuple[int, int], PowerBaseline] = {}
    for pk, wrap in meters:
        pts = readings[pk]
        if len(pts) < 2:
            continue
        ts, vs = np.array([p[0] for p in pts]), np.array([p[1] for p in pts])
        if wrap:  # unwrap rollovers so differences stay positive
            vs = vs + np.concatenate([[0.0], np.cumsum(np.diff(vs) < 0)]) * wrap
        since = hour_floor(last[pk]) + HOUR if pk in last else oldest
        use = epoch >= since.timestamp()
        totals = _registers(ts, vs, epoch) - _registers(ts, vs, epoch - hours * 3600.0)
        for k in np.nonzero(use & ~np.isnan(totals) & (totals >= 0))[0]:
            slot = int(slots[k])
            row = rows.get((pk, slot))
            if row is None:
                row = rows[(pk, slot)] = PowerBaseline(
                    device_id=pk, slot=slot, weight=0.0, expected=0.0, variance=0.0, days=0
                )
            _fold(row, float(totals[k]), decay(slot, hours))
            row.refreshed_at = now
            changed[(pk, slot)] = row
    # Rewritten rather than updated: a DELETE by device (indexed) and one INSERT of all the
    # rows of the meters that changed beat a bulk UPDATE or a DELETE by (slot, device) pairs.
    devices = {pk for pk, _ in changed}
    PowerBaseline.objects.filter(device_id__in=devices).delete()
    keep = [r for (pk, _), r in rows.items() if pk in devices]
    PowerBaseline.objects.bulk_create(keep, batch_size=1000)
    return len(devices)


def _fold(row: PowerBaseline, x: float, keep: float) -> None:
    """Exponentially weighted mean and variance (West 1979) with forgetting factor `keep`."""
    spread = row.variance * row.weight
    weight = keep * row.weight + 1.0
    delta = x - row.expected
    mean = row.expected + delta / weight
    row.variance = (keep * spread + delta * (x - mean)) / weight
    row.expected, row.weight = mean, weight
    row.days = min(row.days + 1, 32767)


@lru_cache(maxsize=8)
def _per_week(hours: int) -> dict[int, int]:
    """How many times each slot occurs in a week (a Monday-to-Sunday reference week)."""
    monday = dt.datetime(2026, 3, 2, tzinfo=timezone.get_default_timezone())
    counts: dict[int, int] = {}
    for h in range(1, 24 * 7 + 1):
        slot = slot_of(monday + dt.timedelta(hours=h), hours)
        counts[slot] = counts.get(slot, 0) + 1
    return counts


def decay(slot: int, hours: int) -> float:
    """Forgetting factor of a slot: a memory of about eight weeks of its days."""
    return 1.0 - 1.0 / (KEEP_WEEKS * max(1, _per_week(hours).get(slot, 1)))
