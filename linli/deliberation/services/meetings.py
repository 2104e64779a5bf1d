"""VOTE-5 and VOTE-6: meetings (agenda, sign-in that earns points and feeds the quorum of
votes taken there, minutes frozen with a hash, decisions tracked to implementation) and the
rotating observers (a seeded, fair draw; duty and report; points)."""

import datetime as dt
import hashlib
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.choices import Channel as CaseChannel
from linli.casework.services.intake import CaseInput, case_submit
from linli.core.errors import (
    ApplicationError,
    Conflict,
    NotFound,
    ValidationFailed,
)
from linli.core.text import optional_text, require_text
from linli.deliberation.choices import AuditAction, DecisionStatus, MeetingKind
from linli.deliberation.models import (
    Attendance,
    Decision,
    DecisionUpdate,
    Meeting,
    Minutes,
    ObserverDuty,
    ObserverVolunteer,
    community_q,
)
from linli.deliberation.services.common import managed_community, record, tell
from linli.geo.models import Building, Community
from linli.ledger.services.points import points_award
from linli.people.selectors import resident_of_user

OBSERVER_MINUTES = 120


def _award(actor: Any, user: Any, rule: str, key: str) -> bool:
    """Points through the ledger; a missing rule or a reached daily cap does not undo the
    step it rewards (the ledger's savepoint rolls back alone)."""
    try:
        points_award(actor=actor, user=user, rule_code=rule, source_key=key)
    except ApplicationError:
        return False
    return True


@transaction.atomic
def meeting_create(
    *,
    actor: Any,
    community_id: int | None,
    kind: str,
    title: str,
    held_at: Any,
    place: str = "",
    agenda: str = "",
) -> Meeting:
    community = managed_community(actor, community_id)
    if kind not in MeetingKind.values:
        raise ValidationFailed(_("请选择会议类别。"), field="kind")
    if not isinstance(held_at, dt.datetime):
        raise ValidationFailed(_("请填写会议时间。"), field="held_at")
    meeting = Meeting.objects.create(
        community=community,
        kind=kind,
        title=require_text(title, field="title", label=_("会议"), max_length=100),
        held_at=held_at,
        place=optional_text(place, field="place", label=_("地点"), max_length=100),
        agenda=optional_text(agenda, field="agenda", label=_("议程"), max_length=4000),
    )
    record(actor, AuditAction.MEETING, meeting, step="create")
    return meeting


@transaction.atomic
def attendance_sign(*, actor: Any, meeting: Meeting, username: str) -> Attendance:
    """Staff sign in a person present; they earn the meeting's points once."""
    managed_community(actor, meeting.community_id)
    user = get_user_model().objects.filter(username=(username or "").strip()).first()
    if user is None:
        raise NotFound(_("找不到该用户。"), field="username")
    if Attendance.objects.filter(meeting=meeting, user=user).exists():
        raise Conflict(_("已签到。"), code="already_signed")
    row = Attendance.objects.create(meeting=meeting, user=user, signed_by=actor)
    _award(actor, user, "meeting", f"meeting:{meeting.pk}:user:{user.pk}")
    record(actor, AuditAction.MEETING, meeting, step="sign_in", user=user.pk)
    return row


@transaction.atomic
def minutes_write(*, actor: Any, meeting: Meeting, text: str) -> Minutes:
    """Draft the minutes; once frozen, writing again makes the next version."""
    managed_community(actor, meeting.community_id)
    text = require_text(text, field="text", label=_("纪要"), max_length=20000)
    last = Minutes.objects.select_for_update().filter(meeting=meeting).order_by("-version").first()
    if last is not None and last.frozen_at is None:
        last.text, last.written_by = text, actor
        last.save(update_fields=["text", "written_by", "updated_at"])
        return last
    version = (last.version + 1) if last is not None else 1
    minutes = Minutes.objects.create(meeting=meeting, version=version, text=text, written_by=actor)
    record(actor, AuditAction.MEETING, meeting, step="minutes", version=version)
    return minutes


def minutes_digest(meeting: Meeting, version: int, text: str) -> str:
    return hashlib.sha256(f"{meeting.pk}\n{version}\n{text}".encode()).hexdigest()


@transaction.atomic
def minutes_freeze(*, actor: Any, meeting: Meeting) -> Minutes:
    managed_community(actor, meeting.community_id)
    last = Minutes.objects.select_for_update().filter(meeting=meeting).order_by("-version").first()
    if last is None or last.frozen_at is not None:
        raise Conflict(_("没有待定稿的纪要。"), code="nothing_to_freeze")
    last.frozen_at = timezone.now()
    last.sha256 = minutes_digest(meeting, last.version, last.text)
    last.save(update_fields=["frozen_at", "sha256", "updated_at"])
    record(
        actor, AuditAction.MEETING, meeting, step="freeze", version=last.version, sha256=last.sha256
    )
    return last


@transaction.atomic
def decision_add(
    *,
    actor: Any,
    meeting: Meeting,
    text: str,
    owner_username: str,
    due: Any,
    category_code: str = "",
) -> Decision:
    """A decision with its owner and due date. With a category (of the responsibility
    list), it also becomes a case through casework, routed to the responsible department."""
    managed_community(actor, meeting.community_id)
    owner = get_user_model().objects.filter(username=(owner_username or "").strip()).first()
    if owner is None:
        raise NotFound(_("找不到负责人。"), field="owner")
    if not isinstance(due, dt.date):
        raise ValidationFailed(_("请填写完成期限。"), field="due")
    decision = Decision.objects.create(
        meeting=meeting,
        text=require_text(text, field="text", label=_("决定事项"), max_length=200),
        owner=owner,
        due=due,
    )
    if category_code.strip():
        decision.case = _case_for(actor, meeting, decision, category_code.strip())
        decision.save(update_fields=["case", "updated_at"])
    record(actor, AuditAction.MEETING, meeting, step="decision", decision=decision.pk)
    tell([owner], _("您负责落实会议决定:%(t)s") % {"t": decision.text}, "")
    return decision


def _case_for(actor: Any, meeting: Meeting, decision: Decision, category_code: str) -> Any:
    place = Building.objects.filter(grid__community_id=meeting.community_id).order_by("pk").first()
    if place is None:
        raise ValidationFailed(_("本社区还没有楼栋,无法转为诉求。"), field="category_code")
    data = CaseInput(
        category_code=category_code,
        description=_("%(meeting)s决定:%(text)s")
        % {"meeting": meeting.title, "text": decision.text},
        lat=place.lat,
        lon=place.lon,
        address=str(place.address or place.name),
    )
    return case_submit(actor=actor, data=data, channel=CaseChannel.WINDOW)


@transaction.atomic
def decision_progress(*, actor: Any, decision: Decision, text: str, done: bool = False) -> Decision:
    decision = Decision.objects.select_for_update().select_related("meeting").get(pk=decision.pk)
    if decision.owner_id != actor.pk:
        managed_community(actor, decision.meeting.community_id)
    if decision.status == DecisionStatus.DONE:
        raise Conflict(_("该决定已落实。"), code="already_done")
    DecisionUpdate.objects.create(
        decision=decision,
        author=actor,
        text=require_text(text, field="text", label=_("进展"), max_length=300),
    )
    if done:
        decision.status, decision.done_at = DecisionStatus.DONE, timezone.now()
        decision.save(update_fields=["status", "done_at", "updated_at"])
    record(actor, AuditAction.MEETING, decision.meeting, step="progress", decision=decision.pk)
    return decision


def decisions_overdue(community_ids: list[int], today: dt.date | None = None) -> list[Decision]:
    today = today or timezone.localdate()
    return list(
        Decision.objects.filter(
            meeting__community_id__in=community_ids, status=DecisionStatus.OPEN, due__lt=today
        ).select_related("owner", "meeting")
    )


# ---------------------------------------------------------------- observers (VOTE-6)


@transaction.atomic
def observer_volunteer(*, actor: Any) -> ObserverVolunteer:
    me = resident_of_user(actor)
    if me is None or me.community_id is None:
        raise Conflict(_("只有登记在本社区的居民可以报名当观察员。"), code="not_a_resident")
    row, _created = ObserverVolunteer.objects.get_or_create(
        community_id=me.community_id, user=actor
    )
    return row


def _ticket(seed: str, user_id: int) -> str:
    return hashlib.sha256(f"{seed}:{user_id}".encode()).hexdigest()


@transaction.atomic
def observer_draw(
    *, actor: Any, community_id: int | None, month: dt.date, count: int, seed: str
) -> list[ObserverDuty]:
    """Draw `count` observers for a month: those who served least come first, ties broken
    by sha256(seed:user) so anyone with the seed can re-run the draw."""
    community = managed_community(actor, community_id)
    seed = require_text(seed, field="seed", label=_("随机种子"), max_length=64)
    month = month.replace(day=1)
    if not 1 <= count <= 20:
        raise ValidationFailed(_("人数应在 1 到 20 之间。"), field="count")
    if ObserverDuty.objects.filter(community=community, month=month).exists():
        raise Conflict(_("本月观察员已抽取。"), code="already_drawn")
    pool = list(
        ObserverVolunteer.objects.filter(community=community).values_list("user_id", flat=True)
    )
    if len(pool) < count:
        raise Conflict(
            _("报名人数(%(n)s)少于需要的人数。") % {"n": len(pool)}, code="too_few_volunteers"
        )
    served = dict(
        ObserverDuty.objects.filter(community=community, user_id__in=pool)
        .values_list("user_id")
        .annotate(n=Count("id"))
    )
    order = sorted(pool, key=lambda u: (served.get(u, 0), _ticket(seed, u)))
    duties = [
        ObserverDuty.objects.create(community=community, month=month, user_id=u, seed=seed)
        for u in order[:count]
    ]
    record(actor, AuditAction.OBSERVER, community, step="draw", seed=seed, users=order[:count])
    return duties


@transaction.atomic
def observer_report(*, actor: Any, duty: ObserverDuty, minutes: int, report: str) -> ObserverDuty:
    duty = ObserverDuty.objects.select_for_update().get(pk=duty.pk)
    if duty.user_id != actor.pk:
        raise NotFound(_("找不到该值班记录。"))
    if duty.done_at is not None:
        raise Conflict(_("观察报告已提交。"), code="already_reported")
    if not 1 <= minutes <= 600:
        raise ValidationFailed(_("时长应在 1 到 600 分钟之间。"), field="minutes")
    duty.minutes = minutes
    duty.report = require_text(report, field="report", label=_("观察报告"), max_length=4000)
    duty.done_at = timezone.now()
    duty.save(update_fields=["minutes", "report", "done_at", "updated_at"])
    _award(actor, actor, "observer", f"observer:{duty.pk}")
    record(actor, AuditAction.OBSERVER, duty, step="report", minutes=minutes)
    return duty


def communities_visible(actor: Any) -> list[Community]:
    return list(Community.objects.filter(community_q(actor, "")).order_by("code"))
