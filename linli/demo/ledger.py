"""Demo data for the ledger (LEDGER-1..4), called by the demo builder (services.py) after the
accounts exist. Deterministic and safe to run again: every write goes through the services with a
fixed request key, so a second run returns the first results and posts nothing new."""

import contextlib
import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import User
from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.geo.models import Community, Street
from linli.ledger.models import (
    DonorKind,
    ItemKind,
    PointRule,
    Project,
    ProjectStatus,
    Reward,
    ServiceRecord,
    ShareItem,
)
from linli.ledger.services.funds import (
    donation_record,
    matching_cap_set,
    project_decide,
    project_disburse,
    project_propose,
)
from linli.ledger.services.points import points_award
from linli.ledger.services.sharing import (
    economy_income_record,
    rental_record,
    share_item_create,
)
from linli.ledger.services.timebank import (
    servable_residents,
    service_record_confirm,
    service_record_create,
)

RULES = [
    # code, name, points, daily cap
    ("volunteer_hour", "志愿服务(每小时)", 10, 80),
    ("meeting", "参加居民议事会", 20, 20),
    ("vote", "参与投票", 5, 10),
    ("observer", "轮值观察员(每次)", 30, None),
]
REWARDS = [
    ("理发券", "社区理发店剪发一次", 50, 30),
    ("物业费抵扣10元", "下期物业费抵扣 10 元", 100, 50),
    ("家政服务一小时", "合作家政公司上门服务 1 小时", 200, 10),
]
DONATIONS = [
    # key, donor, kind, fen, anonymous
    ("demo-donation-1", "西溪科技有限公司", DonorKind.ENTERPRISE, 3_000_000, False),
    ("demo-donation-2", "王秀英等 12 户居民", DonorKind.RESIDENT, 360_000, False),
    ("demo-donation-3", "一位热心居民", DonorKind.RESIDENT, 50_000, True),
]
SERVICES = [("陪同就医", 120), ("买菜送餐", 60), ("打扫卫生", 90), ("读报聊天", 60)]


def _user(username: str) -> User | None:
    return User.objects.filter(username=username, is_active=True).first()


def _focus_community(street: Street, volunteer: User | None) -> Community | None:
    if volunteer is not None:
        m = (
            volunteer.memberships.filter(kind=MembershipKind.GRID_VOLUNTEER)
            .select_related("grid__community")
            .first()
        )
        if m is not None and m.grid is not None:
            return m.grid.community
    return Community.objects.filter(street=street).order_by("code").first()


@transaction.atomic
def seed_ledger(*, street: Street) -> dict[str, int]:
    """Rules, a rewards catalogue, a fund with donations, matching and a project, confirmed
    volunteer hours, points, a shared item. Returns what exists afterwards."""
    volunteer = _user(Role.VOLUNTEER.value)
    community = _focus_community(street, volunteer)
    if community is None:
        return {}
    for code, name, points, cap in RULES:
        PointRule.objects.get_or_create(
            code=code, defaults={"name": name, "points": points, "daily_cap": cap}
        )
    partner = _user(Role.PARTNER.value)
    if partner is not None:
        for name, description, price, stock in REWARDS:
            Reward.objects.get_or_create(
                community=community,
                name=name,
                defaults={
                    "description": description,
                    "points_price": price,
                    "stock": stock,
                    "merchant": partner,
                },
            )
    _funds(community)
    _time_bank(volunteer)
    _points()
    _sharing()
    return {
        "point_rules": PointRule.objects.count(),
        "rewards": Reward.objects.filter(community=community).count(),
        "service_records": ServiceRecord.objects.count(),
        "projects": Project.objects.filter(community=community).count(),
        "share_items": ShareItem.objects.filter(community=community).count(),
    }


def _funds(community: Community) -> None:
    worker, secretary, street_admin = (
        _user(Role.COMMUNITY_WORKER.value),
        _user(Role.SECRETARY.value),
        _user(Role.STREET_ADMIN.value),
    )
    if worker is None or street_admin is None:
        return
    today = timezone.localdate()
    matching_cap_set(actor=street_admin, community=community, year=today.year, cap=2_000_000)
    for key, donor, kind, fen, anonymous in DONATIONS:
        donation_record(
            actor=worker,
            community=community,
            donor_name=donor,
            donor_kind=kind,
            amount=fen,
            anonymous=anonymous,
            received_on=today,
            idempotency_key=key,
        )
    handrails = project_propose(
        actor=worker,
        community=community,
        name="老旧小区楼道加装扶手",
        description="为 6 幢无电梯老楼加装楼道扶手",
        budget=3_000_000,
        idempotency_key="demo-project-handrails",
    )
    if secretary is not None and handrails.status == ProjectStatus.PROPOSED:
        handrails = project_decide(actor=secretary, project=handrails, approve=True)
    if handrails.status == ProjectStatus.APPROVED:
        project_disburse(
            actor=worker,
            project=handrails,
            amount=1_200_000,
            memo="首期材料款",
            idempotency_key="demo-disburse-handrails-1",
        )
    project_propose(
        actor=worker,
        community=community,
        name="社区共享书屋",
        description="改造闲置活动室为共享书屋",
        budget=6_000_000,
        idempotency_key="demo-project-library",
    )  # above the threshold: waits for the street office
    economy_income_record(
        actor=worker,
        community=community,
        source="活动室场地租赁(10月)",
        amount=120_000,
        idempotency_key="demo-economy-2026-10",
    )


def _time_bank(volunteer: User | None) -> None:
    """Confirmed hours for the demo volunteer (the grid worker confirms for the elders), and
    one record waiting for the "resident" login to confirm."""
    if volunteer is None:
        return
    grid_worker, login = _user(Role.GRID_WORKER.value), _user(Role.RESIDENT.value)
    servable = sorted(servable_residents(volunteer, purpose="演示数据"), key=lambda r: r.id)
    elders = [r for r in servable if r.user_id is None][: len(SERVICES) - 1]
    mine = next((r for r in servable if login is not None and r.user_id == login.pk), None)
    served = [*elders, *([mine] if mine is not None else [])]
    today = timezone.localdate()
    for i, (resident, (service, minutes)) in enumerate(zip(served, SERVICES, strict=False)):
        record = service_record_create(
            actor=volunteer,
            resident=resident,
            served_on=today - dt.timedelta(days=len(SERVICES) - i),
            minutes=minutes,
            service=service,
            idempotency_key=f"demo-record-{i + 1}",
        )
        if resident.user_id is None and grid_worker is not None:
            _quietly(lambda r=record: service_record_confirm(actor=grid_worker, record=r))


def _points() -> None:
    resident = _user(Role.RESIDENT.value)
    if resident is None:
        return
    for month in ("2026-08", "2026-09", "2026-10", "2026-11"):
        _quietly(
            lambda m=month: points_award(
                actor=None,
                user=resident,
                rule_code="observer",
                source_key=f"demo:observer:{m}:user:{resident.pk}",
                memo=f"{m} 轮值观察员",
            )
        )


def _sharing() -> None:
    owner, renter = _user(Role.RESIDENT.value), _user(Role.VOLUNTEER.value)
    if owner is None:
        return
    drill = ShareItem.objects.filter(owner=owner, title="电钻").first()
    if drill is None:
        drill = share_item_create(
            actor=owner,
            kind=ItemKind.TOOL,
            title="电钻",
            description="博世电钻,带钻头一套",
            price=500,
        )
    if renter is not None:
        _quietly(
            lambda: rental_record(
                actor=renter, item=drill, days=2, idempotency_key="demo-rental-drill-1"
            )
        )


def _quietly(action: Any) -> None:
    """Demo data must not stop the build when a rule (e.g. a daily cap) says no."""
    with contextlib.suppress(ApplicationError), transaction.atomic():
        action()
