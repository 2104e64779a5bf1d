"""A small, fixed world for tests: two communities, three grids, departments and personas."""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.roles import Role
from linli.geo.choices import DepartmentKind, HandlingLevel
from linli.geo.models import (
    Building,
    Community,
    Department,
    District,
    Grid,
    Household,
    ResponsibilityRule,
    Street,
)
from linli.people.defaults import tags_ensure_defaults
from linli.people.models import Resident

PERSONA_PASSWORD = "Persona-Pass-2026"


@lru_cache(maxsize=1)
def persona_hash() -> str:
    # Argon2 is deliberately slow; hash once per test run.
    return make_password(PERSONA_PASSWORD)


def square(lon: float, lat: float, size: float = 0.005) -> dict[str, Any]:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def make_grid(community: Community, code: str, lon: float, lat: float, size: float = 0.005) -> Grid:
    street = community.street
    return Grid.objects.create(
        community=community,
        code=code,
        unit_code=f"{street.district.code}{street.code}{community.code}{code}",
        name=f"{community.name}{int(code)}号网格",
        geometry=square(lon, lat, size),
        min_lon=lon,
        min_lat=lat,
        max_lon=lon + size,
        max_lat=lat + size,
    )


@dataclass
class World:
    district: District
    street: Street
    community_a: Community
    community_b: Community
    grid_a1: Grid
    grid_a2: Grid
    grid_b1: Grid
    chengguan: Department
    street_office: Department
    users: dict[str, User] = field(default_factory=dict)

    def __getitem__(self, role: str) -> User:
        return self.users[role]


def make_user(username: str, role: Role, **extra: Any) -> User:
    return User.objects.create(
        username=username,
        role=role,
        password=persona_hash(),
        full_name=extra.pop("full_name", username),
        **extra,
    )


def build_world() -> World:
    district = District.objects.create(code="330106", name="西湖区", city="杭州市")
    street = Street.objects.create(district=district, code="001", name="测试街道")
    ca = Community.objects.create(street=street, code="001", name="甲社区", is_pilot=True)
    cb = Community.objects.create(street=street, code="002", name="乙社区")
    a1 = make_grid(ca, "001", 120.120, 30.270)
    a2 = make_grid(ca, "002", 120.125, 30.270)
    b1 = make_grid(cb, "001", 120.130, 30.270)
    street_office = Department.objects.create(
        name="测试街道办事处", short_name="街道办", kind=DepartmentKind.STREET_OFFICE, street=street
    )
    chengguan = Department.objects.create(
        name="西湖区城管局", short_name="城管", kind=DepartmentKind.GOVERNMENT
    )
    Department.objects.create(
        name="甲社区居委会",
        short_name="甲社区",
        kind=DepartmentKind.COMMUNITY,
        community=ca,
        parent=street_office,
        level=HandlingLevel.COMMUNITY,
    )
    ResponsibilityRule.objects.create(category_code="01", unit=chengguan)
    building = Building.objects.create(grid=a1, name="1幢", lat=30.2725, lon=120.1225)
    household = Household.objects.create(building=building, unit="1单元", room="101")

    tags_ensure_defaults()  # flushed away in transactional (browser) tests
    world = World(district, street, ca, cb, a1, a2, b1, chengguan, street_office)
    for role in Role:
        world.users[role.value] = make_user(
            role.value, role, is_staff=role == Role.SYSADMIN, is_superuser=role == Role.SYSADMIN
        )
    Resident.objects.create(
        household=household,
        full_name="王秀英",
        sex="F",
        birth_year=1946,
        user=world.users[Role.RESIDENT],
    )
    memberships: list[tuple[Role, MembershipKind, dict[str, Any]]] = [
        (Role.GRID_WORKER, MembershipKind.GRID_WORKER, {"grid": a1}),
        (Role.VOLUNTEER, MembershipKind.GRID_VOLUNTEER, {"grid": a1}),
        (Role.COMMUNITY_WORKER, MembershipKind.COMMUNITY_WORKER, {"community": ca}),
        (Role.SECRETARY, MembershipKind.SECRETARY, {"community": ca}),
        (Role.DEPT_OFFICER, MembershipKind.DEPT_OFFICER, {"department": chengguan}),
        (Role.STREET_ADMIN, MembershipKind.STREET_ADMIN, {"street": street}),
    ]
    for role, kind, place in memberships:
        Membership.objects.create(user=world.users[role], kind=kind, **place)
    return world


@contextmanager
def rolled_back(django_db_blocker: Any) -> Iterator[None]:
    """A transaction around data shared by several tests (a module's world), rolled back when
    the block ends. Each test inside still runs in its own savepoint (it asks for `db`), so
    what one test writes is undone before the next. Not for transactional tests."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
    try:
        yield
    finally:
        with django_db_blocker.unblock():
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
