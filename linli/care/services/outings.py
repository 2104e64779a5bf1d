"""Going out, read from the entrance door and the motion sensor (CARE-3, "3天未出门").

A door event alone does not say who went which way: the person may have left, come back,
or let a visitor in. What happens between two uses of the door does:

- door events less than DOOR_GAP apart are one use of the door (open, close);
- if the motion sensor saw nobody between one use of the door and the next (beyond a short
  GRACE for the person stepping through), the home was empty: the first use was the person
  going out, the second coming back;
- if it saw someone, a person was inside all along: the door was a visitor, the rubbish,
  a parcel — or the person came back and stayed.

So an outing is known when the person comes back (while they are out, the home is silent,
and silence is the welfare rules' business). A home without a working motion sensor cannot
tell, so each use of its door counts as going out: the rule then errs towards no visit
rather than a needless one.

The sweep reads each reading once, in order: door and motion readings between the last
watermark and `now − LAG` (late readings mostly arrive within it; one later than that is
not read again) of the homes whose door was used in that window, or whose home was still
after their last use of the door until the motion sensor saw someone. `HomeOuting` keeps,
per household, the latest outing, the last use of the door and whether the home has been
still since.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Exists, Min, OuterRef

from linli.care.models import CareDefaults, Device, DeviceKind, DeviceState, HomeOuting, Reading

DOOR_GAP = dt.timedelta(minutes=3)
GRACE = dt.timedelta(minutes=2)
LAG = dt.timedelta(hours=2)
FIRST_LOOK = dt.timedelta(days=14)  # how far back the first sweep looks
CHUNK = 2000
UPDATE_BATCH = 500  # rows per UPDATE … CASE statement

Event = tuple[dt.datetime, str]  # (at, device kind)


@dataclass
class Doorway:
    """One home's reading of its door: the outings found, and where it stands (the end of
    the last use of the door; whether the home has been still since)."""

    left: list[dt.datetime] = field(default_factory=list)
    last_door: dt.datetime | None = None
    still: bool = False


def departures(
    events: Iterable[Event],
    *,
    has_motion: bool,
    last_door: dt.datetime | None = None,
    still: bool = False,
) -> Doorway:
    """Read one home's door and motion events (in any order), continuing from where the
    last reading stood."""
    way = Doorway(last_door=last_door, still=still)
    for at, kind in sorted(events):
        if kind == DeviceKind.DOOR:
            if way.last_door is not None and at - way.last_door < DOOR_GAP:
                way.last_door = at  # the same use of the door
                continue
            if not has_motion:
                way.left.append(at)
            elif way.last_door is not None and way.still:
                way.left.append(way.last_door)  # nobody moved in between: out and back
            way.last_door, way.still = at, True
        elif way.last_door is None or at > way.last_door + GRACE:
            way.still = False
    return way


def outings_update(*, now: dt.datetime, d: CareDefaults) -> int:
    """Read the door and motion events since the last sweep; keep each home's latest outing
    and where its door stands. Call inside the sweep's transaction (it holds the
    CareDefaults row). Returns how many homes were seen going out."""
    upto = now - LAG
    start = d.outings_checked_until or upto - FIRST_LOOK
    if upto <= start:
        return 0
    _watch_new_doors()
    # Homes whose door was used in the window: the door states narrow it to doors used since
    # `start`, then one probe per such door on the (device, at) index of the readings.
    recent_doors = DeviceState.objects.filter(
        kind=DeviceKind.DOOR,
        last_event_at__gt=start,
        household_id__in=HomeOuting.objects.values("household_id"),
    ).values("device_id")
    used = set(
        Reading.objects.filter(
            device_id__in=recent_doors, at__gt=start, at__lte=upto, value__gt=0
        ).values_list("device__household_id", flat=True)
    )
    # Homes still after a use of the door, once their motion sensor has seen someone since:
    # the rest (out, or not moving yet) have nothing new to read.
    moved = DeviceState.objects.filter(
        household_id=OuterRef("household_id"),
        kind=DeviceKind.MOTION,
        last_event_at__gt=OuterRef("last_door_at") + GRACE,
    )
    waiting = set(
        HomeOuting.objects.filter(still=True)
        .filter(Exists(moved))
        .values_list("household_id", flat=True)
    )
    households = sorted(used | waiting)
    went_out = 0
    for i in range(0, len(households), CHUNK):
        went_out += _read_doors(households[i : i + CHUNK], start=start, upto=upto)
    d.outings_checked_until = upto
    d.save(update_fields=["outings_checked_until"])
    return went_out


def _read_doors(households: list[int], *, start: dt.datetime, upto: dt.datetime) -> int:
    rows = {r.household_id: r for r in HomeOuting.objects.filter(household_id__in=households)}
    devices = Device.objects.filter(
        household_id__in=list(rows), kind__in=(DeviceKind.DOOR, DeviceKind.MOTION), active=True
    ).values_list("pk", "household_id", "kind")
    home_of = {pk: (household, kind) for pk, household, kind in devices}
    with_motion = {h for h, kind in home_of.values() if kind == DeviceKind.MOTION}
    events: dict[int, list[Event]] = defaultdict(list)
    for device_id, at in Reading.objects.filter(
        device_id__in=list(home_of), at__gt=start, at__lte=upto, value__gt=0
    ).values_list("device_id", "at"):
        household, kind = home_of[device_id]
        events[household].append((at, kind))
    changed, went_out = [], 0
    for household, row in rows.items():
        way = departures(
            events.get(household, []),
            has_motion=household in with_motion,
            last_door=row.last_door_at,
            still=row.still,
        )
        before = (row.last_out_at, row.last_door_at, row.still)
        if way.left:
            went_out += 1
            latest = max(way.left)
            if row.last_out_at is None or latest > row.last_out_at:
                row.last_out_at = latest  # never back: a late reading may be older
        row.last_door_at, row.still = way.last_door, way.still
        if (row.last_out_at, row.last_door_at, row.still) != before:
            changed.append(row)  # most homes read in a sweep saw nothing new
    HomeOuting.objects.bulk_update(
        changed, ["last_out_at", "last_door_at", "still"], batch_size=UPDATE_BATCH
    )
    return went_out


def _watch_new_doors() -> None:
    """A row for each home whose door sensor has reported but has none yet, watched from the
    door's first reading (the one aggregate per new door uses the (device, at) index)."""
    new = {
        pk: (household, last_at)
        for pk, household, last_at in DeviceState.objects.filter(
            kind=DeviceKind.DOOR, last_at__isnull=False, device__active=True
        )
        .exclude(household_id__in=HomeOuting.objects.values("household_id"))
        .values_list("device_id", "household_id", "last_at")
        if last_at is not None
    }
    if not new:
        return
    first: dict[int, dt.datetime] = {}
    seen = dict(
        Reading.objects.filter(device_id__in=list(new))
        .values("device_id")
        .annotate(first=Min("at"))
        .values_list("device_id", "first")
    )
    for device_id, (household, last_at) in new.items():
        at = seen.get(device_id) or last_at  # no reading kept: watched from its last
        first[household] = min(at, first.get(household, at))
    HomeOuting.objects.bulk_create(
        [HomeOuting(household_id=h, watched_from=at) for h, at in first.items()],
        ignore_conflicts=True,
    )
