"""The simulated community: grids, homes of elderly people living alone, their family and
grid workers, gateways and devices. Built once through the real services where they exist
(device and gateway registration), in bulk where they are plain records (homes, residents),
and reused by later runs; `world_reset` clears what a run writes (readings, states, alerts,
tasks, away periods, baselines) so every run starts from the same blank slate."""

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.care.models import (
    Alert,
    AwayPeriod,
    CareProfile,
    Device,
    DeviceKind,
    DeviceState,
    Gateway,
    MaintenanceTask,
    PowerBaseline,
    PowerSnapshot,
    Reading,
)
from linli.care.services.devices import device_register, gateway_create
from linli.core.roles import Role
from linli.geo.models import Building, Community, District, Grid, Household, Street
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import Contact, Resident, ResidentTag, Tag

COMMUNITY_NAME = "颐养模拟社区"
HOMES_PER_GRID = 100
HOMES_PER_BUILDING = 20
KINDS = (DeviceKind.WATER, DeviceKind.ELECTRICITY, DeviceKind.DOOR, DeviceKind.MOTION)
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ("秀英", "桂英", "玉兰", "建国", "国强", "淑珍", "德明", "凤英", "志华", "金凤", "福生")


@dataclass
class SimWorld:
    community: Community
    community_worker: User
    households: list[Household]
    residents: dict[int, Resident]  # household id → resident
    grid_of: dict[int, int]  # household id → grid id
    grid_workers: dict[int, User]  # grid id → grid worker
    devices: dict[int, dict[str, Device]] = field(default_factory=dict)  # household → kind
    gateways: dict[int, Gateway] = field(default_factory=dict)  # grid id → gateway


def _place() -> tuple[Community, User]:
    district = District.objects.filter(code="330106").first() or District.objects.create(
        code="330106", name="西湖区", city="杭州市"
    )
    street, _ = Street.objects.get_or_create(
        district=district, code="901", defaults={"name": "模拟街道"}
    )
    community, _ = Community.objects.get_or_create(
        street=street, code="901", defaults={"name": COMMUNITY_NAME}
    )
    worker = _user("sim_community", Role.COMMUNITY_WORKER, "模拟社工")
    Membership.objects.get_or_create(
        user=worker, kind=MembershipKind.COMMUNITY_WORKER, community=community
    )
    return community, worker


_PASSWORD: list[str] = []


def _user(username: str, role: str, name: str) -> User:
    if not _PASSWORD:
        _PASSWORD.append(make_password(None))  # unusable: simulated people never log in
    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "full_name": name, "password": _PASSWORD[0]}
    )
    return user


def _grid(community: Community, k: int) -> tuple[Grid, User]:
    code = f"{k:03d}"
    lon, lat = 120.05 + 0.006 * (k % 10), 30.30 + 0.006 * (k // 10)
    grid = Grid.objects.filter(community=community, code=code).first()
    if grid is None:
        s = 0.005
        ring = [[lon, lat], [lon + s, lat], [lon + s, lat + s], [lon, lat + s], [lon, lat]]
        street = community.street
        grid = Grid.objects.create(
            community=community,
            code=code,
            unit_code=f"{street.district.code}{street.code}{community.code}{code}",
            name=f"模拟{k}号网格",
            geometry={"type": "Polygon", "coordinates": [ring]},
            min_lon=lon,
            min_lat=lat,
            max_lon=lon + s,
            max_lat=lat + s,
        )
    worker = _user(f"sim_grid_{code}", Role.GRID_WORKER, f"模拟网格员{k}")
    Membership.objects.get_or_create(user=worker, kind=MembershipKind.GRID_WORKER, grid=grid)
    return grid, worker


@transaction.atomic
def world_build(*, households: int, seed: int, installed_on: dt.date) -> SimWorld:
    """At least `households` homes (the first ones are reused), each with one elderly
    person living alone, a family account, and water, electricity, door and motion devices
    (a call button in a third of them, heartbeats only)."""
    rng = random.Random(seed)
    community, worker = _place()
    world = SimWorld(community, worker, [], {}, {}, {})
    tag, _ = Tag.objects.get_or_create(code=ALONE_ELDERLY, defaults={"name": "独居老人"})
    for g in range((households + HOMES_PER_GRID - 1) // HOMES_PER_GRID):
        grid, grid_worker = _grid(community, g + 1)
        world.grid_workers[grid.pk] = grid_worker
        gateway = Gateway.objects.filter(name=f"sim-{grid.unit_code}").first()
        if gateway is None:
            gateway, _token = gateway_create(
                actor=None, name=f"sim-{grid.unit_code}", community=community
            )
        world.gateways[grid.pk] = gateway
        in_grid = min(HOMES_PER_GRID, households - g * HOMES_PER_GRID)
        for b in range((in_grid + HOMES_PER_BUILDING - 1) // HOMES_PER_BUILDING):
            building, _ = Building.objects.get_or_create(
                grid=grid,
                name=f"{b + 1}幢",
                defaults={"lat": grid.min_lat + 0.001 * b, "lon": grid.min_lon + 0.001},
            )
            for r in range(min(HOMES_PER_BUILDING, in_grid - b * HOMES_PER_BUILDING)):
                room = f"{r // 4 + 1}0{r % 4 + 1}"
                household, _ = Household.objects.get_or_create(
                    building=building, unit="1单元", room=room
                )
                world.households.append(household)
                world.grid_of[household.pk] = grid.pk
    _people(world, rng, tag)
    _devices(world, rng, installed_on)
    return world


def _people(world: SimWorld, rng: random.Random, tag: Tag) -> None:
    have = {r.household_id: r for r in Resident.objects.filter(household__in=world.households)}
    for h in world.households:
        if h.pk in have:
            world.residents[h.pk] = have[h.pk]
            continue
        name = rng.choice(SURNAMES) + rng.choice(GIVEN)
        resident = Resident.objects.create(
            household=h,
            full_name=name,
            sex=rng.choice("MF"),
            birth_year=rng.randint(1935, 1955),
            is_head=True,
            ability=rng.choice(("self_care", "self_care", "semi", "disabled")),
        )
        ResidentTag.objects.create(resident=resident, tag=tag)
        family = _user(f"sim_family_{h.pk}", Role.FAMILY, f"{name[0]}家属")
        Contact.objects.create(
            resident=resident, name=family.full_name, relation="子女", user=family
        )
        world.residents[h.pk] = resident


def _devices(world: SimWorld, rng: random.Random, installed_on: dt.date) -> None:
    existing: dict[int, dict[str, Device]] = {}
    for device in Device.objects.filter(household__in=world.households):
        existing.setdefault(device.household_id, {})[device.kind] = device
    for i, h in enumerate(world.households):
        mine = existing.get(h.pk, {})
        kinds = list(KINDS) + ([DeviceKind.BUTTON] if i % 3 == 0 else [])
        for kind in kinds:
            if kind not in mine:
                mine[kind] = device_register(
                    actor=None,
                    serial=f"SIM-{h.pk}-{kind[:2].upper()}",
                    kind=kind,
                    household=h,
                    resident=world.residents[h.pk],
                    gateway=world.gateways[world.grid_of[h.pk]],
                    installed_on=installed_on,
                    register_max=9999.99 if kind == DeviceKind.ELECTRICITY else None,
                )
        world.devices[h.pk] = mine
    # Reused devices "were installed" the day the run starts, whatever an earlier run said.
    Device.objects.filter(household__in=world.households).update(installed_on=installed_on)


@transaction.atomic
def world_reset(world: SimWorld, *, quiet_share: float, seed: int) -> None:
    """Forget what earlier runs wrote for these homes; set the care profiles afresh."""
    homes = world.households
    devices = Device.objects.filter(household__in=homes)
    Alert.objects.filter(household__in=homes).delete()
    MaintenanceTask.objects.filter(household__in=homes).delete()
    AwayPeriod.objects.filter(household__in=homes).delete()
    PowerBaseline.objects.filter(device__in=devices).delete()
    PowerSnapshot.objects.filter(device__in=devices).delete()
    Reading.objects.filter(device__in=devices).delete()
    DeviceState.objects.filter(device__in=devices).update(
        last_at=None,
        last_value=None,
        use_mark_at=None,
        use_mark_value=None,
        last_event_at=None,
        last_change_at=None,
    )
    devices.update(last_seen_at=None, battery=None, active=True)
    # Homes of a bigger earlier run that this run does not simulate are switched off.
    Device.objects.filter(household__building__grid__community=world.community).exclude(
        household__in=homes
    ).update(active=False)
    CareProfile.objects.filter(household__in=homes).delete()
    rng = random.Random(seed + 5)
    profiles: list[Any] = []
    for h in homes:
        if rng.random() < quiet_share:
            profiles.append(
                CareProfile(
                    household=h,
                    resident=world.residents[h.pk],
                    quiet_start=dt.time(22, 30),
                    quiet_end=dt.time(6, 30),
                    note="夜间请勿打扰(模拟)",
                )
            )
    CareProfile.objects.bulk_create(profiles)
