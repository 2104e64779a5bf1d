"""A small matching world on top of the test world: volunteers of community A with skills
and weekly hours (every day 08:00-20:00), a venue, the resident 王秀英 (in 1幢, grid A1) and
ways to publish needs and walk them through the real services."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.roles import Role
from linli.ledger.models import PointRule
from linli.matching.choices import ResourceKind
from linli.matching.models import Resource
from linli.matching.services import needs as need_steps
from linli.matching.services import pool
from linli.testing.world import World, make_user

EVERY_DAY = [[d, "08:00", "20:00"] for d in range(7)]


@dataclass
class MatchWorld:
    world: World
    volunteers: dict[str, Resource] = field(default_factory=dict)

    def __getitem__(self, role: str) -> Any:
        return self.world[role]


def add_volunteer(
    mw: MatchWorld,
    username: str,
    *,
    skill: str = "repair",
    skills: list[str] | None = None,
    lat: float = 30.2725,
    lon: float = 120.1225,
    hours: list[list[Any]] | None = None,
    capacity: int = 1,
) -> Resource:
    w = mw.world
    user = w.users.get(username) or make_user(username, Role.VOLUNTEER, full_name=username)
    w.users[username] = user
    if not Membership.objects.filter(user=user, grid=w.grid_a1).exists():
        Membership.objects.create(user=user, kind=MembershipKind.GRID_VOLUNTEER, grid=w.grid_a1)
    resource = pool.resource_create(
        actor=w["community_worker"],
        data=pool.ResourceInput(
            kind=ResourceKind.PERSON,
            name=f"{username}·志愿者",
            category=skill,
            skills=skills or [],
            community_id=w.community_a.pk,
            grid_id=w.grid_a1.pk,
            lat=lat,
            lon=lon,
            hours=EVERY_DAY if hours is None else hours,
            capacity=capacity,
        ),
    )
    Resource.objects.filter(pk=resource.pk).update(owner_user=user)
    resource.refresh_from_db()
    mw.volunteers[username] = resource
    return resource


def match_world(world: World) -> MatchWorld:
    mw = MatchWorld(world)
    add_volunteer(mw, "volunteer")
    PointRule.objects.get_or_create(
        code="partner_contribution", defaults={"name": "社区合伙人贡献", "points": 1}
    )
    return mw


def tomorrow(hour: int, minute: int = 0, days: int = 1) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_current_timezone())


def publish(mw: MatchWorld, actor: Any = None, **changes: Any):
    data = {
        "skill": "repair",
        "title": "冰箱不制冷,需要家电维修志愿者",
        "starts_at": tomorrow(9),
        "ends_at": tomorrow(10),
        **changes,
    }
    return need_steps.need_publish(actor=actor or mw["resident"], data=need_steps.NeedInput(**data))


def window() -> tuple[dt.datetime, dt.datetime]:
    return tomorrow(0), tomorrow(0, days=3)
