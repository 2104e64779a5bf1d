"""One pass over DeviceState per sweep: the few rows that matter out of 400,000.

A single query returns every state that is offline, whose water has been still for
someone's no-water window, whose door/motion sensor has been still for someone's
no-movement window, or whose meter or motion sensor has been still for `stuck_days`;
Python then sorts them into the sweep's lists. Per-person windows shorter than the default
are matched per distinct value (a subquery on CareProfile each), so a few people with a
6-hour window do not turn everyone who slept 6 hours into a suspect. States that never saw
use or an event count from their device's installation date (a second, small query).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from linli.care.models import CareDefaults, CareProfile, Device, DeviceKind, DeviceState
from linli.care.services.rules import SENSOR_KINDS, offline_after

DAY = dt.timedelta(days=1)
Row = tuple[
    int, int, str, dt.datetime | None, dt.datetime | None, dt.datetime | None, dt.datetime | None
]


@dataclass
class Scan:
    water: set[int] = field(default_factory=set)  # households
    movement: set[int] = field(default_factory=set)  # households
    offline: dict[int, tuple[int, dt.datetime | None]] = field(default_factory=dict)
    stuck: list[tuple[int, int, str, dt.datetime | None, dt.datetime | None]] = field(
        default_factory=list
    )  # (device, household, kind, last_change_at, last_event_at)


def _own(name: str, default: float) -> dict[int, float]:
    """household → its own window, for those shorter than the default."""
    lookup = {f"{name}__lt": default}
    return dict(CareProfile.objects.filter(**lookup).values_list("household_id", name))


def _shorter(column: str, now: dt.datetime, own: dict[int, float], unit: str, name: str) -> Q:
    q = Q(pk__in=[])
    for value in sorted(set(own.values())):
        same = CareProfile.objects.filter(**{name: value}).values("household_id")
        limit = now - dt.timedelta(**{unit: value})
        q |= Q(**{f"{column}__lte": limit, "household_id__in": same})
    return q


def states_scan(*, now: dt.datetime, d: CareDefaults) -> Scan:
    own_hours = _own("no_water_hours", d.no_water_hours)
    own_days = _own("no_movement_days", d.no_movement_days)
    water_at = now - dt.timedelta(hours=d.no_water_hours)
    move_at = now - dt.timedelta(days=d.no_movement_days)
    stuck_at = now - dt.timedelta(days=d.stuck_days)
    online = now - offline_after(DeviceKind.WATER, d)

    q_offline = Q(last_at__isnull=True)
    for kind in DeviceKind:
        q_offline |= Q(kind=kind, last_at__lt=now - offline_after(kind, d))
    q_water = Q(kind=DeviceKind.WATER, last_at__gte=online) & (
        Q(use_mark_at__lte=water_at)
        | Q(use_mark_at__isnull=True)
        | _shorter("use_mark_at", now, own_hours, "hours", "no_water_hours")
    )
    q_move = Q(kind__in=SENSOR_KINDS) & (
        Q(last_event_at__lte=move_at)
        | Q(last_event_at__isnull=True)
        | _shorter("last_event_at", now, own_days, "days", "no_movement_days")
    )
    q_stuck = (
        Q(kind=DeviceKind.WATER, last_change_at__lte=stuck_at)
        | Q(kind=DeviceKind.MOTION, last_event_at__lte=stuck_at)
        | Q(kind__in=(DeviceKind.WATER, DeviceKind.MOTION), last_change_at__isnull=True)
        & Q(last_event_at__isnull=True)
    )
    rows: list[Row] = list(
        DeviceState.objects.filter(q_offline | q_water | q_move | q_stuck).values_list(
            "device_id",
            "household_id",
            "kind",
            "last_at",
            "use_mark_at",
            "last_event_at",
            "last_change_at",
        )
    )
    return _sort(rows, now=now, d=d, own_hours=own_hours, own_days=own_days)


def _sort(
    rows: list[Row],
    *,
    now: dt.datetime,
    d: CareDefaults,
    own_hours: dict[int, float],
    own_days: dict[int, float],
) -> Scan:
    scan = Scan()
    # Install dates and the on/off switch, only for the rows that need them.
    needs = [
        pk
        for pk, _, kind, last_at, use_at, event_at, _ in rows
        if last_at is None
        or now - last_at > offline_after(kind, d)
        or (kind == DeviceKind.WATER and use_at is None)
        or (kind in SENSOR_KINDS and event_at is None)
    ]
    devices = dict(
        (pk, (installed_on, active))
        for pk, installed_on, active in Device.objects.filter(pk__in=needs).values_list(
            "pk", "installed_on", "active"
        )
    )

    def installed_before(pk: int, moment: dt.datetime) -> bool:
        info = devices.get(pk)
        return info is not None and info[0] <= timezone.localdate(moment)

    water_default = dt.timedelta(hours=d.no_water_hours)
    move_default = dt.timedelta(days=d.no_movement_days)
    stuck_at = now - dt.timedelta(days=d.stuck_days)
    grace = timezone.localdate(now) - DAY
    for pk, household, kind, last_at, use_at, event_at, change_at in rows:
        if last_at is None or now - last_at > offline_after(kind, d):
            info = devices.get(pk)
            if info is not None and info[1] and (last_at is not None or info[0] < grace):
                scan.offline[pk] = (household, last_at)
        if (
            kind == DeviceKind.WATER
            and last_at is not None
            and now - last_at <= offline_after(kind, d)
        ):
            hours = own_hours.get(household)
            limit = now - (dt.timedelta(hours=hours) if hours is not None else water_default)
            if (use_at is not None and use_at <= limit) or (
                use_at is None and installed_before(pk, limit)
            ):
                scan.water.add(household)
        if kind in SENSOR_KINDS:
            days = own_days.get(household)
            limit = now - (dt.timedelta(days=days) if days is not None else move_default)
            if (event_at is not None and event_at <= limit) or (
                event_at is None and installed_before(pk, limit)
            ):
                scan.movement.add(household)
        if kind in (DeviceKind.WATER, DeviceKind.MOTION):
            mark = change_at if kind == DeviceKind.WATER else event_at
            if (mark is not None and mark <= stuck_at) or (
                change_at is None and event_at is None and installed_before(pk, stuck_at)
            ):
                scan.stuck.append((pk, household, kind, change_at, event_at))
    if CareProfile.objects.filter(no_water_m3__isnull=False).exists():
        # A per-person volume cannot use the use mark: those homes are always judged.
        scan.water |= set(
            CareProfile.objects.filter(no_water_m3__isnull=False).values_list(
                "household_id", flat=True
            )
        )
    return scan
