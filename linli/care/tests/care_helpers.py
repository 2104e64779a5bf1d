"""Set-up for the handling, call, home-service and page tests (C3): 王秀英 living alone in
甲社区 grid a1 (1幢1单元101) with a water meter, a door sensor and a call button, her
daughter's family account as a contact, and a home in 乙社区 for the wrong-place cases."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.care.models import Alert, Device, DeviceKind, Rule
from linli.care.services.alerts import alert_open
from linli.care.services.devices import device_register
from linli.core.roles import Role
from linli.geo.models import Building, Household
from linli.people.choices import Ability, Audience
from linli.people.models import Contact, Resident, ResidentTag, Tag
from linli.testing.world import make_user


@dataclass
class Care:
    world: Any
    household: Household
    resident: Resident
    family: User
    devices: dict[str, Device] = field(default_factory=dict)
    other_household: Household | None = None
    other_resident: Resident | None = None

    @property
    def button(self) -> Device:
        return self.devices[DeviceKind.BUTTON]


def alone_tag() -> Tag:
    tag, _ = Tag.objects.get_or_create(code="alone_elderly", defaults={"name": "独居老人"})
    return tag


def make_care(world: Any, *, audience: str = Audience.FAMILY) -> Care:
    household = Household.objects.get(room="101")
    resident = Resident.objects.get(household=household)
    resident.ability = Ability.SEMI
    resident.alerts_audience = audience
    resident.save()
    ResidentTag.objects.create(resident=resident, tag=alone_tag())
    family = world["family"]
    family.phone = "13900000002"
    family.save()
    world["grid_worker"].phone = "13900000001"
    world["grid_worker"].save()
    Contact.objects.create(
        resident=resident, name="李红", relation="女儿", phone="13900000002", user=family
    )
    care = Care(world, household, resident, family)
    for kind, serial in (
        (DeviceKind.WATER, "W-1"),
        (DeviceKind.DOOR, "D-1"),
        (DeviceKind.BUTTON, "B-1"),
    ):
        care.devices[kind] = device_register(
            actor=None,
            serial=serial,
            kind=kind,
            household=household,
            resident=resident,
            installed_on=timezone.localdate() - dt.timedelta(days=30),
        )
    building = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.2725, lon=120.1325)
    care.other_household = Household.objects.create(building=building, unit="", room="902")
    care.other_resident = Resident.objects.create(
        household=care.other_household, full_name="赵大爷", sex="M", birth_year=1940
    )
    ResidentTag.objects.create(resident=care.other_resident, tag=alone_tag())
    return care


def grid_worker_a2(world: Any) -> User:
    """A grid worker of the neighbouring grid a2 (same community, other grid)."""
    user = make_user("grid_worker_a2", Role.GRID_WORKER)
    Membership.objects.create(user=user, kind=MembershipKind.GRID_WORKER, grid=world.grid_a2)
    return user


def open_alert(
    care: Care, rule: str = Rule.NO_WATER, *, household: Household | None = None
) -> Alert:
    alert = alert_open(
        household=household or care.household,
        rule=rule,
        resident=care.resident if household is None else None,
        evidence={"test": True},
        now=timezone.now(),
        since=timezone.now() - dt.timedelta(hours=13),
    )
    assert alert is not None
    return alert
