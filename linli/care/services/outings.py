"""Going out, read from the entrance door and the motion sensor (CARE-3, "3天未出门").

A door event alone does not say who went which way: the person may have left, come back,
or let a visitor in. What follows it does:

- door events less than DOOR_GAP apart are one use of the door (open, close);
- after that use, if the next thing the home reports (beyond a short GRACE for the person
  stepping through) is motion, someone is inside: the person came back or let someone in;
- if it is another use of the door, or nothing at all for SETTLE, the home was empty: the
  person went out (a quick errand ends with the door, not with motion).

A home without a working motion sensor cannot tell, so each use of its door counts as going
out: the rule then errs towards no visit rather than a needless one.

The sweep sorts door events once, in order: each sweep takes the door events between the
last watermark and `now − LAG` (late readings mostly arrive within it; one later than that
is not sorted again), with the readings up to SETTLE after them, and keeps per household
the latest moment the person went out (`HomeOuting`).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Min

from linli.care.models import CareDefaults, Device, DeviceKind, DeviceState, HomeOuting, Reading

DOOR_GAP = dt.timedelta(minutes=3)
GRACE = dt.timedelta(minutes=2)
SETTLE = dt.timedelta(minutes=60)
LAG = dt.timedelta(hours=2)
FIRST_LOOK = dt.timedelta(days=14)  # how far back the first sweep looks
CHUNK = 2000

Event = tuple[dt.datetime, str]  # (at, device kind)


def departures(events: Iterable[Event], *, has_motion: bool) -> list[dt.datetime]:
    """The moments the person went out, from one home's door and motion events (sorted or
    not). Only door uses followed by SETTLE of readings can be judged: the caller passes
    events up to SETTLE past the last door event it wants judged."""
    ordered = sorted(events)
    out: list[dt.datetime] = []
    i = 0
    while i < len(ordered):
        at, kind = ordered[i]
        if kind != DeviceKind.DOOR:
            i += 1
            continue
        start, end = at, at
        i += 1
        while i < len(ordered):
            t, k = ordered[i]
            if k != DeviceKind.DOOR or t - end >= DOOR_GAP:
                break
            end = t
            i += 1
        if not has_motion:
            out.append(start)
            continue
        nxt = next((e for e in ordered[i:] if e[0] > end + GRACE or e[1] == DeviceKind.DOOR), None)
        if nxt is None or nxt[0] - end > SETTLE or nxt[1] == DeviceKind.DOOR:
            out.append(start)
    return out


def outings_update(*, now: dt.datetime, d: CareDefaults) -> int:
    """Sort the door events since the last sweep into outings; keep each home's latest.
    Call inside the sweep's transaction (it holds the CareDefaults row). Returns how many
    homes were seen going out."""
    upto = now - LAG
    start = d.outings_checked_until or upto - FIRST_LOOK
    if upto <= start:
        return 0
    # Door sensors with an event since the watermark (their state says so: no reading scan).
    doors = list(
        DeviceState.objects.filter(kind=DeviceKind.DOOR, last_event_at__gt=start).values_list(
            "device_id", "household_id"
        )
    )
    latest: dict[int, dt.datetime] = {}
    for i in range(0, len(doors), CHUNK):
        chunk = dict(doors[i : i + CHUNK])
        households = set(chunk.values())
        motion = dict(
            Device.objects.filter(
                household_id__in=households, kind=DeviceKind.MOTION, active=True
            ).values_list("pk", "household_id")
        )
        kinds = {pk: DeviceKind.DOOR for pk in chunk}
        kinds.update({pk: DeviceKind.MOTION for pk in motion})
        home_of = {**chunk, **motion}
        events: dict[int, list[Event]] = defaultdict(list)
        rows = Reading.objects.filter(
            device_id__in=list(home_of), at__gt=start, at__lte=upto + SETTLE, value__gt=0
        ).values_list("device_id", "at")
        for device_id, at in rows:
            events[home_of[device_id]].append((at, kinds[device_id]))
        with_motion = set(motion.values())
        for household, seen in events.items():
            left = [t for t in departures(seen, has_motion=household in with_motion) if t <= upto]
            if left:
                latest[household] = max(left)
    _watch_new_doors(start)
    _keep_latest(latest)
    d.outings_checked_until = upto
    d.save(update_fields=["outings_checked_until"])
    return len(latest)


def _watch_new_doors(start: dt.datetime) -> None:
    """A row for each home whose door sensor has reported but has none yet, watched from the
    door's first reading (the one aggregate per new door uses the (device, at) index)."""
    new = dict(
        Device.objects.filter(kind=DeviceKind.DOOR, active=True)
        .exclude(household_id__in=HomeOuting.objects.values("household_id"))
        .values_list("pk", "household_id")
    )
    if not new:
        return
    first: dict[int, dt.datetime] = {}
    for device_id, at in (
        Reading.objects.filter(device_id__in=list(new))
        .values("device_id")
        .annotate(first=Min("at"))
        .values_list("device_id", "first")
    ):
        household = new[device_id]
        first[household] = min(at, first.get(household, at))
    HomeOuting.objects.bulk_create(
        [HomeOuting(household_id=h, watched_from=at) for h, at in first.items()],
        ignore_conflicts=True,
    )


def _keep_latest(latest: dict[int, dt.datetime]) -> None:
    """Move each home's last outing forward (never back: a late reading may be older)."""
    if not latest:
        return
    rows = HomeOuting.objects.filter(household_id__in=list(latest))
    changed = []
    for row in rows:
        at = latest[row.household_id]
        if row.last_out_at is None or at > row.last_out_at:
            row.last_out_at = at
            changed.append(row)
    HomeOuting.objects.bulk_update(changed, ["last_out_at"], batch_size=CHUNK)
