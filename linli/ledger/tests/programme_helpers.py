"""Builders for the programme tests (time bank, points, funds, sharing)."""

import datetime as dt
import uuid
from typing import Any

from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.roles import Role
from linli.geo.models import Building, Household
from linli.ledger.choices import Book
from linli.ledger.models import Account, PointRule, Reward
from linli.ledger.selectors import ledger_verify
from linli.ledger.services.common import points_issuer, time_issuer
from linli.ledger.services.posting import account_for_user, transaction_post
from linli.people.models import Resident
from linli.testing.world import World, make_user


def key() -> str:
    return uuid.uuid4().hex


def today() -> dt.date:
    return timezone.localdate()


def balance(user: Any, book: str) -> int:
    account = Account.objects.filter(user_id=user.pk, book=book).first()
    return account.balance if account else 0


def give_time(world: World, user: Any, minutes: int) -> None:
    transaction_post(
        actor=None,
        idempotency_key=f"test-time-{key()}",
        kind="timebank.deposit",
        memo="测试存入",
        legs=[
            (time_issuer(world.community_a), -minutes),
            (account_for_user(user=user, book=Book.TIME), minutes),
        ],
    )


def give_points(user: Any, points: int) -> None:
    transaction_post(
        actor=None,
        idempotency_key=f"test-points-{key()}",
        kind="points.award",
        memo="测试积分",
        legs=[(points_issuer(), -points), (account_for_user(user=user, book=Book.POINTS), points)],
    )


def resident_user(
    world: World, username: str, *, grid: Any = None, role: Role = Role.RESIDENT
) -> User:
    """A user living in `grid` (default a1), with a resident record."""
    grid = grid or world.grid_a1
    building, _ = Building.objects.get_or_create(
        grid=grid, name=f"{grid.code}号楼", defaults={"lat": 30.27, "lon": 120.12}
    )
    household = Household.objects.create(building=building, unit="1单元", room=f"{username}室")
    user = make_user(username, role)
    Resident.objects.create(
        household=household, full_name=f"{username}姓名", sex="F", birth_year=1950, user=user
    )
    return user


def elder_without_phone(world: World) -> Resident:
    building = Building.objects.get(grid=world.grid_a1, name="1幢")
    household = Household.objects.create(building=building, unit="1单元", room="102")
    return Resident.objects.create(
        household=household, full_name="李大爷", sex="M", birth_year=1938
    )


def worker_of_b(world: World, role: Role = Role.COMMUNITY_WORKER) -> User:
    user = make_user(f"b_{role.value}", role)
    kind = MembershipKind.SECRETARY if role == Role.SECRETARY else MembershipKind.COMMUNITY_WORKER
    Membership.objects.create(user=user, kind=kind, community=world.community_b)
    return user


def rule(code: str = "vote", points: int = 10, daily_cap: int | None = None) -> PointRule:
    return PointRule.objects.create(
        code=code, name=f"规则{code}", points=points, daily_cap=daily_cap
    )


def reward(world: World, *, price: int = 50, stock: int = 5, name: str = "理发券") -> Reward:
    return Reward.objects.create(
        community=world.community_a,
        name=name,
        points_price=price,
        stock=stock,
        merchant=world["partner"],
    )


def assert_ledger_ok() -> None:
    result = ledger_verify()
    assert result.ok, result.breaks
