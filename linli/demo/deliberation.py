"""Deliberation in the demo (VOTE-1..6, MATCH-6), in the demo resident's community: a
household assembly voting now on lift cost sharing (online ballots and confirmed paper
ballots), a committee decision and last month's service menu published, a professional topic
with its expert opinion, a joint meeting with sign-in, frozen minutes and decisions (one
overdue), and this month's observers drawn. Everything goes through the real services; past
votes are moved back in time afterwards (each service stamps "now")."""

import datetime as dt
import io
import random
from typing import Any

from django.utils import timezone
from PIL import Image

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership, User
from linli.core.roles import Role
from linli.deliberation.models import Body, ElectorVoter, ThresholdRule, Vote
from linli.deliberation.selectors import menu_venues
from linli.deliberation.services import meetings, results, topics, votes
from linli.deliberation.services.common import rules_ensure_defaults
from linli.geo.models import Community, Street
from linli.people.models import Resident


def _sheet(i: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (230, 230 - i % 40, 220)).save(out, "JPEG")
    return out.getvalue()


def _staff(community: Community, kind: str) -> User | None:
    m = Membership.objects.filter(community=community, kind=kind).select_related("user").first()
    return m.user if m is not None else None


def _backdate(vote: Vote, days: int) -> None:
    now = timezone.now()
    Vote.objects.filter(pk=vote.pk).update(
        opens_at=now - dt.timedelta(days=days + 7), closes_at=now - dt.timedelta(days=days)
    )


def _cast_some(vote: Vote, rng: random.Random, share: float, choices: list[Any]) -> None:
    units: dict[int, ElectorVoter] = {}
    for voter in ElectorVoter.objects.filter(vote=vote).exclude(user=None).order_by("pk"):
        units.setdefault(voter.elector_id, voter)
    for voter in units.values():
        if rng.random() < share:
            votes.ballot_cast(actor=voter.user, vote=vote, choice=rng.choice(choices))


def _paper_some(
    vote: Vote, rng: random.Random, share: float, staff: tuple[User, User], choices: list[Any]
) -> None:
    voted = set(vote.participations.values_list("elector_id", flat=True))
    seen: set[int] = set()
    for i, voter in enumerate(ElectorVoter.objects.filter(vote=vote).order_by("pk")):
        if voter.elector_id in voted or voter.elector_id in seen or rng.random() >= share:
            continue
        seen.add(voter.elector_id)
        entry = votes.paper_enter(
            actor=staff[0],
            vote=vote,
            voter_id=voter.pk,
            choice=rng.choice(choices),
            photo=_sheet(i),
        )
        votes.paper_confirm(actor=staff[1], vote=vote, entry_id=entry.pk)


MENU = ["义诊与血压测量", "老年人智能手机课堂", "免费理发", "书法兴趣班", "亲子手工"]


def _menu_items(secretary: Any, community_id: int, now: dt.datetime) -> list[Any]:
    """The menu's candidates; where the community has its activity room (the matching demo),
    each runs there on an evening after the vote, so the winners are booked on publication."""
    room = menu_venues(secretary, community_id).filter(name="社区活动室").first()
    if room is None:
        return list(MENU)
    tz = timezone.get_current_timezone()
    items: list[Any] = []
    for i, title in enumerate(MENU):
        day = timezone.localdate(now) + dt.timedelta(days=9 + i)
        starts = dt.datetime.combine(day, dt.time(19, 0), tz)
        items.append(
            {
                "title": title,
                "venue_id": room.pk,
                "starts_at": starts,
                "ends_at": starts + dt.timedelta(minutes=90),
            }
        )
    return items


def seed_deliberation(*, street: Street, seed: int = 7) -> int:
    resident = User.objects.filter(username=Role.RESIDENT.value).first()
    me = Resident.objects.filter(user=resident).select_related("household__building__grid").first()
    if me is None or me.household is None:
        return 0
    community = me.household.building.grid.community
    if Body.objects.filter(community=community).exists():
        return 0
    secretary = _staff(community, MembershipKind.SECRETARY)
    worker = _staff(community, MembershipKind.COMMUNITY_WORKER)
    if secretary is None or worker is None:
        return 0
    rng = random.Random(seed)
    rules_ensure_defaults()
    rule = {r.code: r.pk for r in ThresholdRule.objects.all()}
    now = timezone.now()
    week = dt.timedelta(days=7)
    assembly = votes.body_create(
        actor=secretary,
        community_id=community.pk,
        kind="assembly",
        name=f"{community.name}户主大会",
        electorate="households",
    )
    committee = votes.body_create(
        actor=secretary,
        community_id=community.pk,
        kind="committee",
        name=f"{community.name}治理委员会",
        electorate="members",
    )
    members = Resident.objects.filter(
        household__building__grid__community=community, birth_year__lte=now.year - 25
    ).order_by("pk")[:9]
    for r in members:
        votes.member_add(actor=secretary, body=committee, resident_id=r.pk)
    # A committee decision, published last month.
    past = votes.vote_open(
        actor=secretary,
        vote=votes.vote_create(
            actor=secretary,
            body=committee,
            question="将社区公益金的 3 万元用于楼道适老化扶手改造",
            rule_id=rule["committee-major"],
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + week,
        ),
    )
    _paper_some(past, rng, 1.0, (worker, secretary), ["yes"] * 6 + ["no"])
    _backdate(past, 30)
    results.vote_publish(actor=secretary, vote=Vote.objects.get(pk=past.pk))
    # Last month's service menu, published.
    menu = votes.vote_open(
        actor=secretary,
        vote=votes.vote_create(
            actor=secretary,
            body=assembly,
            question="下月邻里中心服务菜单",
            rule_id=rule["menu"],
            opens_at=now - dt.timedelta(minutes=5),
            closes_at=now + week,
            items=_menu_items(secretary, community.pk, now),
            max_choices=2,
            winners=3,
        ),
    )
    ids = list(menu.items.values_list("pk", flat=True))
    pairs = [[ids[0], ids[1]], [ids[0], ids[2]], [ids[1]], [ids[2], ids[4]], [ids[0]]]
    _cast_some(menu, rng, 0.8, pairs)
    _paper_some(menu, rng, 0.25, (worker, secretary), pairs)
    _backdate(menu, 3)
    results.vote_publish(actor=secretary, vote=Vote.objects.get(pk=menu.pk))
    # A professional topic: structural safety, with the expert's opinion; its vote is advisory.
    topic = topics.topic_raise(
        actor=resident,
        community_id=community.pk,
        title="3幢外墙出现裂缝,是否需要加固",
        text="雨后裂缝渗水,楼里老人担心安全。",
        professional="structure",
    )
    topics.topic_comment(actor=worker, topic=topic, text="已联系房屋安全鉴定站,下周上门检测。")
    topics.topic_expert_opinion(
        actor=secretary,
        topic=topic,
        expert="区房屋安全鉴定站 工程师",
        opinion="裂缝为面层温度裂缝,主体结构安全;建议一个月内修补面层并做防水。",
    )
    votes.vote_create(
        actor=secretary,
        body=assembly,
        question="外墙面层修补方案(专业事项,表决结果仅供参考)",
        rule_id=rule["simple-majority"],
        opens_at=now + dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=8),
        topic_id=topic.pk,
    )
    # Voting now: lift cost sharing, 75% of households needed.
    lift = votes.vote_open(
        actor=secretary,
        vote=votes.vote_create(
            actor=secretary,
            body=assembly,
            question="加装电梯费用分摊方案(按楼层分摊,政府补贴后每户 0.8–2.6 万元)",
            rule_id=rule["renovation-cost"],
            opens_at=now - dt.timedelta(days=2),
            closes_at=now + dt.timedelta(days=5),
        ),
    )
    # The demo resident's own household votes in the browser, so it is left out here.
    own = ElectorVoter.objects.filter(vote=lift, user=resident).values_list("elector_id", flat=True)
    others = ElectorVoter.objects.filter(vote=lift).exclude(elector_id__in=own).exclude(user=None)
    for voter in others.order_by("pk"):
        if rng.random() < 0.7:
            votes.ballot_cast(actor=voter.user, vote=lift, choice=rng.choice(["yes", "yes", "no"]))
    voted = set(lift.participations.values_list("elector_id", flat=True)) | set(own)
    pending = 0
    for i, voter in enumerate(ElectorVoter.objects.filter(vote=lift).order_by("pk")):
        if voter.elector_id in voted or rng.random() > 0.3:
            continue
        voted.add(voter.elector_id)
        entry = votes.paper_enter(
            actor=worker, vote=lift, voter_id=voter.pk, choice="yes", photo=_sheet(i)
        )
        if pending < 3:  # a few wait for the second person's check
            pending += 1
        else:
            votes.paper_confirm(actor=secretary, vote=lift, entry_id=entry.pk)
    # The monthly joint meeting: agenda, sign-in, frozen minutes, decisions (one overdue).
    meeting = meetings.meeting_create(
        actor=secretary,
        community_id=community.pk,
        kind="joint",
        title=f"{now.month}月社区联席会议",
        held_at=now - dt.timedelta(days=20),
        place="社区党群服务中心二楼会议室",
        agenda="一、加装电梯费用分摊方案\n二、垃圾分类督导\n三、下月服务菜单",
    )
    for user in (secretary, worker, resident):
        if user is not None:
            meetings.attendance_sign(actor=secretary, meeting=meeting, username=user.username)
    meetings.minutes_write(
        actor=secretary,
        meeting=meeting,
        text="会议同意将电梯费用分摊方案提交户主大会表决;垃圾分类督导由网格员轮值。",
    )
    meetings.minutes_freeze(actor=secretary, meeting=meeting)
    meetings.decision_add(
        actor=secretary,
        meeting=meeting,
        text="联系三家电梯公司报价",
        owner_username=worker.username,
        due=(now - dt.timedelta(days=3)).date(),
    )
    done = meetings.decision_add(
        actor=secretary,
        meeting=meeting,
        text="在各楼栋张贴表决公告",
        owner_username=worker.username,
        due=(now + dt.timedelta(days=5)).date(),
    )
    meetings.decision_progress(actor=worker, decision=done, text="已张贴 12 幢", done=True)
    # Observers: volunteers with accounts, this month's draw.
    volunteers = Resident.objects.filter(household__building__grid__community=community).exclude(
        user=None
    )
    for r in volunteers.order_by("pk")[:6]:
        meetings.observer_volunteer(actor=r.user)
    pool = min(2, volunteers.count())
    if pool:
        meetings.observer_draw(
            actor=secretary,
            community_id=community.pk,
            month=now.date().replace(day=1),
            count=pool,
            seed=f"{now:%Y-%m}-{community.code}",
        )
    return Vote.objects.filter(body__community=community).count()
