"""A deliberation world on top of the test world: community A's building 2幢 with households
of two adults (each with an account) and a child, plus 王秀英's home in 1幢; a household
assembly, a committee of members and ways to open and close votes through the services."""

import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone
from PIL import Image

from linli.core.roles import Role
from linli.deliberation.choices import BodyKind, Electorate
from linli.deliberation.models import Body, ThresholdRule, Vote
from linli.deliberation.services import votes
from linli.deliberation.services.common import rules_ensure_defaults
from linli.geo.models import Building, Household
from linli.people.models import Resident
from linli.testing.world import World, make_user


@dataclass
class DelibWorld:
    world: World
    homes: list[Household]
    adults: dict[int, list[Any]] = field(default_factory=dict)  # household id → users

    def __getitem__(self, role: str) -> Any:
        return self.world[role]


def delib_world(world: World, homes: int = 3) -> DelibWorld:
    rules_ensure_defaults()
    building = Building.objects.create(grid=world.grid_a1, name="2幢", lat=30.2726, lon=120.1226)
    dw = DelibWorld(world, [])
    wang_home = Household.objects.get(building__name="1幢", room="101")
    dw.homes.append(wang_home)
    dw.adults[wang_home.pk] = [world["resident"]]
    for i in range(homes):
        h = Household.objects.create(building=building, unit="1单元", room=f"{i + 1}01")
        dw.homes.append(h)
        dw.adults[h.pk] = []
        for j, year in enumerate((1970, 1972)):
            user = make_user(f"h{i}p{j}", Role.RESIDENT, full_name=f"住户{i}-{j}")
            Resident.objects.create(
                household=h, full_name=f"住户{i}-{j}", sex="M", birth_year=year, user=user
            )
            dw.adults[h.pk].append(user)
        Resident.objects.create(household=h, full_name=f"孩子{i}", sex="F", birth_year=2015)
    return dw


def assembly(dw: DelibWorld) -> Body:
    return votes.body_create(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        kind=BodyKind.ASSEMBLY,
        name="甲社区户主大会",
        electorate=Electorate.HOUSEHOLDS,
    )


def committee(dw: DelibWorld, members: int = 3) -> Body:
    body = votes.body_create(
        actor=dw["secretary"],
        community_id=dw.world.community_a.pk,
        kind=BodyKind.COMMITTEE,
        name="甲社区治理委员会",
        electorate=Electorate.MEMBERS,
    )
    people = Resident.objects.filter(household__in=dw.homes[1:]).exclude(user=None)
    for r in people.order_by("pk")[:members]:
        votes.member_add(actor=dw["secretary"], body=body, resident_id=r.pk)
    return body


def rule(code: str) -> ThresholdRule:
    return ThresholdRule.objects.get(code=code)


def draft(dw: DelibWorld, body: Body, code: str = "simple-majority", **kw: Any) -> Vote:
    now = timezone.now()
    data: dict[str, Any] = {
        "question": "是否同意加装电梯",
        "rule_id": rule(code).pk,
        "opens_at": now - dt.timedelta(minutes=1),
        "closes_at": now + dt.timedelta(hours=1),
        **kw,
    }
    return votes.vote_create(actor=dw["secretary"], body=body, **data)


def opened(dw: DelibWorld, body: Body, code: str = "simple-majority", **kw: Any) -> Vote:
    return votes.vote_open(actor=dw["secretary"], vote=draft(dw, body, code, **kw))


def sheet_photo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 200, 200)).save(out, "JPEG")
    return out.getvalue()
