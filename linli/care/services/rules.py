"""The welfare rules (CARE-3) over DeviceState, and what counts as a silent person (CARE-4).

Each sweep first narrows the 100,000 homes down with one query over DeviceState
(`scan.py`: homes whose water, or door and motion sensors, have been still for their
window), then loads the few candidate homes whole (`homes_load`) and judges them here:

- no_water: the person is silent since `since` = the latest of: last water use (the meter's
  use mark: 0.01 m³ reached), last door or motion event, end of the latest away period,
  the last visit that closed a welfare alert (the worker saw the person then), start of
  monitoring. Alert when an online, not-stuck water meter has reported for at least
  `no_water_hours` after `since` — its own readings prove the silence, so a meter whose
  readings are late or missing proves nothing (it becomes a maintenance task instead).
  Counting door and motion events is what keeps a stuck meter (or a meter-shy person)
  from raising welfare alerts while the person is seen moving about (CARE-4).
- no_movement: no door or motion event (nor water use) for `no_movement_days`, as reported
  by at least one online door/motion sensor (their heartbeats prove they work).
- electricity (`baseline.py`): whole hours far below the person's own baseline while no
  other device saw any activity.
- not_out (a concern, not an emergency): the person is active at home (motion or water use
  within the no-water window) but has not gone out (`outings.py` reads going out from the
  door and motion sequence) for `not_out_days`, counted from the latest of: going out,
  the end of an away period, a visit that closed a not-out alert, a home service (a carer's
  visit is contact), the door sensor's installation. Needs a working door sensor; waits
  while door events are not yet read into outings, or while the door is the last thing the
  home reported (she may be out).

A per-person water volume (`no_water_m3` other than the default) cannot use the meter's use
mark; those few homes are judged from their readings.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Max, Q
from django.utils import timezone

from linli.care.models import (
    CONCERN_RULES,
    WELFARE_RULES,
    Alert,
    AlertStatus,
    AwayPeriod,
    CareDefaults,
    CareProfile,
    Device,
    DeviceKind,
    DeviceState,
    HomeOuting,
    HomeService,
    MaintenanceTask,
    Reading,
    Rule,
    TaskKind,
    TaskStatus,
)
from linli.care.services.outings import GRACE

CHUNK = 2000
VISIT_MEMORY = dt.timedelta(days=7)
CONTACT_MEMORY = dt.timedelta(days=30)  # not-out windows are at most 14 days (settings.py)
SENSOR_KINDS = (DeviceKind.DOOR, DeviceKind.MOTION)


def defaults_get() -> CareDefaults:
    obj, _ = CareDefaults.objects.get_or_create(pk=1)
    return obj


def offline_after(kind: str, d: CareDefaults) -> dt.timedelta:
    """How long a device of this kind may stay silent before it counts as offline."""
    if kind in (DeviceKind.WATER, DeviceKind.ELECTRICITY):
        hours = d.meter_offline_hours
    elif kind == DeviceKind.BUTTON:
        hours = d.button_offline_hours
    else:
        hours = d.sensor_offline_hours
    return dt.timedelta(hours=hours)


@dataclass
class DeviceFacts:
    pk: int
    kind: str
    resident_id: int | None
    started: dt.datetime  # start of monitoring: local midnight of the install date
    last_at: dt.datetime | None
    last_value: float | None
    use_mark_at: dt.datetime | None
    last_event_at: dt.datetime | None
    last_change_at: dt.datetime | None
    stuck: bool

    def online(self, now: dt.datetime, d: CareDefaults) -> bool:
        return self.last_at is not None and now - self.last_at <= offline_after(self.kind, d)


@dataclass
class Home:
    """Everything the rules need about one household, loaded in bulk."""

    household_id: int
    devices: list[DeviceFacts] = field(default_factory=list)
    profile: CareProfile | None = None
    away_now: bool = False
    away_end: dt.datetime | None = None  # the latest away period that has ended
    away_covers: list[tuple[dt.datetime, dt.datetime]] = field(default_factory=list)
    # A visit that closed a welfare alert saw the person then: silence counts from there.
    last_visit: dt.datetime | None = None
    last_out: dt.datetime | None = None  # the person last went out (HomeOuting)
    watched_from: dt.datetime | None = None  # going out is known from here (HomeOuting)
    # Contact that restarts the not-out count: a not-out visit, a home service.
    last_concern_visit: dt.datetime | None = None
    last_service: dt.datetime | None = None

    def of(self, *kinds: str) -> list[DeviceFacts]:
        return [f for f in self.devices if f.kind in kinds]

    @property
    def enabled(self) -> bool:
        return self.profile is None or self.profile.enabled

    @property
    def resident_id(self) -> int | None:
        if self.profile is not None and self.profile.resident_id:
            return self.profile.resident_id
        return next((f.resident_id for f in self.devices if f.resident_id), None)

    def setting(self, name: str, d: CareDefaults) -> float:
        own = getattr(self.profile, name, None) if self.profile is not None else None
        return float(own if own is not None else getattr(d, name))

    def started(self) -> dt.datetime | None:
        return min((f.started for f in self.devices), default=None)

    def last_water_use(self) -> dt.datetime | None:
        marks = [f.use_mark_at for f in self.of(DeviceKind.WATER) if f.use_mark_at and not f.stuck]
        return max(marks, default=None)

    def last_event(self) -> dt.datetime | None:
        return max(
            (f.last_event_at for f in self.of(*SENSOR_KINDS) if f.last_event_at), default=None
        )

    def silent_since(self, *marks: dt.datetime | None) -> dt.datetime | None:
        """The latest of the given activity marks, the last away end, the last visit and the
        start of monitoring."""
        values = [
            m for m in (*marks, self.away_end, self.last_visit, self.started()) if m is not None
        ]
        return max(values, default=None)

    def away_at(self, moment: dt.datetime) -> bool:
        return any(a <= moment < b for a, b in self.away_covers)


@dataclass(frozen=True)
class Candidate:
    household_id: int
    resident_id: int | None
    rule: str
    since: dt.datetime
    evidence: dict[str, Any]


def iso(moment: dt.datetime | None) -> str | None:
    return timezone.localtime(moment).isoformat() if moment else None


def _local_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=timezone.get_default_timezone())


def _chunks(ids: list[int]) -> Iterable[list[int]]:
    for i in range(0, len(ids), CHUNK):
        yield ids[i : i + CHUNK]


def _last_visits(
    households: list[int], rules: tuple[str, ...], since: dt.datetime, now: dt.datetime
) -> Iterable[tuple[int, dt.datetime]]:
    """(household, when its latest alert of these rules was closed by a visit)."""
    return (
        Alert.objects.filter(
            household_id__in=households,
            status=AlertStatus.CLOSED,
            rule__in=rules,
            closed_at__gte=since,
            closed_at__lte=now,
        )
        .values("household_id")
        .annotate(last=Max("closed_at"))
        .values_list("household_id", "last")
    )


def homes_load(household_ids: Iterable[int], *, now: dt.datetime) -> dict[int, Home]:
    """The active devices, states, open stuck tasks, profiles and away periods of these homes."""
    ids = sorted(set(household_ids))
    homes = {pk: Home(pk) for pk in ids}
    for chunk in _chunks(ids):
        devices = list(
            Device.objects.filter(household_id__in=chunk, active=True).values_list(
                "pk", "household_id", "kind", "resident_id", "installed_on"
            )
        )
        states = {
            row[0]: row[1:]
            for row in DeviceState.objects.filter(
                device_id__in=[d[0] for d in devices]
            ).values_list(
                "device_id",
                "last_at",
                "last_value",
                "use_mark_at",
                "last_event_at",
                "last_change_at",
            )
        }
        stuck = set(
            MaintenanceTask.objects.filter(
                household_id__in=chunk, kind=TaskKind.STUCK, status=TaskStatus.OPEN
            ).values_list("device_id", flat=True)
        )
        for pk, household_id, kind, resident_id, installed_on in devices:
            state = states.get(pk, (None, None, None, None, None))
            homes[household_id].devices.append(
                DeviceFacts(
                    pk, kind, resident_id, _local_midnight(installed_on), *state, stuck=pk in stuck
                )
            )
        for profile in CareProfile.objects.filter(household_id__in=chunk):
            homes[profile.household_id].profile = profile
        for household_id, closed_at in _last_visits(chunk, WELFARE_RULES, now - VISIT_MEMORY, now):
            homes[household_id].last_visit = closed_at
        for household_id, closed_at in _last_visits(
            chunk, CONCERN_RULES, now - CONTACT_MEMORY, now
        ):
            homes[household_id].last_concern_visit = closed_at
        for household_id, provided_at in (
            HomeService.objects.filter(
                resident__household_id__in=chunk,
                provided_at__gte=now - CONTACT_MEMORY,
                provided_at__lte=now,
            )
            .values("resident__household_id")
            .annotate(last=Max("provided_at"))
            .values_list("resident__household_id", "last")
        ):
            homes[household_id].last_service = provided_at
        for household_id, watched_from, last_out_at in HomeOuting.objects.filter(
            household_id__in=chunk
        ).values_list("household_id", "watched_from", "last_out_at"):
            homes[household_id].watched_from = watched_from
            homes[household_id].last_out = last_out_at
        for household_id, starts, ends in AwayPeriod.objects.filter(
            household_id__in=chunk, starts__lte=now
        ).values_list("household_id", "starts", "ends"):
            home = homes[household_id]
            home.away_covers.append((starts, ends))
            if ends > now:
                home.away_now = True
            elif home.away_end is None or ends > home.away_end:
                home.away_end = ends
    return homes


# ---------------------------------------------------------------- narrowing down


def _water_use_by_volume(meters: list[DeviceFacts], m3: float) -> dt.datetime | None:
    """The moment the last `m3` of water began to be used (readings, for per-person volumes):
    the first reading after the latest one that is at least `m3` below the newest."""
    marks: list[dt.datetime] = []
    for f in meters:
        if f.last_at is None or f.last_value is None:
            continue
        before = (
            Reading.objects.filter(device_id=f.pk, at__lte=f.last_at, value__lte=f.last_value - m3)
            .order_by("-at")
            .values_list("at", flat=True)
            .first()
        )
        if before is None:
            continue
        after = (
            Reading.objects.filter(device_id=f.pk, at__gt=before)
            .order_by("at")
            .values_list("at", flat=True)
            .first()
        )
        marks.append(after or before)
    return max(marks, default=None)


def judge_no_water(home: Home, *, now: dt.datetime, d: CareDefaults) -> Candidate | None:
    meters = [f for f in home.of(DeviceKind.WATER) if f.online(now, d) and not f.stuck]
    if not meters or not home.enabled or home.away_now:
        return None
    hours = home.setting("no_water_hours", d)
    own_m3 = home.profile.no_water_m3 if home.profile is not None else None
    if own_m3 is not None and abs(own_m3 - d.no_water_m3) > 1e-9:
        last_use = _water_use_by_volume(meters, own_m3)
    else:
        last_use = max((f.use_mark_at for f in meters if f.use_mark_at), default=None)
    last_event = home.last_event()
    since = home.silent_since(last_use, last_event)
    known = min(min(f.last_at for f in meters if f.last_at is not None), now)
    if since is None or known - since < dt.timedelta(hours=hours):
        return None
    return Candidate(
        home.household_id,
        home.resident_id,
        Rule.NO_WATER,
        since,
        {
            "hours": hours,
            "last_water_use": iso(last_use),
            "last_door_or_motion": iso(last_event),
            "meter_reported_until": iso(known),
        },
    )


def judge_no_movement(home: Home, *, now: dt.datetime, d: CareDefaults) -> Candidate | None:
    sensors = home.of(*SENSOR_KINDS)
    online = [f for f in sensors if f.online(now, d) and not f.stuck]
    if not online or not home.enabled or home.away_now:
        return None
    days = home.setting("no_movement_days", d)
    last_event, last_use = home.last_event(), home.last_water_use()
    since = home.silent_since(last_event, last_use)
    known = min(max(f.last_at for f in online if f.last_at is not None), now)
    if since is None or known - since < dt.timedelta(days=days):
        return None
    return Candidate(
        home.household_id,
        home.resident_id,
        Rule.NO_MOVEMENT,
        since,
        {
            "days": days,
            "last_door_or_motion": iso(last_event),
            "last_water_use": iso(last_use),
        },
    )


def not_out_suspects(*, now: dt.datetime, d: CareDefaults) -> set[int]:
    """Homes with a door sensor whose person has not been seen going out for the shortest
    not-out window in use (one query; the judge decides per person)."""
    own = CareProfile.objects.filter(not_out_days__lt=d.not_out_days).values_list(
        "not_out_days", flat=True
    )
    shortest = min([d.not_out_days, *(days for days in own if days is not None)])
    limit = now - dt.timedelta(days=shortest)
    staying = HomeOuting.objects.filter(
        Q(last_out_at__lte=limit) | Q(last_out_at__isnull=True), watched_from__lte=limit
    ).values("household_id")
    return set(
        Device.objects.filter(kind=DeviceKind.DOOR, active=True, household_id__in=staying)
        .values_list("household_id", flat=True)
        .distinct()
    )


def _indoor_activity(home: Home) -> dt.datetime | None:
    """The latest sign of someone at home: motion, or water use."""
    motion = [
        f.last_event_at for f in home.of(DeviceKind.MOTION) if f.last_event_at and not f.stuck
    ]
    marks = [*motion, home.last_water_use()]
    return max((m for m in marks if m is not None), default=None)


def not_out_since(home: Home, door_started: dt.datetime) -> dt.datetime | None:
    """Since when the person has not gone out, as far as the platform knows (None: the door
    has not been watched yet)."""
    if home.watched_from is None:
        return None
    marks = (
        home.watched_from,
        home.last_out,
        home.away_end,
        home.last_concern_visit,
        home.last_service,
        door_started,
    )
    return max(m for m in marks if m is not None)


def judge_not_out(
    home: Home, *, now: dt.datetime, d: CareDefaults, sorted_until: dt.datetime | None
) -> Candidate | None:
    doors = [f for f in home.of(DeviceKind.DOOR) if f.online(now, d)]
    if not doors or not home.enabled or home.away_now:
        return None
    # Door events the sweep has not sorted into outings yet may be the person going out.
    if sorted_until is None or any(
        f.last_event_at and f.last_event_at > sorted_until for f in doors
    ):
        return None
    # The last thing the home reported is the door, and nobody has moved since: she may be
    # out right now (an outing is known only when she comes back).
    door_last = max((f.last_event_at for f in doors if f.last_event_at), default=None)
    motion = [f.last_event_at for f in home.of(DeviceKind.MOTION) if f.last_event_at]
    if door_last and motion and max(motion) <= door_last + GRACE:
        return None
    days = home.setting("not_out_days", d)
    since = not_out_since(home, min(f.started for f in doors))
    if since is None:
        return None
    # Active at home means seen within the no-water window: a home silent longer than that
    # is the welfare rules' business (an emergency), not this one's.
    active = _indoor_activity(home)
    recent = dt.timedelta(hours=home.setting("no_water_hours", d))
    if active is None or active <= since or now - active > recent:
        return None
    known = min(max(f.last_at for f in doors if f.last_at is not None), now)
    if known - since < dt.timedelta(days=days):
        return None
    return Candidate(
        home.household_id,
        home.resident_id,
        Rule.NOT_OUT,
        since,
        {
            "days": days,
            "last_out": iso(home.last_out),
            "last_indoor_activity": iso(active),
            "last_home_service": iso(home.last_service),
        },
    )


def activity_after(home: Home, moment: dt.datetime) -> dt.datetime | None:
    """The first sign of the person after `moment` the states show (water use, door, motion)."""
    marks = [m for m in (home.last_water_use(), home.last_event()) if m and m > moment]
    return min(marks, default=None)


def still_holds(alert: Alert, home: Home, *, now: dt.datetime) -> str:
    """Why an active welfare or concern alert no longer holds ("" if it still does)."""
    if not home.enabled:
        return "看护已停用"
    if home.away_now or home.away_at(alert.detected_at):
        return "已登记外出"
    since = alert.since or alert.detected_at
    if alert.rule in CONCERN_RULES:
        if home.last_out and home.last_out > since:
            return "之后已出门"
        if home.last_service and home.last_service > since:
            return "之后已有上门服务"
        return ""
    if activity_after(home, since) is not None:
        return "之后已有用水或活动"
    return ""
