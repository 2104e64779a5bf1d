"""A hand-made grid for the grid worker's day, on top of the test world: grid A1 (the
persona grid_worker's) with three buildings and residents of each tier; grid A2 with a
second worker."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.casework.services.categories import categories_ensure_defaults
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.roles import Role
from linli.fieldwork.models import Visit
from linli.geo.models import Building, Household
from linli.people.models import Resident, ResidentTag, Tag
from linli.testing.world import World, make_user


@dataclass
class FieldWorld:
    world: World
    b1: Building
    b2: Building
    b3: Building
    alone: Resident  # 独居老人 (high)
    semi: Resident  # 半失能 (high)
    dibao: Resident  # 低保 (key)
    elder: Resident  # 72, no tag (other)
    young: Resident  # 30, no tag: not on the roster
    worker2: User  # grid A2's worker
    a2_resident: Resident

    def __getitem__(self, role: str) -> Any:
        return self.world[role]


def resident(
    household: Household,
    name: str,
    born: int,
    *,
    tag: str = "",
    ability: str = "",
    days_old: int = 200,
) -> Resident:
    r = Resident.objects.create(
        household=household, full_name=name, sex="F", birth_year=born, ability=ability
    )
    if tag:
        ResidentTag.objects.create(resident=r, tag=Tag.objects.get(code=tag))
    Resident.objects.filter(pk=r.pk).update(created_at=timezone.now() - dt.timedelta(days=days_old))
    r.refresh_from_db()
    return r


def field_world(world: World) -> FieldWorld:
    categories_ensure_defaults(actor=None)
    a1 = world.grid_a1
    b1 = Building.objects.get(grid=a1, name="1幢")
    b2 = Building.objects.create(grid=a1, name="2幢", lat=30.2735, lon=120.1230)
    b3 = Building.objects.create(grid=a1, name="3幢", lat=30.2710, lon=120.1210)
    h1 = Household.objects.create(building=b1, unit="1单元", room="301")
    h2 = Household.objects.create(building=b2, unit="1单元", room="101")
    h3 = Household.objects.create(building=b3, unit="2单元", room="502")
    alone = resident(h1, "赵独居", 1940, tag="alone_elderly")
    semi = resident(h2, "钱半失能", 1938, ability="semi")
    dibao = resident(h3, "孙低保", 1975, tag="dibao")
    elder = resident(h3, "李老人", dt.date.today().year - 72)
    young = resident(h2, "周青年", dt.date.today().year - 30)
    Resident.objects.filter(full_name="王秀英").update(
        created_at=timezone.now() - dt.timedelta(days=10)
    )  # 1946, untagged: quarterly, not yet due
    worker2 = make_user("grid_worker_2", Role.GRID_WORKER)
    Membership.objects.create(user=worker2, kind=MembershipKind.GRID_WORKER, grid=world.grid_a2)
    b4 = Building.objects.create(grid=world.grid_a2, name="8幢", lat=30.2725, lon=120.1275)
    h4 = Household.objects.create(building=b4, unit="", room="101")
    a2_resident = resident(h4, "吴独居", 1939, tag="alone_elderly")
    return FieldWorld(world, b1, b2, b3, alone, semi, dibao, elder, young, worker2, a2_resident)


def visited(fw: FieldWorld, r: Resident, days_ago: float, worker: User | None = None) -> Visit:
    w = worker or fw["grid_worker"]
    return Visit.objects.create(
        uuid=uuid.uuid4(),
        resident=r,
        grid=Building.objects.get(households__residents=r).grid,
        worker=w,
        outcome="seen",
        at=timezone.now() - dt.timedelta(days=days_ago),
    )


def case_at(
    actor: Any, lat: float, lon: float, code: str = "01-10", channel: str = "web", **kw: Any
) -> Any:
    from linli.casework.choices import Channel

    return case_submit(
        actor=actor,
        data=CaseInput(
            category_code=code,
            description=kw.pop("description", "楼下垃圾堆放"),
            lat=lat,
            lon=lon,
            address=kw.pop("address", "1幢旁"),
        ),
        channel=Channel(channel),
        **kw,
    )
