"""The resource pool, needs, a sent matching run, bookings with a month of history and
partners in the demo street (MATCH-1..5), built through the real services where the demo's
"now" allows it; the past month of bookings is written as history (a booking service refuses
the past, on purpose)."""

import contextlib
import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.geo.models import Community, Grid, Street
from linli.ledger.models import PointRule
from linli.matching.availability import within_hours
from linli.matching.choices import BookingStatus, CalendarRule, ResourceKind, Skill
from linli.matching.models import Booking, Need, Resource
from linli.matching.services import needs as need_steps
from linli.matching.services import partners, pool, runs
from linli.matching.services.bookings import booking_series
from linli.people.selectors import residents_brief

SKILLS = [Skill.REPAIR, Skill.CARE, Skill.ERRAND, Skill.HAIRCUT, Skill.MEDICAL, Skill.TUTOR]
VENUES = [
    ("社区活动室", 40, [[d, "08:30", "21:00"] for d in range(7)], CalendarRule.ALL, ""),
    ("党群服务中心会议室", 20, [[d, "09:00", "17:30"] for d in range(5)], CalendarRule.WORKING, ""),
    # A school playground after class and at weekends (§3.2): 资源换服务.
    (
        "实验小学操场(课后开放)",
        200,
        [[d, "16:30", "20:00"] for d in range(5)] + [[d, "08:00", "18:00"] for d in (5, 6)],
        CalendarRule.ALL,
        "使用后清理场地;每月为学校提供 2 小时志愿服务",
    ),
    ("老年食堂多功能厅", 60, [[d, "14:00", "17:00"] for d in range(7)], CalendarRule.ALL, ""),
]
NEEDS = [
    (Skill.REPAIR, "冰箱不制冷,想请人看看"),
    (Skill.CARE, "周末陪老人去医院复查"),
    (Skill.ERRAND, "帮忙买一周的米和油"),
    (Skill.HAIRCUT, "行动不便,想请人上门理发"),
    (Skill.REPAIR, "楼道灯和家里插座坏了"),
    (Skill.TUTOR, "孩子数学作业需要辅导"),
    (Skill.MEDICAL, "想测血压血糖"),
    (Skill.CARE, "术后需要有人陪护半天"),
]
PARTNERS = [
    ("好邻居便利店", "business", 6, 2, "免费修伞、磨刀"),
    ("阳光社工服务中心", "social", 20, 3, "老年人防诈骗讲座"),
    ("绿城物业", "property", 30, 9, "借用物业会议室"),
]


def _staff(community: Community) -> User | None:
    m = (
        Membership.objects.filter(community=community, kind=MembershipKind.COMMUNITY_WORKER)
        .select_related("user")
        .first()
    )
    return m.user if m is not None else User.objects.filter(role=Role.SYSADMIN).first()


def _centre(grid: Grid) -> tuple[float, float]:
    return (grid.min_lat + grid.max_lat) / 2, (grid.min_lon + grid.max_lon) / 2


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour, minute), timezone.get_current_timezone())


@transaction.atomic
def seed_matching(*, street: Street, seed: int = 7) -> dict[str, int]:
    rng = random.Random(seed)
    PointRule.objects.get_or_create(
        code=partners.POINT_RULE, defaults={"name": "社区合伙人贡献", "points": 1}
    )
    partner_user = User.objects.filter(username=Role.PARTNER.value).first()
    for community in Community.objects.filter(street=street).order_by("code"):
        staff = _staff(community)
        if staff is None:
            continue
        _pool(community, staff, rng)
        _partners(community, staff, partner_user if community.is_pilot else None)
        _bookings(community, staff, rng)
        _needs(community, staff, rng)
    return {
        "resources": Resource.objects.filter(community__street=street).count(),
        "needs": Need.objects.filter(community__street=street).count(),
        "bookings": Booking.objects.filter(resource__community__street=street).count(),
    }


def _pool(community: Community, staff: User, rng: random.Random) -> None:
    grids = list(Grid.objects.filter(community=community).order_by("code"))
    volunteers = (
        Membership.objects.filter(grid__in=grids, kind=MembershipKind.GRID_VOLUNTEER)
        .select_related("user", "grid")
        .order_by("user__username")
    )
    for n, m in enumerate(volunteers):
        if m.grid is None:
            continue
        lat, lon = _centre(m.grid)
        skill = SKILLS[n % len(SKILLS)]
        r = pool.resource_create(
            actor=staff,
            data=pool.ResourceInput(
                kind=ResourceKind.PERSON,
                name=f"{m.user.display_name}·{skill.label}",
                category=skill,
                skills=[SKILLS[(n + 2) % len(SKILLS)]],
                community_id=community.pk,
                grid_id=m.grid_id,
                lat=lat + rng.uniform(-0.001, 0.001),
                lon=lon + rng.uniform(-0.001, 0.001),
                hours=[[d, "08:00", "20:00"] for d in range(7) if (d + n) % 3],
            ),
        )
        # The person is the resource's owner: their invitations, their hours.
        Resource.objects.filter(pk=r.pk).update(
            owner_user=m.user, served_count=rng.randint(0, 12), no_show_count=rng.randint(0, 2)
        )
    centre = _centre(grids[0]) if grids else (None, None)
    for name, cap, hours, rule, conditions in VENUES:
        pool.resource_create(
            actor=staff,
            data=pool.ResourceInput(
                kind=ResourceKind.VENUE,
                name=name,
                category=Skill.SPORTS if "操场" in name else Skill.MEETING,
                community_id=community.pk,
                capacity=cap,
                hours=hours,
                calendar_rule=rule,
                conditions=conditions,
                lat=centre[0],
                lon=centre[1],
            ),
        )
    pool.resource_create(
        actor=staff,
        data=pool.ResourceInput(
            kind=ResourceKind.GOODS,
            name="轮椅借用(2 台)",
            category=Skill.GOODS,
            community_id=community.pk,
            capacity=2,
            hours=[[d, "09:00", "17:00"] for d in range(5)],
            conditions="押金 0 元,7 天内归还",
        ),
    )


def _partners(community: Community, staff: User, partner_user: User | None) -> None:
    for n, (name, kind, total, local, gift) in enumerate(PARTNERS):
        p = partners.partner_save(
            actor=staff,
            community_id=community.pk,
            name=name,
            kind=kind,
            posts_total=total,
            posts_local=local,
            username=partner_user.username if partner_user is not None and n == 0 else "",
        )
        if p.user_id is not None:
            partners.contribution_record(
                actor=staff, partner_id=p.pk, kind="service", description=gift, value_fen=0
            )
            partners.contribution_record(
                actor=staff,
                partner_id=p.pk,
                kind="goods",
                description="重阳节慰问品",
                value_fen=120_000,
            )
            pool.resource_create(
                actor=partner_user,
                data=pool.ResourceInput(
                    kind=ResourceKind.SERVICE,
                    name=f"{name}·{gift}",
                    category=Skill.REPAIR,
                    partner_id=p.pk,
                    hours=[[d, "09:00", "18:00"] for d in range(7)],
                    conditions="每次记 2 积分",
                    points_asked=2,
                ),
            )  # waits for staff approval: the demo's pending item


def _bookings(community: Community, staff: User, rng: random.Random) -> None:
    today = timezone.localdate()
    venues = list(Resource.objects.filter(community=community, kind=ResourceKind.VENUE))
    rows: list[Booking] = []
    for v in venues:
        # Busy rooms and one that stands mostly idle (the change-of-use flag, §5.3).
        share = 0.15 if "多功能厅" in v.name else 0.45 if "操场" in v.name else 0.9
        for back in range(30, 0, -1):
            day = today - dt.timedelta(days=back)
            for hour in (9, 11, 14, 16, 17, 19):
                start = _at(day, hour)
                end = start + dt.timedelta(hours=2)
                if rows and rows[-1].resource is v and rows[-1].ends_at > start:
                    continue
                if rng.random() < share and within_hours(v, start, end):
                    rows.append(
                        Booking(
                            resource=v,
                            booked_by=staff,
                            starts_at=start,
                            ends_at=end,
                            people=min(v.capacity, 10),
                            purpose=rng.choice(
                                ["书法班", "合唱排练", "议事协商会", "广场舞", "亲子阅读"]
                            ),
                            status=BookingStatus.DONE,
                            checked_in_at=start,
                            used_people=min(v.capacity, rng.randint(5, 15)),
                        )
                    )
    Booking.objects.bulk_create(rows)
    # The venues have been in the pool longer than the year of history (demo.evaluation
    # books them month by month through the services).
    Resource.objects.filter(pk__in=[v.pk for v in venues]).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    room = next((v for v in venues if v.name == "社区活动室"), None)
    if room is not None:
        tomorrow = today + dt.timedelta(days=1)
        # A demo rebuilt late in the day may find no bookable date: history is enough.
        with contextlib.suppress(ApplicationError):
            booking_series(
                actor=staff,
                resource_id=room.pk,
                starts_at=_at(tomorrow, 9),
                ends_at=_at(tomorrow, 11),
                weeks=4,
                people=20,
                purpose="老年大学书法班",
            )


def _needs(community: Community, staff: User, rng: random.Random) -> None:
    briefs = list(
        residents_brief(
            actor=staff, purpose="演示数据", community_id=community.pk, limit=40
        ).values()
    )
    if not briefs:
        return
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    for n, (skill, title) in enumerate(NEEDS):
        who = briefs[n % len(briefs)]
        start = _at(tomorrow + dt.timedelta(days=n % 3), 9 + (n % 4) * 2)
        try:
            need_steps.need_publish(
                actor=staff,
                data=need_steps.NeedInput(
                    skill=skill,
                    title=title,
                    starts_at=start,
                    ends_at=start + dt.timedelta(hours=1 + n % 2),
                    urgent=n == 1,
                    resident_id=who.id,
                ),
            )
        except ApplicationError:
            continue
    if community.is_pilot:
        # The pilot community's run is sent, so volunteers have invitations to answer;
        # the other communities' open needs wait for staff to run matching.
        run = runs.matching_run(
            actor=staff,
            community_id=community.pk,
            window_start=timezone.now(),
            window_end=timezone.now() + dt.timedelta(days=7),
        )
        runs.run_send(actor=staff, run_id=run.pk)
