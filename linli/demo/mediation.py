"""A year of disputes in the demo street, in every stage (MEDIATE-1..2): mediators for each
community and the street, disputes moved through the real services, then their stage times
spread over the year (each service stamps "now"; a year of history needs earlier times)."""

import datetime as dt
import random

from django.db.models import F
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.calendar.selectors import add_working_days
from linli.core.roles import Role
from linli.demo.accounts import MEDIATOR_KINDS
from linli.geo.models import Community, Street
from linli.mediation.choices import DisputeType, MediatorKind, Side, Source, Stage, Status
from linli.mediation.models import (
    Agreement,
    Dispute,
    FollowUp,
    MediationSession,
    Mediator,
    StageStamp,
)
from linli.mediation.scheduled import mediation_sweep
from linli.mediation.services import agreement as agreements
from linli.mediation.services import disputes as steps
from linli.people.models import Resident

COUNT = 72
STORIES: dict[str, tuple[str, str]] = {
    DisputeType.NOISE: (
        "楼上夜间拖动家具、小孩跑跳,楼下老人无法入睡",
        "晚上十点后不拖动家具,地面铺设地垫",
    ),
    DisputeType.PARKING: (
        "私家车长期占用消防通道旁车位,邻居出行受阻",
        "不再占用通道旁车位,车辆停入指定车位",
    ),
    DisputeType.PROPERTY_FEE: (
        "业主以电梯维修不及时为由拒交物业费两年",
        "物业七日内修复电梯,业主补交物业费",
    ),
    DisputeType.NEIGHBOURS: (
        "楼道堆放杂物引发争吵,双方互不相让",
        "三日内清理楼道杂物,今后不再堆放",
    ),
    DisputeType.FAMILY: ("子女对老人赡养费分担有分歧", "每人每月支付赡养费六百元,轮流陪同就医"),
    DisputeType.PETS: ("犬只夜间吠叫并在楼道便溺", "夜间将犬只关在室内,外出牵绳并清理粪便"),
    DisputeType.RENOVATION: ("装修噪音超时施工,并损坏楼下吊顶", "按规定时段施工,赔偿吊顶修复费用"),
    DisputeType.LEAKAGE: ("楼上卫生间漏水,楼下天花板发霉", "十日内维修防水层,承担楼下粉刷费用"),
}
# How a concluded dispute ended, weighted as reported in practice (success near 90%).
ENDINGS = [Status.AGREED] * 17 + [Status.FAILED, Status.WITHDRAWN]
# The newest disputes, fixed so that the demo has one in every open status, a declined one
# and two overdue ones (not accepted in 3 working days; not concluded in 30): (age, status).
NEWEST = [
    (60, Status.MEDIATING),
    (9, Status.REGISTERED),
    (8, Status.DECLINED),
    (6, Status.ACCEPTED),
    (5, Status.INVESTIGATING),
    (4, Status.MEDIATING),
    (3, Status.ASSESSING),
    (1, Status.REGISTERED),
]
# The street mediators' specialities (none: a generalist who takes any type).
SPECIALITIES: dict[str, list[str]] = {
    MediatorKind.JUDICIAL: [],
    MediatorKind.POLICE: [DisputeType.NOISE, DisputeType.PARKING, DisputeType.PETS],
    MediatorKind.LAWYER: [DisputeType.PROPERTY_FEE, DisputeType.FAMILY, DisputeType.LEAKAGE],
}
# Days after registration at which each stage is reached.
OFFSETS = {
    Stage.REGISTERED: 0,
    Stage.ACCEPTED: 1,
    Stage.INVESTIGATION: 3,
    Stage.SESSIONS: 7,
    Stage.ASSESSMENT: 10,
    Stage.CONCLUDED: 14,
    Stage.FOLLOW_UP_30: 46,
    Stage.FOLLOW_UP_90: 106,
    Stage.ARCHIVED: 110,
}


def _mediators(street: Street) -> list[Mediator]:
    """The persona `mediator` for the focus community (the secretary's), `med_<code>` in
    every other community, and the street's judicial, police and lawyer mediators (the demo
    accounts made them; here they get their places and specialities)."""
    out = []
    secretary = Membership.objects.filter(
        kind=MembershipKind.SECRETARY, user__username="secretary"
    ).first()
    users = User.objects.filter(role=Role.MEDIATOR).in_bulk(field_name="username")
    for community in Community.objects.filter(street=street).order_by("code"):
        focus = secretary is not None and secretary.community_id == community.pk
        user = users.get("mediator" if focus else f"med_{community.code}")
        if user is not None:
            out.append(
                Mediator.objects.get_or_create(
                    user=user, defaults={"kind": MediatorKind.COMMUNITY, "community": community}
                )[0]
            )
    for kind in MEDIATOR_KINDS:
        user = users.get(f"med_{kind}")
        if user is not None:
            out.append(
                Mediator.objects.get_or_create(
                    user=user,
                    defaults={"kind": kind, "street": street, "specialities": SPECIALITIES[kind]},
                )[0]
            )
    return out


def _intake_actor(community: Community) -> User:
    for kind in (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY):
        m = Membership.objects.filter(kind=kind, community=community).select_related("user")
        if m.exists():
            return m.first().user  # type: ignore[union-attr]
    return User.objects.filter(role=Role.SYSADMIN).order_by("pk").first()  # type: ignore[return-value]


def _target(age_days: int, rng: random.Random) -> str:
    if age_days < 1:
        return Status.REGISTERED
    if age_days < 3:
        return Status.ACCEPTED
    if age_days < 7:
        return Status.INVESTIGATING
    if age_days < 14:
        return rng.choice([Status.MEDIATING, Status.ASSESSING])
    return rng.choice(ENDINGS)


def _walk(dispute: Dispute, target: str, age: int, rng: random.Random) -> None:
    lead = dispute.mediators.filter(lead=True).select_related("mediator__user").first()
    admin = User.objects.filter(role=Role.SYSADMIN).order_by("pk").first()
    m = lead.mediator.user if lead else admin
    if target == Status.REGISTERED:
        return
    if target == Status.DECLINED:
        steps.dispute_decline(
            actor=m, dispute=dispute, reason="属于劳动争议,已引导当事人申请劳动仲裁"
        )
        return
    if target == Status.WITHDRAWN and rng.random() < 0.5:
        steps.dispute_withdraw(actor=m, dispute=dispute, reason="双方已自行协商解决")
        return
    steps.dispute_accept(actor=m, dispute=dispute)
    if target == Status.ACCEPTED:
        return
    if rng.random() < 0.6 or target == Status.INVESTIGATING:
        steps.dispute_investigate(actor=m, dispute=dispute, note="分别走访双方及楼栋长")
    if target == Status.INVESTIGATING:
        return
    if target == Status.WITHDRAWN:
        steps.dispute_withdraw(actor=m, dispute=dispute, reason="申请人撤回调解申请")
        return
    names = "、".join(p.display_name for p in dispute.parties.all())
    steps.dispute_session(
        actor=m,
        dispute=dispute,
        held_at=timezone.now(),
        attendees=f"{names}、楼栋长",
        notes="双方陈述各自诉求,调解员释法说理,双方同意各让一步",
        place="社区调解室",
    )
    if target == Status.ASSESSING or (target == Status.AGREED and rng.random() < 0.15):
        steps.dispute_assess(actor=m, dispute=dispute, note="委托第三方检测,结论已告知双方")
    if target in (Status.MEDIATING, Status.ASSESSING):
        return
    if target == Status.FAILED:
        steps.dispute_fail(actor=m, dispute=dispute, reason="被申请人不同意调解方案")
        return
    story = STORIES.get(dispute.type, STORIES[DisputeType.NEIGHBOURS])
    respondent = dispute.parties.filter(side=Side.RESPONDENT).first()
    assert respondent is not None
    agreements.dispute_agree(
        actor=m,
        dispute=dispute,
        facts=story[0],
        obligations=[agreements.ObligationInput(party_id=respondent.pk, duty=story[1])],
        court_confirmation=rng.random() < 0.2,
    )
    if age >= OFFSETS[Stage.FOLLOW_UP_30]:
        steps.dispute_follow_up(actor=m, dispute=dispute, fulfilment="fulfilled")
    if age >= OFFSETS[Stage.FOLLOW_UP_90]:
        fulfilment = "fulfilled" if rng.random() < 0.9 else "partly"
        steps.dispute_follow_up(actor=m, dispute=dispute, fulfilment=fulfilment)
    if age >= OFFSETS[Stage.ARCHIVED]:
        steps.dispute_archive(actor=m, dispute=dispute)


def _backdate(dispute: Dispute, start: dt.datetime) -> None:
    """Move the dispute's times to `start` + each stage's offset (never into the future)."""
    now = timezone.now()

    def at(stage: int) -> dt.datetime:
        return min(start + dt.timedelta(days=OFFSETS[Stage(stage)], hours=2), now)

    for s in StageStamp.objects.filter(dispute=dispute):
        s.at = at(s.stage)
        s.save(update_fields=["at"])
    accepted = at(Stage.ACCEPTED) if dispute.accepted_at else None
    concluded = at(Stage.CONCLUDED) if dispute.concluded_at else None
    Dispute.objects.filter(pk=dispute.pk).update(
        number=f"TJ{timezone.localdate(start):%Y%m%d}{dispute.pk:06d}",
        created_at=start,
        accept_due=add_working_days(start=start, days=steps.ACCEPT_DAYS).due,
        accepted_at=accepted,
        conclude_due=add_working_days(start=accepted, days=steps.CONCLUDE_DAYS).due
        if accepted
        else None,
        concluded_at=concluded,
    )
    MediationSession.objects.filter(dispute=dispute).update(held_at=at(Stage.SESSIONS))
    if concluded is not None:
        for visit in FollowUp.objects.filter(dispute=dispute):
            days = 30 if visit.stage == Stage.FOLLOW_UP_30 else 90
            visit.due_at = concluded + dt.timedelta(days=days)
            if visit.visited_at:
                visit.visited_at = at(visit.stage)
            visit.save(update_fields=["due_at", "visited_at"])
        signed = concluded + dt.timedelta(days=1)
        Agreement.objects.filter(dispute=dispute, court_confirmation=True).update(
            signed_at=signed,
            scan_sha256="",
            court_remind_at=signed + dt.timedelta(days=agreements.COURT_REMIND_DAY),
            court_reminded_at=F("court_remind_at"),
        )
    if dispute.recurring_of_id:
        earlier = Dispute.objects.get(pk=dispute.recurring_of_id)
        if start - earlier.created_at > steps.RECURRING_WITHIN:
            Dispute.objects.filter(pk=dispute.pk).update(recurring_of=None)


def seed_mediation(*, street: Street, seed: int = 7, now: dt.datetime | None = None) -> int:
    if Dispute.objects.filter(community__street=street).exists():
        return 0
    rng = random.Random(seed)
    now = now or timezone.now()
    _mediators(street)
    communities = list(Community.objects.filter(street=street).order_by("code"))
    types = list(STORIES)
    last_pair: dict[int, tuple[list[steps.PartyInput], str]] = {}
    for i in range(COUNT):
        age = int(365 * (COUNT - 1 - i) / (COUNT - 1))  # oldest first
        fixed = i - (COUNT - len(NEWEST))
        target = NEWEST[fixed][1] if fixed >= 0 else _target(age, rng)
        age = NEWEST[fixed][0] if fixed >= 0 else age
        community = communities[i % len(communities)]
        residents = list(
            Resident.objects.filter(household__building__grid__community=community)
            .order_by("pk")
            .values_list("pk", flat=True)[:400]
        )
        if len(residents) < 2:
            continue
        # Every tenth dispute: the same neighbours as last time in this community, again.
        if i % 10 == 9 and community.pk in last_pair:
            parties, kind = last_pair[community.pk]
        else:
            a, b = rng.sample(residents, 2)
            parties = [
                steps.PartyInput(side=Side.APPLICANT, resident_id=a),
                steps.PartyInput(side=Side.RESPONDENT, resident_id=b),
            ]
            if i % 6 == 5:  # an outside party (a tenant's landlord, a shop)
                parties[1] = steps.PartyInput(
                    side=Side.RESPONDENT, name="周老板", phone=f"1390000{i:04d}"
                )
            kind = rng.choice(types)
            last_pair[community.pk] = (parties, kind)
        actor = _intake_actor(community)
        dispute = steps.dispute_register(
            actor=actor,
            data=steps.DisputeInput(
                type=kind,
                source=[Source.WALK_IN, Source.GRID, Source.POLICE, Source.WALK_IN, Source.COURT][
                    i % 5
                ],
                description=STORIES[kind][0],
                parties=parties,
                community_id=community.pk,
            ),
        )
        _walk(dispute, target, age, rng)
        _backdate(
            Dispute.objects.get(pk=dispute.pk),
            now - dt.timedelta(days=age, hours=rng.randint(0, 8)),
        )
    mediation_sweep(now=now)
    return Dispute.objects.filter(community__street=street).count()
