"""VOTE-1, VOTE-3, VOTE-4, MATCH-6: bodies and members, votes, the frozen electorate, ballots
online and on paper (one per voting unit, held by a unique constraint), the tally and the
published result. Every refusal changes nothing."""

import datetime as dt
import hashlib
import secrets
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.photos import photo_process
from linli.core.text import require_text
from linli.deliberation import policy
from linli.deliberation.choices import (
    AuditAction,
    BodyKind,
    Channel,
    Electorate,
    Option,
    TopicStatus,
    VoteKind,
    VoteStatus,
)
from linli.deliberation.models import (
    BallotBox,
    Body,
    BodyMember,
    Elector,
    ElectorVoter,
    Meeting,
    MenuItem,
    Participation,
    ThresholdRule,
    Topic,
    Vote,
)
from linli.deliberation.policy import Phase, phase
from linli.deliberation.services.common import managed_community, record, rules_ensure_defaults
from linli.deliberation.services.menu import menu_items_build
from linli.deliberation.thresholds import Rule, impossible
from linli.geo.models import Household
from linli.people.selectors import residents_brief, residents_of_households

ADULT_AGE = 18
MAX_AREA = Decimal("100000")
MAX_ITEMS = 20


# ---------------------------------------------------------------- bodies


@transaction.atomic
def body_create(
    *, actor: Any, community_id: int | None, kind: str, name: str, electorate: str
) -> Body:
    community = managed_community(actor, community_id)
    if kind not in BodyKind.values:
        raise ValidationFailed(_("请选择议事机构类别。"), field="kind")
    if electorate not in Electorate.values:
        raise ValidationFailed(_("请选择表决单位。"), field="electorate")
    name = require_text(name, field="name", label=_("名称"), max_length=60)
    if Body.objects.filter(community=community, name=name).exists():
        raise Conflict(_("本社区已有同名的议事机构。"), field="name")
    body = Body.objects.create(community=community, kind=kind, name=name, electorate=electorate)
    record(actor, AuditAction.BODY, body, step="create", electorate=electorate)
    return body


def _area(value: Any) -> Decimal:
    try:
        area = Decimal(str(value or 0)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationFailed(_("面积应为数字(平方米)。"), field="floor_area") from None
    if not Decimal(0) <= area < MAX_AREA:
        raise ValidationFailed(_("面积应在 0 到 100000 平方米之间。"), field="floor_area")
    return area


@transaction.atomic
def member_add(*, actor: Any, body: Body, resident_id: int, floor_area: Any = 0) -> BodyMember:
    """A member (or an owner with the floor area of their home) of a body of the actor's
    community; the resident must live in that community."""
    managed_community(actor, body.community_id)
    if body.electorate == Electorate.HOUSEHOLDS:
        raise ValidationFailed(_("户主大会以本社区全部住户为表决单位,无需添加成员。"))
    found = residents_brief(
        actor=actor, ids=[resident_id], purpose="议事机构成员", community_id=body.community_id
    )
    brief = found.get(resident_id)
    if brief is None:
        raise NotFound(_("本社区没有这位居民。"), field="resident_id")
    area = _area(floor_area)
    if body.electorate == Electorate.OWNERS and (brief.household_id is None or area <= 0):
        raise ValidationFailed(_("业主须有住房并填写专有面积。"), field="floor_area")
    if BodyMember.objects.filter(body=body, resident_id=resident_id).exists():
        raise Conflict(_("这位居民已是成员。"), field="resident_id")
    member = BodyMember.objects.create(
        body=body, resident_id=resident_id, household_id=brief.household_id, floor_area=area
    )
    record(actor, AuditAction.BODY, body, step="member_add", resident=resident_id)
    return member


# ---------------------------------------------------------------- votes


def _moment(value: Any, field: str) -> dt.datetime:
    if not isinstance(value, dt.datetime):
        raise ValidationFailed(_("请填写时间。"), field=field)
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    return value


@transaction.atomic
def vote_create(
    *,
    actor: Any,
    body: Body,
    question: str,
    rule_id: int | None,
    opens_at: Any,
    closes_at: Any,
    secret: bool = False,
    topic_id: int | None = None,
    meeting_id: int | None = None,
    items: Sequence[str | Mapping[str, Any]] = (),
    max_choices: int = 1,
    winners: int = 0,
    ranked: bool = False,
) -> Vote:
    """A draft vote of a body: a decision (yes / no / abstain) or, with `items`, a service
    menu vote (approval of up to `max_choices`; the `winners` most approved make the menu;
    an item may name a venue and time, booked when the result is published)."""
    managed_community(actor, body.community_id)
    rules_ensure_defaults()
    question = require_text(question, field="question", label=_("表决事项"), max_length=200)
    rule = ThresholdRule.objects.filter(pk=rule_id).first() if rule_id else None
    if rule is None:
        raise ValidationFailed(_("请选择表决规则。"), field="rule_id")
    opens, closes = _moment(opens_at, "opens_at"), _moment(closes_at, "closes_at")
    if closes <= opens:
        raise ValidationFailed(_("截止时间应晚于开始时间。"), field="closes_at")
    if closes <= timezone.now():
        raise ValidationFailed(_("截止时间已过。"), field="closes_at")
    topic = meeting = None
    if topic_id is not None:
        topic = Topic.objects.filter(pk=topic_id, community_id=body.community_id).first()
        if topic is None:
            raise NotFound(_("找不到该议题。"), field="topic_id")
    if meeting_id is not None:
        meeting = Meeting.objects.filter(pk=meeting_id, community_id=body.community_id).first()
        if meeting is None:
            raise NotFound(_("找不到该会议。"), field="meeting_id")
    candidates = menu_items_build(actor=actor, body=body, closes=closes, items=items)
    titles = [c.title for c in candidates]
    kind = VoteKind.MENU if titles else VoteKind.DECISION
    if kind == VoteKind.MENU:
        if len(titles) < 2 or len(titles) > MAX_ITEMS or len(set(titles)) != len(titles):
            raise ValidationFailed(_("服务菜单须有 2 到 20 项不重复的候选活动。"), field="items")
        if not 1 <= max_choices <= len(titles) or not 1 <= winners <= len(titles):
            raise ValidationFailed(
                _("每人可选项数和入选项数应在 1 到候选活动数之间。"), field="max_choices"
            )
    vote = Vote.objects.create(
        body=body,
        kind=kind,
        topic=topic,
        meeting=meeting,
        question=question,
        rule=rule,
        secret=bool(secret),
        advisory=bool(topic is not None and topic.professional),
        max_choices=max_choices if kind == VoteKind.MENU else 1,
        winners=winners if kind == VoteKind.MENU else 0,
        ranked=bool(ranked) and kind == VoteKind.MENU,
        opens_at=opens,
        closes_at=closes,
        created_by=actor,
    )
    for c in candidates:
        c.vote = vote
    MenuItem.objects.bulk_create(candidates)
    record(actor, AuditAction.VOTE, vote, step="create", rule=rule.code, secret=vote.secret)
    return vote


def _lock(vote: Vote) -> Vote:
    # NO KEY UPDATE: a ballot's insert takes KEY SHARE on the vote (its foreign key); a
    # plain FOR UPDATE here deadlocks with it when a paper and a web ballot race.
    return (
        Vote.objects.select_for_update(of=("self",), no_key=True)
        .select_related("body", "topic", "rule")
        .get(pk=vote.pk)
    )


def _adult(birth_year: int, on: dt.date) -> bool:
    return on.year - birth_year >= ADULT_AGE


def _freeze(vote: Vote) -> tuple[int, int]:
    """Write the electorate as it stands now: its units and who may cast each unit's vote."""
    body = vote.body
    today = timezone.localdate()
    units: dict[str, dict[str, Any]] = {}
    voters: dict[str, list[tuple[int, int | None, str]]] = {}
    if body.electorate == Electorate.HOUSEHOLDS:
        homes = Household.objects.filter(building__grid__community_id=body.community_id)
        by_home = {h.pk: h for h in homes.select_related("building")}
        for household_id, people in residents_of_households(by_home).items():
            adults = [p for p in people if _adult(p.birth_year, today)]
            if not adults:
                continue
            h = by_home[household_id]
            key = f"h{household_id}"
            units[key] = {"label": f"{h.building.name}{h.unit}{h.room}", "household": h}
            voters[key] = [(p.id, p.user_id, p.full_name) for p in adults]
    else:
        members = BodyMember.objects.filter(body=body).select_related(
            "resident", "household__building"
        )
        for m in members:
            owners = body.electorate == Electorate.OWNERS
            key = f"h{m.household_id}" if owners else f"r{m.resident_id}"
            home = m.household
            unit = units.setdefault(
                key,
                {
                    "label": f"{home.building.name}{home.unit}{home.room}"
                    if owners and home
                    else "",
                    "household": home,
                    "area": 0,
                },
            )
            if not owners:
                unit["label"] = m.resident.full_name
            # Joint owners of one home share its vote and its area (counted once).
            unit["area"] = max(unit["area"], int(m.floor_area * 100))
            voters.setdefault(key, []).append(
                (m.resident_id, m.resident.user_id, m.resident.full_name)
            )
    electors = Elector.objects.bulk_create(
        [
            Elector(
                vote=vote,
                key=key,
                label=u["label"][:120],
                household=u["household"],
                building=u["household"].building if u["household"] else None,
                area=u.get("area", 0),
            )
            for key, u in units.items()
        ],
        batch_size=2000,
    )
    if electors and electors[0].pk is None:  # backends that return no ids
        electors = list(Elector.objects.filter(vote=vote))
    rows = [
        ElectorVoter(vote=vote, elector=e, resident_id=rid, user_id=uid, name=name[:60])
        for e in electors
        for rid, uid, name in voters[e.key]
    ]
    ElectorVoter.objects.bulk_create(rows, batch_size=2000)
    return len(electors), sum(e.area for e in electors)


@transaction.atomic
def vote_open(*, actor: Any, vote: Vote) -> Vote:
    """Freeze the electorate and open the vote (ballots count from `opens_at`)."""
    vote = _lock(vote)
    policy.require(actor, vote, "open")
    topic = vote.topic
    if topic is not None and topic.professional and not topic.expert_opinion:
        raise Conflict(
            _("这是专业事项(%(kind)s),须先附专家意见才能开始表决。")
            % {"kind": topic.get_professional_display()},
            code="expert_opinion_needed",
        )
    why = impossible(Rule.of(vote.rule))
    if why:
        raise ValidationFailed(why, field="rule_id", code="threshold_impossible")
    size, area = _freeze(vote)
    if size == 0:
        raise Conflict(
            _("表决单位为空(没有成员或住户),任何比例都无法达到,不能开始表决。"),
            code="empty_electorate",
        )
    if vote.rule.measure != "count" and area == 0:
        raise Conflict(_("按面积表决须登记业主的专有面积。"), code="no_area")
    vote.electorate_size, vote.electorate_area = size, area
    vote.status = VoteStatus.OPEN
    vote.save(update_fields=["electorate_size", "electorate_area", "status", "updated_at"])
    if topic is not None:
        Topic.objects.filter(pk=topic.pk).update(status=TopicStatus.VOTING)
    record(actor, AuditAction.VOTE, vote, step="open", electorate=size, area=area)
    return vote


@transaction.atomic
def vote_cancel(*, actor: Any, vote: Vote, reason: str) -> Vote:
    vote = _lock(vote)
    policy.require(actor, vote, "cancel")
    reason = require_text(reason, field="reason", label=_("取消原因"), max_length=200)
    vote.status = VoteStatus.CANCELLED
    vote.save(update_fields=["status", "updated_at"])
    record(actor, AuditAction.VOTE, vote, step="cancel", reason=reason)
    return vote


# ---------------------------------------------------------------- ballots


def _choice(vote: Vote, choice: Any) -> str:
    """The stored form of a choice: an option, or a menu vote's item ids (sorted for
    approval, in the voter's order for a ranked vote)."""
    if vote.kind == VoteKind.DECISION:
        if choice not in Option.values:
            raise ValidationFailed(_("请选择同意、反对或弃权。"), field="choice")
        return str(choice)
    raw = choice if isinstance(choice, list | tuple) else str(choice or "").split(",")
    try:
        order = [int(x) for x in raw if str(x).strip()]
    except (TypeError, ValueError):
        raise ValidationFailed(_("请选择候选活动。"), field="choice") from None
    if len(set(order)) != len(order):
        if vote.ranked:
            raise ValidationFailed(_("同一项活动不能排两次。"), field="choice", code="twice")
        order = list(dict.fromkeys(order))
    picked = order if vote.ranked else sorted(order)
    items = set(vote.items.values_list("pk", flat=True))
    if not picked or not set(picked) <= items:
        raise ValidationFailed(_("请选择候选活动。"), field="choice")
    if len(picked) > vote.max_choices:
        raise ValidationFailed(
            _("最多可选 %(n)s 项。") % {"n": vote.max_choices}, field="choice", code="too_many"
        )
    return ",".join(str(p) for p in picked)


def _in_window(vote: Vote, now: dt.datetime) -> None:
    current = phase(vote, now)
    if current == Phase.VOTING:
        return
    if current == Phase.UPCOMING:
        msg = _("投票尚未开始(%(at)s 开始)。") % {"at": _fmt(vote.opens_at)}
    elif current in (Phase.CLOSED, Phase.PUBLISHED):
        msg = _("投票已于 %(at)s 截止。") % {"at": _fmt(vote.closes_at)}
    else:
        msg = _("该表决没有在进行。")
    raise Conflict(msg, code="outside_window")


def _fmt(at: dt.datetime) -> str:
    return timezone.localtime(at).strftime("%Y-%m-%d %H:%M")


def _already(vote: Vote, elector_id: int) -> Conflict:
    first = Participation.objects.filter(vote=vote, elector_id=elector_id).first()
    if first is None:  # pragma: no cover - the unique constraint fired, so it exists
        return Conflict(_("该户(人)已经投过票。"), code="already_voted")
    return Conflict(
        _("该户(人)已于 %(at)s 通过%(channel)s投过票,不能重复投票。")
        % {"at": _fmt(first.cast_at), "channel": first.get_channel_display()},
        code="already_voted",
    )


def _receipt() -> tuple[str, str]:
    code = secrets.token_hex(8).upper()
    return code, hashlib.sha256(code.encode()).hexdigest()


def receipt_hash(code: str) -> str:
    return hashlib.sha256(code.strip().upper().encode()).hexdigest()


def _drop(vote: Vote, elector: Elector, choice: str) -> str:
    code, digest = _receipt()
    area = elector.area if vote.rule.measure != "count" else 0
    BallotBox.objects.create(vote=vote, choice=choice, area=area, receipt=digest)
    return code


BALLOT_COLUMNS = (
    "elector_id",
    "elector__area",
    "vote__status",
    "vote__opens_at",
    "vote__closes_at",
    "vote__kind",
    "vote__secret",
    "vote__max_choices",
    "vote__ranked",
    "vote__rule__measure",
)


def ballot_cast(*, actor: Any, vote: Vote, choice: Any) -> str:
    """An online ballot by a person of the frozen electorate; returns the receipt code.
    The window is checked against the clock at this write; the unit's one ballot is the
    database's unique (vote, unit), so a second one from any channel is refused."""
    # One read for the voter, their unit and the vote as it stands now (the hot path of an
    # assembly: the vote itself is read again here, so a cancelled or closed vote refuses).
    # Only the columns the ballot needs: compiling the full four-table select was most of
    # a ballot's Python time (bench/deliberation_votes.py).
    voter = (
        ElectorVoter.objects.select_related("elector", "vote__rule")
        .only(*BALLOT_COLUMNS)
        .filter(vote_id=vote.pk, user_id=getattr(actor, "pk", 0) or 0)
        .first()
    )
    now = timezone.now()
    current = (
        voter.vote if voter is not None else Vote.objects.select_related("rule").get(pk=vote.pk)
    )
    _in_window(current, now)
    vote = current
    value = _choice(vote, choice)
    if voter is None:
        raise PermissionDenied(
            _("您不在这次表决的表决名单中(名单在投票开始时确定)。"), code="not_in_electorate"
        )
    try:
        with transaction.atomic():
            Participation.objects.create(
                vote=vote,
                elector=voter.elector,
                channel=Channel.WEB,
                voter=voter,
                cast_at=now,
                choice="" if vote.secret else value,
            )
            return _drop(vote, voter.elector, value)
    except IntegrityError:
        raise _already(vote, voter.elector_id) from None


@transaction.atomic
def paper_enter(
    *, actor: Any, vote: Vote, voter_id: int, choice: Any, photo: bytes
) -> Participation:
    """A paper ballot entered against a named voter of the electorate with the sheet's
    photo. It holds the unit's one ballot at once; it counts when another staff member
    confirms it."""
    vote = _lock(vote)
    policy.require(actor, vote, "paper")
    _in_window(vote, timezone.now())
    value = _choice(vote, choice)
    voter = ElectorVoter.objects.select_related("elector").filter(vote=vote, pk=voter_id).first()
    if voter is None:
        raise NotFound(_("表决名单中没有这位投票人。"), field="voter_id")
    if not photo:
        raise ValidationFailed(_("请上传纸质选票的照片。"), field="photo")
    sheet = photo_process(data=photo)
    try:
        with transaction.atomic():
            entry = Participation.objects.create(
                vote=vote,
                elector=voter.elector,
                channel=Channel.PAPER,
                voter=voter,
                cast_at=timezone.now(),
                counted=False,
                entered_by=actor,
                sheet_photo=sheet.image,
                sheet_sha256=sheet.sha256,
                choice=value,
            )
    except IntegrityError:
        raise _already(vote, voter.elector_id) from None
    record(actor, AuditAction.PAPER, vote, elector=voter.elector_id, sha256=sheet.sha256)
    return entry


@transaction.atomic
def paper_confirm(*, actor: Any, vote: Vote, entry_id: int) -> str:
    """A second staff member confirms an entered paper ballot against its photo; it counts
    from now. For a secret vote the choice moves into the box and leaves the entry."""
    vote = _lock(vote)
    policy.require(actor, vote, "confirm")
    entry = (
        Participation.objects.select_for_update()
        .filter(vote=vote, pk=entry_id, channel=Channel.PAPER)
        .first()
    )
    if entry is None:
        raise NotFound(_("找不到这张纸质选票。"), field="entry_id")
    if entry.counted:
        raise Conflict(_("这张纸质选票已经复核过了。"), code="already_confirmed")
    if entry.entered_by_id == actor.pk:
        raise PermissionDenied(
            _("录入人不能复核自己录入的选票,请另一位工作人员复核。"), code="same_staff"
        )
    elector = Elector.objects.get(pk=entry.elector_id)
    code = _drop(vote, elector, entry.choice)
    entry.counted, entry.confirmed_by, entry.confirmed_at = True, actor, timezone.now()
    if vote.secret:
        entry.choice = ""
    entry.save(update_fields=["counted", "confirmed_by", "confirmed_at", "choice"])
    record(actor, AuditAction.PAPER_CONFIRM, vote, elector=entry.elector_id)
    return code


def receipt_check(*, vote: Vote, code: str) -> str | None:
    """The choice recorded under a receipt code, or None: the voter checks their ballot
    is in the box (whoever holds the code sees the choice; it is the voter's to keep)."""
    found = BallotBox.objects.filter(vote=vote, receipt=receipt_hash(code)).first()
    return found.choice if found is not None else None


def vote_url(vote: Vote) -> str:
    return reverse("deliberation:vote", args=[vote.pk])
