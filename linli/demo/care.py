"""Demo data for smart elderly care (CARE-1..7), called by the demo builder after the people,
accounts and ledger exist.

In the focus community (the family login's relative's community) about two dozen elderly
people living alone get a home gateway with a water meter, an electricity meter, a door
sensor and a motion sensor (every other one, the family's relative included, a call
bracelet), and about 2.5 days of everyday readings up to `now`. A few homes tell a story:

- a home silent since last evening (no water, door or motion) → a no-water alert;
- a motion sensor that stopped reporting a day ago → an offline maintenance task;
- a call bracelet pressed 40 minutes ago → a call alert and a case;
- someone in hospital with an away period → no alert despite the silence;
- someone active at home who has not gone out since the readings began, judged after two
  days (her own setting: bad legs) → a "not out for days" concern visit;
- home services this month for most of the community's 独居老人, a few short.

Everything goes through the care services (registration, ingest, away periods, home
services) and the real sweep; the readings are made by a small seeded generator, so the
same people and `now` give the same data.
"""

import datetime as dt
import logging
import random
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.care.models import (
    ACTIVE_ALERT_STATUSES,
    METER_KINDS,
    WELFARE_RULES,
    Alert,
    AwayPeriod,
    AwayReason,
    CareProfile,
    Device,
    DeviceKind,
    DeviceState,
    Gateway,
    MaintenanceTask,
    ServiceKind,
    TaskKind,
    TaskStatus,
)
from linli.care.scheduled import care_sweep
from linli.care.services.calls import button_pressed
from linli.care.services.devices import device_register, gateway_create
from linli.care.services.handling import away_set
from linli.care.services.homecare import (
    COMMON,
    MONTHLY_MINIMUM,
    home_service_record,
    services_for_ability,
    short_of_services,
)
from linli.care.services.ingest import ReadingIn, readings_ingest
from linli.care.services.settings import profile_save
from linli.geo.models import Community, Grid, Street
from linli.geo.scope import grid_workers
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import Contact, Resident

log = logging.getLogger(__name__)

SEED = 2026
SOURCE = "demo"
MONITORED = (20, 30)  # whole grids are taken until at least 20 people, at most 30
HISTORY = dt.timedelta(hours=60)
STEP = dt.timedelta(minutes=15)
SENSOR_BEAT = 8  # door/motion heartbeat every 8 slots (2 h)
BUTTON_BEAT = 48  # call bracelet heartbeat every 12 h
METER_BATTERY = 24  # meters report their battery every 6 h
SILENT_FOR = dt.timedelta(hours=14)
OFFLINE_FOR = dt.timedelta(hours=24)
AWAY_FOR = dt.timedelta(hours=30)
CALL_AGO = dt.timedelta(minutes=40)
PLACES = {
    DeviceKind.WATER: "厨房水表",
    DeviceKind.ELECTRICITY: "楼道电表箱",
    DeviceKind.DOOR: "入户门",
    DeviceKind.MOTION: "客厅",
    DeviceKind.BUTTON: "随身手环",
}
SERIAL_PREFIX = {
    DeviceKind.WATER: "W",
    DeviceKind.ELECTRICITY: "E",
    DeviceKind.DOOR: "D",
    DeviceKind.MOTION: "M",
    DeviceKind.BUTTON: "B",
}
PROVIDERS = ("社区助老服务站", "颐乐家政服务社", "西溪街道社区卫生服务中心", "邻里志愿服务队")


@dataclass
class _Home:
    index: int
    resident: Resident
    devices: dict[str, Device] = field(default_factory=dict)
    gateway: Gateway | None = None
    silent_from: dt.datetime | None = None  # no water, door or motion from here on
    away_from: dt.datetime | None = None
    offline: str = ""  # the kind of device that stops reporting
    offline_from: dt.datetime | None = None
    call_at: dt.datetime | None = None
    stays_in: bool = False  # lives as usual indoors but never goes out
    registers: dict[str, float] = field(default_factory=dict)  # meters' values to go on from


def _focus_community(street: Street) -> Community | None:
    """The family login's relative's community (else the street's first)."""
    contact = (
        Contact.objects.filter(
            user__username="family", resident__household__building__grid__community__street=street
        )
        .select_related("resident__household__building__grid__community")
        .first()
    )
    if contact is not None and contact.resident.household is not None:
        return contact.resident.household.building.grid.community
    return Community.objects.filter(street=street).order_by("code").first()


def _alone(community: Community) -> QuerySet[Resident]:
    return (
        Resident.objects.filter(
            household__building__grid__community=community, tag_links__tag__code=ALONE_ELDERLY
        )
        .select_related("household__building__grid")
        .distinct()
    )


def _monitored(community: Community, first: Resident | None) -> list[Resident]:
    """Whole grids, the family's relative's grid first, until there are enough people."""
    people = sorted(_alone(community), key=lambda r: (r.birth_year or 0, r.pk))
    by_grid: dict[int, list[Resident]] = {}
    for r in people:
        by_grid.setdefault(_grid_id(r), []).append(r)
    grids = list(Grid.objects.filter(pk__in=by_grid).order_by("code").values_list("pk", flat=True))
    if first is not None and _grid_id(first) in by_grid:
        grids.remove(_grid_id(first))
        grids.insert(0, _grid_id(first))
    chosen: list[Resident] = []
    for grid_id in grids:
        if len(chosen) >= MONITORED[0]:
            break
        chosen += by_grid[grid_id]
    return chosen[: MONITORED[1]]


def _grid_id(resident: Resident) -> int:
    assert resident.household is not None  # people living alone have a household
    return resident.household.building.grid_id


def _local_date(now: dt.datetime) -> dt.date:
    return timezone.localtime(now).date()


def _register(homes: list[_Home], community: Community, now: dt.datetime) -> None:
    installed = _local_date(now) - dt.timedelta(days=40)
    for home in homes:
        household = home.resident.household
        assert household is not None
        home.gateway, _ = gateway_create(
            actor=None, name=f"demo-gw-{community.code}-{home.index:03d}", community=community
        )
        kinds = [DeviceKind.WATER, DeviceKind.ELECTRICITY, DeviceKind.DOOR, DeviceKind.MOTION]
        if home.index % 2 == 0:  # every other home, the family's relative (index 0) included
            kinds.append(DeviceKind.BUTTON)
        for kind in kinds:
            home.devices[kind] = device_register(
                actor=None,
                serial=f"DEMO-{SERIAL_PREFIX[kind]}{community.code}{home.index:03d}",
                kind=kind,
                household=household,
                resident=home.resident,
                gateway=home.gateway,
                installed_on=installed,
                register_max=99999.0 if kind in METER_KINDS else None,
                place=PLACES[kind],
            )


def _cast(homes: list[_Home], now: dt.datetime) -> None:
    """Give four homes their story. Home 0 (the family's relative) stays well; the silent
    home and the call are in its grid, so the grid worker login sees both."""
    hour = now.replace(second=0, microsecond=0)
    grid = _grid_id(homes[0].resident)
    near = [h for h in homes[1:] if _grid_id(h.resident) == grid]
    rest = [h for h in homes[1:] if h not in near]
    calls = [h for h in near + rest if DeviceKind.BUTTON in h.devices]
    quiet = [h for h in near + rest if DeviceKind.BUTTON not in h.devices]
    quiet[0].silent_from = hour - SILENT_FOR
    calls[0].call_at = (now - CALL_AGO).replace(second=17, microsecond=0)
    quiet[-1].away_from = hour - AWAY_FOR
    quiet[len(quiet) // 2].offline = DeviceKind.MOTION
    quiet[len(quiet) // 2].offline_from = hour - OFFLINE_FOR
    quiet[1].stays_in = True  # in the grid worker's grid when it has a second quiet home


def _outings(rng: random.Random, day: dt.date, wake: float) -> list[tuple[float, float]]:
    """(start hour, end hour) of the day's trips out: the market, an afternoon walk."""
    out = []
    if rng.random() < 0.7:
        start = wake + rng.uniform(1.2, 2.5)
        out.append((start, start + rng.uniform(0.8, 2.0)))
    if rng.random() < 0.4:
        start = rng.uniform(14.5, 16.0)
        out.append((start, start + rng.uniform(0.5, 1.5)))
    return out


def _readings(home: _Home, start: dt.datetime, end: dt.datetime, seed: int) -> list[ReadingIn]:
    """The home's readings in (start, end]: meters every 15 min, door and motion events as
    they happen, heartbeats (value 0) every 2 h (the bracelet every 12 h)."""
    rng = random.Random(seed * 1000 + home.index)
    wake, bed = rng.uniform(5.5, 7.2), rng.uniform(20.5, 22.3)
    water = home.registers.get(DeviceKind.WATER, round(rng.uniform(20, 600), 3))
    power = home.registers.get(DeviceKind.ELECTRICITY, round(rng.uniform(800, 9000), 2))
    battery = {kind: rng.uniform(45, 100) for kind in home.devices}
    phase = rng.randrange(SENSOR_BEAT)
    serial = {kind: d.serial for kind, d in home.devices.items()}
    days: dict[dt.date, list[tuple[float, float]]] = {}
    out: list[ReadingIn] = []

    def add(kind: str, at: dt.datetime, value: float, with_battery: bool = False) -> None:
        if kind not in serial:
            return
        if home.offline == kind and home.offline_from is not None and at > home.offline_from:
            return
        level = round(battery[kind]) if with_battery else None
        out.append(ReadingIn(serial=serial[kind], at=at, value=value, battery=level))

    t, slot = start, 0
    while t < end:
        local = timezone.localtime(t)
        hour = local.hour + local.minute / 60
        if local.date() not in days:
            trips_today = _outings(rng, local.date(), wake)
            days[local.date()] = [] if home.stays_in else trips_today
        trips = days[local.date()]
        quiet = (home.silent_from is not None and t >= home.silent_from) or (
            home.away_from is not None and t >= home.away_from
        )
        out_now = any(a <= hour < b for a, b in trips)
        awake = wake <= hour < bed
        events: list[tuple[str, int]] = []
        if not quiet:
            for a, b in trips:  # leaving and coming back
                for edge in (a, b):
                    if hour <= edge < hour + 0.25:
                        events.append((DeviceKind.DOOR, int((edge - hour) * 3600)))
            if awake and not out_now:
                if rng.random() < 0.55:
                    water += rng.uniform(0.004, 0.02)
                if local.hour in (7, 11, 17) and local.minute == 30:
                    water += rng.uniform(0.02, 0.05)  # cooking and washing up
                for _ in range(rng.randint(0, 3)):
                    events.append((DeviceKind.MOTION, rng.randrange(1, 900)))
            elif not awake and rng.random() < 0.04:
                water += 0.008  # the night's trip to the toilet
                events.append((DeviceKind.MOTION, rng.randrange(1, 900)))
        if home.away_from is not None and t <= home.away_from < t + STEP:
            events.append((DeviceKind.DOOR, int((home.away_from - t).total_seconds()) or 1))
        kw = 0.04 + (rng.uniform(0.05, 0.3) if awake and not out_now and not quiet else 0.0)
        power += kw * 0.25
        seen: set[tuple[str, int]] = set()
        for kind, offset in sorted(events, key=lambda e: e[1]):
            if offset > 0 and (kind, offset) not in seen:  # offset 0 is the heartbeat's
                seen.add((kind, offset))
                add(kind, t + dt.timedelta(seconds=offset), 1)
        if slot % SENSOR_BEAT == phase:
            add(DeviceKind.DOOR, t, 0, with_battery=True)
            add(DeviceKind.MOTION, t, 0, with_battery=True)
        if slot % BUTTON_BEAT == phase:
            add(DeviceKind.BUTTON, t, 0, with_battery=True)
        t, slot = t + STEP, slot + 1
        beat = slot % METER_BATTERY == 0
        add(DeviceKind.WATER, t, round(water, 3), with_battery=beat)
        add(DeviceKind.ELECTRICITY, t, round(power, 2), with_battery=beat)
        for kind in battery:
            battery[kind] -= 0.01
    if home.call_at is not None:
        add(DeviceKind.BUTTON, home.call_at, 1)
    return out


def _quarter(now: dt.datetime) -> dt.datetime:
    end = timezone.localtime(now).replace(second=0, microsecond=0)
    return end - dt.timedelta(minutes=end.minute % 15)


def _ingest(
    homes: list[_Home], now: dt.datetime, starts: dict[int, dt.datetime] | None = None
) -> int:
    end = _quarter(now)
    accepted = 0
    for home in homes:
        start = (starts or {}).get(home.index, end - HISTORY)
        if start >= end:
            continue
        readings = _readings(home, start, end, SEED + int(start.timestamp()) // 900)
        result = readings_ingest(readings=readings, gateway=home.gateway, source=SOURCE, now=now)
        if result.rejected and starts is None:  # the first build: a generator bug
            raise RuntimeError(f"demo care readings refused: {result.rejected[:3]}")
        if result.rejected:  # a top-up must not stop `make run`; ingest kept the rest
            log.warning("demo care top-up: %d readings refused", len(result.rejected))
        accepted += result.accepted
        if home.call_at is not None:
            # Ingest hands presses to the call service after commit; the demo is built in
            # one transaction, so the call is handled now (the later hand-over is a no-op).
            button_pressed(device_id=home.devices[DeviceKind.BUTTON].pk, at=home.call_at)
    return accepted


def _workers(community: Community) -> tuple[dict[int, Any], User | None]:
    grids = Grid.objects.filter(community=community).values_list("pk", flat=True)
    staff = (
        Membership.objects.filter(
            kind=MembershipKind.COMMUNITY_WORKER, community=community, user__is_active=True
        )
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return grid_workers(grids), staff.user if staff is not None else None


def _away(home: _Home, worker: Any, now: dt.datetime) -> int:
    if home.away_from is None or worker is None:
        return 0
    household = home.resident.household
    assert household is not None
    away_set(
        actor=worker,
        household_id=household.pk,
        starts=home.away_from,
        ends=now + dt.timedelta(days=5),
        reason=AwayReason.HOSPITAL,
        note="住院治疗,女儿陪护,出院后请网格员上门看看。",
    )
    return 1


def _services(community: Community, family_relative: Resident | None, now: dt.datetime) -> int:
    """Two (or three) services this month for most of the community's 独居老人; a few got
    one or none yet, so the short list has some names but not everyone's."""
    workers, staff = _workers(community)
    people = sorted(_alone(community), key=lambda r: (r.birth_year or 0, r.pk))
    rng = random.Random(SEED)
    local = timezone.localtime(now)
    first = local.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    span = max((local - first).total_seconds() - 900, 60.0)
    made = 0
    for i, person in enumerate(people):
        count = MONTHLY_MINIMUM + (1 if i % 5 == 0 else 0)
        if person == family_relative:
            count = MONTHLY_MINIMUM
        elif i % 10 == 3:
            count = 0
        elif i % 17 == 8:
            count = 1
        kinds = services_for_ability(person.ability)[:1] + rng.sample(list(COMMON), 2)
        actor = workers.get(_grid_id(person)) or staff
        if actor is None:
            continue
        for k in range(count):
            # Office hours on some day of the month so far (any time, early in a month).
            day = first + dt.timedelta(days=rng.randrange(local.day))
            at = day.replace(hour=rng.randint(9, 16), minute=rng.choice((0, 15, 30, 45)))
            if at > local - dt.timedelta(minutes=15):
                at = first + dt.timedelta(seconds=span * rng.random())
            home_service_record(
                actor=actor,
                resident_id=person.pk,
                kind=ServiceKind(kinds[k % len(kinds)]),
                provided_at=at + dt.timedelta(seconds=i),  # never the same moment twice
                provider=rng.choice(PROVIDERS),
            )
            made += 1
    return made


def _stays_in_profile(home: _Home) -> None:
    """Her own threshold: the grid worker calls after two days indoors, not three."""
    household = home.resident.household
    profile = CareProfile.objects.filter(household=household).first() or CareProfile(
        household=household, resident=home.resident
    )
    profile.not_out_days = 2.0
    profile.note = "腿脚不便,两天没出门就上门看看"
    profile_save(actor=None, profile=profile, changed=["not_out_days", "note"])


def seed_care(*, street: Street, now: dt.datetime | None = None) -> dict[str, int]:
    """Devices, readings, an away period, home services and a sweep; returns counts."""
    now = now or timezone.now()
    community = _focus_community(street)
    if community is None:
        return {}
    relative = (
        Resident.objects.filter(contacts__user__username="family")
        .filter(household__building__grid__community=community)
        .first()
    )
    people = _monitored(community, relative)
    if relative in people:  # the family's relative is home 0: it stays well
        people.remove(relative)
        people.insert(0, relative)
    homes = [_Home(index=i, resident=r) for i, r in enumerate(people)]
    if len(homes) < 8:
        return {}
    _register(homes, community, now)
    _cast(homes, now)
    readings = _ingest(homes, now)
    workers, staff = _workers(community)
    away = sum(_away(h, workers.get(_grid_id(h.resident)) or staff, now) for h in homes)
    for home in homes:
        if home.stays_in:
            _stays_in_profile(home)
    services = _services(community, relative, now)
    sweep = care_sweep(now=now)
    short = short_of_services(community=community, month=_local_date(now))
    return {
        "care_homes": len(homes),
        "care_devices": sum(len(h.devices) for h in homes),
        "care_readings": readings,
        "care_away": away,
        "care_services": services,
        "care_short_of_services": len(short),
        "care_alerts": sweep.opened + sum(1 for h in homes if h.call_at is not None),
        "care_tasks": sweep.tasks_opened,
        "care_homes_judged": sweep.homes_judged,
    }


def care_demo_top_up(*, now: dt.datetime | None = None) -> int:
    """Readings from where the demo's devices left off up to `now` (at most `HISTORY`), so
    a demo built days ago does not turn into a board of silent devices. What was going on
    goes on: a home with an open welfare alert or a current away period stays quiet, a
    device with an open offline task stays silent; every other home lives as usual. Then a
    sweep. Returns the readings accepted."""
    now = now or timezone.now()
    end = _quarter(now)
    devices = list(
        Device.objects.filter(serial__startswith="DEMO-", active=True)
        .select_related("resident", "gateway")
        .order_by("household_id", "pk")
    )
    if not devices:
        return 0
    state = {
        s.device_id: s for s in DeviceState.objects.filter(device_id__in=[d.pk for d in devices])
    }
    quiet = set(
        Alert.objects.filter(status__in=ACTIVE_ALERT_STATUSES, rule__in=WELFARE_RULES).values_list(
            "household_id", flat=True
        )
    ) | set(
        AwayPeriod.objects.filter(starts__lte=now, ends__gt=now).values_list(
            "household_id", flat=True
        )
    )
    offline = set(
        MaintenanceTask.objects.filter(kind=TaskKind.OFFLINE, status=TaskStatus.OPEN).values_list(
            "device_id", flat=True
        )
    )
    homes: dict[int, _Home] = {}
    starts: dict[int, dt.datetime] = {}
    for device in devices:
        if device.resident is None:
            continue
        home = homes.get(device.household_id)
        if home is None:
            home = homes[device.household_id] = _Home(
                index=len(homes), resident=device.resident, gateway=device.gateway
            )
        home.devices[device.kind] = device
        last = state[device.pk].last_at if device.pk in state else None
        if device.kind in METER_KINDS and last is not None:
            home.registers[device.kind] = float(state[device.pk].last_value or 0.0)
            starts[home.index] = max(
                _quarter(last), starts.get(home.index, end - HISTORY), end - HISTORY
            )
        if device.pk in offline:
            home.offline, home.offline_from = device.kind, end - HISTORY
    for household_id, home in homes.items():
        if household_id in quiet:
            home.silent_from = end - HISTORY
    accepted = _ingest(list(homes.values()), now, starts)
    care_sweep(now=now)
    return accepted
