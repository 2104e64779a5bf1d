"""A station world on top of the test world: the seeded catalogue, a 民政 officer, a
resident with a full record (王秀英, 80 this year, on the phone) and one without a phone
(李桂兰, 82, holding a 老年证)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.roles import Role
from linli.geo.models import Department, Household
from linli.people.models import Credential, Resident
from linli.people.services.records import id_number_hash
from linli.people.validation import id_check_digit, phone_mask
from linli.station.defaults import DEPARTMENTS, catalogue_seed
from linli.testing.world import World, make_user


def id_number(birth: dt.date, female: bool, seq: str = "02") -> str:
    first17 = f"330106{birth:%Y%m%d}{seq}{'8' if female else '7'}"
    return first17 + id_check_digit(first17)


@dataclass
class StationWorld:
    world: World
    wang: Resident
    li: Resident
    minzheng: Department
    weijian: Department
    officer: User  # 民政
    health_officer: User  # 卫健


def fill(resident: Resident, *, birth: dt.date, female: bool, phone: str, seq: str) -> None:
    resident.id_number = id_number(birth, female, seq)
    resident.id_number_hash = id_number_hash(resident.id_number)
    resident.phone = phone
    resident.phone_masked = phone_mask(phone)
    resident.save()


def station_world(world: World) -> StationWorld:
    catalogue_seed()
    wang = Resident.objects.get(full_name="王秀英")
    year = timezone.localdate().year
    fill(wang, birth=dt.date(year - 80, 3, 15), female=True, phone="13800001111", seq="02")
    wang.birth_year = year - 80
    wang.save(update_fields=["birth_year"])
    assert wang.household is not None
    household = Household.objects.create(building=wang.household.building, unit="1单元", room="102")
    li = Resident.objects.create(
        household=household, full_name="李桂兰", sex="F", birth_year=year - 82
    )
    fill(li, birth=dt.date(year - 82, 5, 2), female=True, phone="13900002222", seq="04")
    Credential.objects.create(
        resident=li,
        kind="elder_card",
        name="老年证",
        number="LN-2016-0042",
        issued_on=dt.date(year - 10, 5, 2),
    )
    minzheng = Department.objects.get(name=DEPARTMENTS["民政"])
    weijian = Department.objects.get(name=DEPARTMENTS["卫健"])
    officer = make_user("minzheng_officer", Role.DEPT_OFFICER)
    Membership.objects.create(user=officer, kind=MembershipKind.DEPT_OFFICER, department=minzheng)
    health = make_user("weijian_officer", Role.DEPT_OFFICER)
    Membership.objects.create(user=health, kind=MembershipKind.DEPT_OFFICER, department=weijian)
    return StationWorld(world, wang, li, minzheng, weijian, officer, health)


ALL_TIERS = ["basic", "contact", "identity", "health", "finance"]


def apply_as(user: Any, **kwargs: Any) -> Any:
    from linli.station.services.applications import apply

    kwargs.setdefault("consent_tiers", ALL_TIERS)
    return apply(actor=user, **kwargs)
