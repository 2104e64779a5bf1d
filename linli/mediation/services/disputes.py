"""MEDIATE-1: registering a dispute, assigning mediators (conflict of interest, load) and
every stage step of `policy.TRANSITIONS`. Each step changes nothing when it is refused."""

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.selectors import case_get
from linli.core.audit.services import audit_record
from linli.core.calendar.selectors import add_working_days
from linli.core.crypto import blind_index
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.core.text import optional_text, require_text
from linli.geo.models import Building, Community
from linli.geo.scope import Scope
from linli.mediation.choices import (
    OPEN_STATUSES,
    Action,
    AuditAction,
    DisputeType,
    Fulfilment,
    Outcome,
    Side,
    Source,
    Stage,
)
from linli.mediation.models import (
    Dispute,
    DisputeMediator,
    DisputeParty,
    FollowUp,
    MediationSession,
    Mediator,
)
from linli.mediation.policy import STAGE_OF, TRANSITIONS, require
from linli.mediation.services.common import lock, record, stamp, tell_parties, tell_users
from linli.people.selectors import household_or_family, resident_by_id_number, resident_get

ACCEPT_DAYS = 3
CONCLUDE_DAYS = 30
EXTEND_MOST = 30
RECURRING_WITHIN = dt.timedelta(days=183)
PHONE_RE = re.compile(r"^\+?[0-9][0-9-]{6,19}$")
PHONE_CONTEXT = "mediation.party.phone"


@dataclass(frozen=True)
class PartyInput:
    side: str
    resident_id: int | None = None
    name: str = ""
    phone: str = ""
    id_number: str = ""  # the window reads the ID card: the record is found by its hash


@dataclass(frozen=True)
class DisputeInput:
    type: str
    source: str
    description: str
    parties: Sequence[PartyInput] = ()
    community_id: int | None = None
    building_id: int | None = None
    case_no: str = ""


@dataclass
class _Party:
    side: str
    resident: Any = None
    name: str = ""
    phone: str = ""
    identity: str = field(default="")


def _mask(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 8 else "****"


def _place(actor: Any, data: DisputeInput) -> tuple[Community, Building | None]:
    building = None
    if data.building_id is not None:
        building = (
            Building.objects.select_related("grid__community").filter(pk=data.building_id).first()
        )
        if building is None:
            raise ValidationFailed(_("找不到该楼栋。"), field="building_id")
        community = building.grid.community
        if data.community_id is not None and data.community_id != community.pk:
            raise ValidationFailed(_("楼栋不在所选社区。"), field="building_id")
    elif data.community_id is not None:
        found = Community.objects.filter(pk=data.community_id).first()
        if found is None:
            raise ValidationFailed(_("找不到该社区。"), field="community_id")
        community = found
    else:
        raise ValidationFailed(_("请选择纠纷发生的社区或楼栋。"), field="community_id")
    if not _acts_in(actor, community):
        raise PermissionDenied(_("您只能登记本辖区的纠纷。"), code="outside_place")
    return community, building


def _acts_in(actor: Any, community: Community) -> bool:
    if actor.role == Role.SYSADMIN:
        return True
    if Scope.for_actor(actor).communities().filter(pk=community.pk).exists():
        return True
    mediator = Mediator.objects.filter(user=actor, active=True).first()
    return mediator is not None and mediator.serves(community)


def _parties(actor: Any, items: Sequence[PartyInput]) -> list[_Party]:
    out: list[_Party] = []
    for i, item in enumerate(items):
        where = f"parties.{i}"
        if item.side not in Side.values:
            raise ValidationFailed(_("当事人身份无效。"), field=f"{where}.side")
        resident_id = item.resident_id
        if resident_id is None and item.id_number.strip():
            try:
                found = resident_by_id_number(actor=actor, id_number=item.id_number.strip())
            except ValidationFailed as exc:
                raise ValidationFailed(exc.message, field=f"{where}.id_number") from None
            if found is None:
                raise NotFound(_("没有找到该身份证号的居民档案。"), field=f"{where}.id_number")
            resident_id = found.pk
        if resident_id is not None:
            try:
                resident = resident_get(actor=actor, resident_id=resident_id)
            except NotFound:
                raise NotFound(_("找不到该居民档案。"), field=f"{where}.resident_id") from None
            out.append(_Party(item.side, resident=resident, identity=f"r{resident.pk}"))
            continue
        name = require_text(item.name, field=f"{where}.name", label=_("当事人姓名"), max_length=50)
        phone = optional_text(item.phone, field=f"{where}.phone", label=_("电话"), max_length=20)
        if phone and not PHONE_RE.match(phone):
            raise ValidationFailed(_("电话号码格式不正确。"), field=f"{where}.phone")
        identity = "p" + blind_index(phone, context=PHONE_CONTEXT) if phone else ""
        out.append(_Party(item.side, name=name, phone=phone, identity=identity))
    sides = {p.side for p in out}
    if sides != {Side.APPLICANT, Side.RESPONDENT}:
        raise ValidationFailed(_("请至少填写一位申请人和一位被申请人。"), field="parties")
    ids = [p.identity for p in out if p.identity]
    if len(ids) != len(set(ids)):
        raise ValidationFailed(_("同一当事人填写了两次。"), field="parties")
    return out


def _identities(dispute: Dispute) -> set[str]:
    out = set()
    for p in dispute.parties.all():
        if p.resident_id:
            out.add(f"r{p.resident_id}")
        elif p.phone_index:
            out.add(f"p{p.phone_index}")
    return out


def _recurring_of(dispute: Dispute, parties: list[_Party]) -> Dispute | None:
    """An earlier dispute of the same type within six months sharing the parties (two of
    them, or the only one known)."""
    ids = {p.identity for p in parties if p.identity}
    if not ids:
        return None
    need = min(2, len(ids))
    earlier = (
        Dispute.objects.filter(
            type=dispute.type,
            created_at__gte=dispute.created_at - RECURRING_WITHIN,
            created_at__lt=dispute.created_at,
        )
        .exclude(pk=dispute.pk)
        .prefetch_related("parties")
        .order_by("-created_at")
    )
    for other in earlier[:200]:
        if len(_identities(other) & ids) >= need:
            return other
    return None


@transaction.atomic
def dispute_register(*, actor: Any, data: DisputeInput) -> Dispute:
    """登记: staff enter a dispute (代办 at the station, a grid worker's find, a referral)."""
    if data.type not in DisputeType.values:
        raise ValidationFailed(_("请选择纠纷类型。"), field="type")
    if data.source not in Source.values:
        raise ValidationFailed(_("请选择纠纷来源。"), field="source")
    description = require_text(
        data.description, field="description", label=_("纠纷简要情况"), max_length=2000
    )
    community, building = _place(actor, data)
    parties = _parties(actor, data.parties)
    source_case = None
    if data.source == Source.CASE:
        if not data.case_no:
            raise ValidationFailed(_("请填写转入的诉求编号。"), field="case_no")
        try:
            source_case = case_get(actor=actor, tracking_no=data.case_no)
        except NotFound:
            raise NotFound(_("找不到该诉求。"), field="case_no") from None
    now = timezone.now()
    dispute = Dispute.objects.create(
        number=uuid.uuid4().hex[:20],
        community=community,
        building=building,
        type=data.type,
        source=data.source,
        source_case=source_case,
        description=description,
        entered_by=actor,
        accept_due=add_working_days(start=now, days=ACCEPT_DAYS).due,
    )
    dispute.number = f"TJ{timezone.localdate(now):%Y%m%d}{dispute.pk:06d}"
    DisputeParty.objects.bulk_create(
        DisputeParty(
            dispute=dispute,
            side=p.side,
            resident=p.resident,
            name=p.name,
            phone=p.phone,
            phone_masked=_mask(p.phone) if p.phone else "",
            phone_index=p.identity[1:] if p.identity.startswith("p") else "",
        )
        for p in parties
    )
    dispute.recurring_of = _recurring_of(dispute, parties)
    dispute.save(update_fields=["number", "recurring_of", "updated_at"])
    stamp(dispute, Stage.REGISTERED, actor=actor, at=now)
    audit_record(
        actor=actor,
        action=AuditAction.REGISTERED,
        obj=dispute,
        data={
            "community": community.pk,
            "type": dispute.type,
            "source": dispute.source,
            "residents": sorted(p.resident.pk for p in parties if p.resident is not None),
            "recurring_of": dispute.recurring_of_id,
        },
    )
    mediator = suggest_mediator(dispute)
    if mediator is not None:
        _assign(dispute, mediator, actor=actor, lead=True)
    return dispute


# ---- mediators -----------------------------------------------------------------------------


def party_resident_ids(dispute: Dispute) -> list[int]:
    return [pk for pk in dispute.parties.values_list("resident_id", flat=True) if pk]


def has_conflict(mediator: Mediator, dispute: Dispute) -> bool:
    """Lives in a party's household, is a party, or is their family: may not mediate."""
    return household_or_family(user=mediator.user, resident_ids=party_resident_ids(dispute))


def open_load() -> Q:
    return Q(assignments__dispute__status__in=OPEN_STATUSES)


def qualified(dispute: Dispute) -> list[Mediator]:
    """Active mediators serving the dispute's place and handling its type, least loaded
    first (open disputes assigned), without a conflict of interest."""
    community = dispute.community
    candidates = (
        Mediator.objects.filter(active=True)
        .filter(Q(community=community) | Q(street_id=community.street_id))
        .select_related("user")
        .annotate(load=Count("assignments", filter=open_load()))
        .order_by("load", "pk")
    )
    taken = set(dispute.mediators.values_list("mediator_id", flat=True))
    return [
        m
        for m in candidates
        if m.handles(dispute.type) and m.pk not in taken and not has_conflict(m, dispute)
    ]


def suggest_mediator(dispute: Dispute) -> Mediator | None:
    found = qualified(dispute)
    return found[0] if found else None


def _assign(dispute: Dispute, mediator: Mediator, *, actor: Any, lead: bool) -> None:
    if lead:
        DisputeMediator.objects.filter(dispute=dispute, lead=True).delete()
    DisputeMediator.objects.create(dispute=dispute, mediator=mediator, lead=lead, assigned_by=actor)
    audit_record(
        actor=actor,
        action=AuditAction.STEP,
        obj=dispute,
        data={"step": Action.ASSIGN.value, "mediator": mediator.pk, "lead": lead},
    )
    tell_users([mediator.user], dispute, _("您被指派调解纠纷 %(no)s") % {"no": dispute.number})


@transaction.atomic
def dispute_assign(
    *, actor: Any, dispute: Dispute, mediator_id: int | None = None, lead: bool = True
) -> Mediator:
    """指派: the named mediator, or the least-loaded qualified one. A mediator with a conflict
    of interest is refused, whoever names them."""
    dispute = lock(dispute)
    require(actor, dispute, Action.ASSIGN)
    if mediator_id is None:
        mediator = suggest_mediator(dispute)
        if mediator is None:
            raise Conflict(
                _("没有可指派的调解员(均有利害关系或不负责该类型)。"), code="no_mediator"
            )
    else:
        found = Mediator.objects.select_related("user").filter(pk=mediator_id, active=True).first()
        if found is None or not found.serves(dispute.community):
            raise ValidationFailed(_("找不到该调解员。"), field="mediator_id")
        mediator = found
        if has_conflict(mediator, dispute):
            raise Conflict(
                _("该调解员与当事人同住一户或为其亲属,应当回避,不能指派。"),
                code="conflict_of_interest",
                field="mediator_id",
            )
        if dispute.mediators.filter(mediator=mediator).exists():
            raise Conflict(_("该调解员已在本案中。"), code="already_assigned", field="mediator_id")
    _assign(dispute, mediator, actor=actor, lead=lead)
    return mediator


# ---- stage steps ---------------------------------------------------------------------------


def _move(dispute: Dispute, actor: Any, action: Action, *fields: str, **data: Any) -> str:
    """Save the new status, stamp its stage, audit the step; returns the status before.
    The caller has checked the step (`require`) before changing any field."""
    step = TRANSITIONS[action]
    before = dispute.status
    if step.target is not None:
        dispute.status = step.target
    dispute.save(update_fields=[*fields, "status", "updated_at"])
    if step.target is not None and step.target != before:
        stamp(dispute, STAGE_OF[step.target], actor=actor)
    record(dispute, actor=actor, action=action, before=before, **data)
    return before


@transaction.atomic
def dispute_accept(*, actor: Any, dispute: Dispute) -> Dispute:
    dispute = lock(dispute)
    require(actor, dispute, Action.ACCEPT)
    now = timezone.now()
    dispute.accepted_at = now
    dispute.conclude_due = add_working_days(start=now, days=CONCLUDE_DAYS).due
    dispute.warned_at, dispute.overdue = None, False
    _move(dispute, actor, Action.ACCEPT, "accepted_at", "conclude_due", "warned_at", "overdue")
    tell_parties(dispute, _("您的纠纷调解申请 %(no)s 已受理") % {"no": dispute.number})
    return dispute


def _conclude(
    dispute: Dispute, actor: Any, action: Action, outcome: str, reason: str, label: str
) -> Dispute:
    require(actor, dispute, action)
    dispute.close_reason = require_text(reason, field="reason", label=label, max_length=1000)
    dispute.outcome = outcome
    dispute.concluded_at = timezone.now()
    dispute.warned_at, dispute.overdue = None, False
    fields = ("close_reason", "outcome", "concluded_at", "warned_at", "overdue")
    _move(dispute, actor, action, *fields)
    return dispute


@transaction.atomic
def dispute_decline(*, actor: Any, dispute: Dispute, reason: str) -> Dispute:
    dispute = _conclude(
        lock(dispute), actor, Action.DECLINE, Outcome.DECLINED, reason, _("不予受理的理由")
    )
    tell_parties(dispute, _("您的纠纷调解申请 %(no)s 不予受理") % {"no": dispute.number})
    return dispute


@transaction.atomic
def dispute_fail(*, actor: Any, dispute: Dispute, reason: str) -> Dispute:
    dispute = _conclude(
        lock(dispute), actor, Action.FAIL, Outcome.FAILURE, reason, _("调解不成的原因")
    )
    tell_parties(dispute, _("纠纷 %(no)s 调解未能达成协议") % {"no": dispute.number})
    return dispute


@transaction.atomic
def dispute_withdraw(*, actor: Any, dispute: Dispute, reason: str) -> Dispute:
    return _conclude(
        lock(dispute), actor, Action.WITHDRAW, Outcome.WITHDRAWN, reason, _("撤回的原因")
    )


@transaction.atomic
def dispute_investigate(*, actor: Any, dispute: Dispute, note: str = "") -> Dispute:
    dispute = lock(dispute)
    require(actor, dispute, Action.INVESTIGATE)
    note = optional_text(note, field="note", label=_("说明"), max_length=2000)
    _move(dispute, actor, Action.INVESTIGATE)
    if note:
        dispute.stamps.filter(stage=Stage.INVESTIGATION).update(note=note)
    return dispute


@transaction.atomic
def dispute_session(
    *,
    actor: Any,
    dispute: Dispute,
    held_at: dt.datetime,
    attendees: str,
    notes: str,
    place: str = "",
) -> MediationSession:
    """调解会: a session held (not one planned): its time is now or earlier."""
    dispute = lock(dispute)
    require(actor, dispute, Action.SESSION)
    if held_at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(_("调解会时间不能晚于现在(请在调解会后记录)。"), field="held_at")
    if held_at < dispute.created_at - dt.timedelta(days=1):
        raise ValidationFailed(_("调解会时间不能早于纠纷登记时间。"), field="held_at")
    attendees = require_text(attendees, field="attendees", label=_("参加人员"), max_length=500)
    notes = require_text(notes, field="notes", label=_("调解记录"), max_length=5000)
    place = optional_text(place, field="place", label=_("地点"), max_length=100)
    session = MediationSession.objects.create(
        dispute=dispute,
        held_at=held_at,
        attendees=attendees,
        notes=notes,
        place=place,
        recorded_by=actor,
    )
    _move(dispute, actor, Action.SESSION, session=session.pk)
    return session


@transaction.atomic
def dispute_assess(*, actor: Any, dispute: Dispute, note: str) -> Dispute:
    """第三方评估 (a valuer, a building inspector …): its finding, in short."""
    dispute = lock(dispute)
    require(actor, dispute, Action.ASSESS)
    note = require_text(note, field="note", label=_("评估意见"), max_length=2000)
    _move(dispute, actor, Action.ASSESS)
    dispute.stamps.filter(stage=Stage.ASSESSMENT).update(note=note)
    return dispute


@transaction.atomic
def dispute_extend(*, actor: Any, dispute: Dispute, days: int, reason: str) -> Dispute:
    """延期 once, with a reason, by at most 30 working days from the current deadline."""
    dispute = lock(dispute)
    require(actor, dispute, Action.EXTEND)
    if not isinstance(days, int) or isinstance(days, bool) or not 1 <= days <= EXTEND_MOST:
        raise ValidationFailed(
            _("延长天数应为 1 到 %(most)s 个工作日。") % {"most": EXTEND_MOST}, field="days"
        )
    dispute.extension_reason = require_text(
        reason, field="reason", label=_("延期理由"), max_length=1000
    )
    assert dispute.conclude_due is not None
    dispute.conclude_due = add_working_days(start=dispute.conclude_due, days=days).due
    dispute.warned_at, dispute.overdue = None, False
    _move(
        dispute,
        actor,
        Action.EXTEND,
        "extension_reason",
        "conclude_due",
        "warned_at",
        "overdue",
        days=days,
    )
    return dispute


@transaction.atomic
def dispute_follow_up(*, actor: Any, dispute: Dispute, fulfilment: str, note: str = "") -> FollowUp:
    """回访: the next follow-up due (30 days, then 90): was the agreement performed?"""
    dispute = lock(dispute)
    require(actor, dispute, Action.FOLLOW_UP)
    if fulfilment not in Fulfilment.values:
        raise ValidationFailed(_("请选择协议履行情况。"), field="fulfilment")
    note = optional_text(note, field="note", label=_("说明"), max_length=2000)
    visit = dispute.follow_ups.filter(visited_at__isnull=True).order_by("stage").first()
    assert visit is not None  # the policy's condition
    visit.visited_at, visit.fulfilment, visit.note, visit.visited_by = (
        timezone.now(),
        fulfilment,
        note,
        actor,
    )
    visit.save()
    stamp(dispute, Stage(visit.stage), actor=actor, at=visit.visited_at)
    record(
        dispute,
        actor=actor,
        action=Action.FOLLOW_UP,
        before=dispute.status,
        stage=visit.stage,
        fulfilment=fulfilment,
    )
    return visit


@transaction.atomic
def dispute_archive(*, actor: Any, dispute: Dispute) -> Dispute:
    dispute = lock(dispute)
    require(actor, dispute, Action.ARCHIVE)
    dispute.warned_at, dispute.overdue = None, False
    _move(dispute, actor, Action.ARCHIVE, "warned_at", "overdue")
    return dispute
