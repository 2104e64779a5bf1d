"""数字助老课堂 (SERVE-3): staff book a community venue through matching's venue booking,
name the volunteers who teach, residents enrol (or staff enrol them, 代办); the organiser
records attendance, which checks the booking in and awards points through the ledger
(attendees and volunteers, once each: the source key makes it idempotent)."""

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.ledger.models import PointRule
from linli.ledger.services.points import points_award
from linli.matching.choices import BookingStatus
from linli.matching.services.bookings import CHECK_IN_GRACE, booking_check_in, booking_create
from linli.people.selectors import resident_get, resident_of_user
from linli.station.models import HelpSession, Seat
from linli.station.policy import SESSION_ROLES

ATTEND_RULE = "digital_class_attend"
TEACH_RULE = "digital_class_teach"
RULES = {ATTEND_RULE: ("参加数字助老课堂", 5), TEACH_RULE: ("数字助老课堂授课", 10)}


def rules_ensure() -> None:
    """The two point rules (configuration data; a city changes the points in the admin)."""
    for code, (name, points) in RULES.items():
        PointRule.objects.get_or_create(code=code, defaults={"name": name, "points": points})


@transaction.atomic
def session_create(
    *,
    actor: Any,
    resource_id: int,
    title: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    capacity: int,
    volunteer_ids: list[int],
) -> HelpSession:
    if getattr(actor, "role", "") not in SESSION_ROLES:
        raise PermissionDenied(_("只有社区工作人员可以安排数字助老课堂。"))
    title = (title or "").strip()
    if not 2 <= len(title) <= 60:
        raise ValidationFailed(_("请填写课程名称(60字以内)。"), field="title")
    volunteers = list(User.objects.filter(pk__in=set(volunteer_ids), role=Role.VOLUNTEER))
    if not volunteers or len(volunteers) != len(set(volunteer_ids)):
        raise ValidationFailed(_("请选择授课的志愿者。"), field="volunteer_ids")
    booking = booking_create(
        actor=actor,
        resource_id=resource_id,
        starts_at=starts_at,
        ends_at=ends_at,
        people=capacity,
        purpose=_("数字助老课堂:%(title)s") % {"title": title},
    )
    session = HelpSession.objects.create(
        title=title,
        community_id=booking.resource.community_id,
        booking=booking,
        starts_at=starts_at,
        ends_at=ends_at,
        capacity=capacity,
        created_by=actor,
    )
    session.volunteers.set(volunteers)
    audit_record(
        actor=actor,
        action="station.session_created",
        obj=session,
        data={"booking": booking.pk, "volunteers": [v.pk for v in volunteers]},
    )
    return session


@transaction.atomic
def session_enrol(*, actor: Any, session_id: int, resident_id: int | None = None) -> Seat:
    session = HelpSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("没有这堂课。"))
    if actor.role == Role.RESIDENT:
        own = resident_of_user(actor)
        if own is None:
            raise ValidationFailed(_("还没有您的居民档案,请到社区居委会登记。"))
        rid = own.id
    elif actor.role in SESSION_ROLES and resident_id:
        rid = resident_get(actor=actor, resident_id=resident_id).pk
    else:
        raise PermissionDenied(_("您的账号不能报名。"))
    if session.starts_at <= timezone.now():
        raise Conflict(_("课程已经开始,不能再报名。"), code="started")
    if session.seats.count() >= session.capacity:
        raise Conflict(_("名额已满。"), code="full")
    try:
        with transaction.atomic():
            seat = Seat.objects.create(session=session, resident_id=rid)
    except IntegrityError:
        raise Conflict(_("已经报过名了。"), code="duplicate") from None
    return seat


@transaction.atomic
def attendance_record(*, actor: Any, session_id: int, resident_ids: list[int]) -> int:
    """Mark who came; returns how many points awards were made (attendees with an account,
    and the volunteers). Recording twice awards nothing twice."""
    session = HelpSession.objects.select_for_update().filter(pk=session_id).first()
    if session is None:
        raise NotFound(_("没有这堂课。"))
    if actor.role != Role.SYSADMIN and session.created_by_id != actor.pk:
        raise PermissionDenied(_("只有安排这堂课的工作人员可以登记出勤。"))
    now = timezone.now()
    if session.starts_at - dt.timedelta(minutes=30) > now:
        raise Conflict(_("课程还没开始,不能登记出勤。"), code="not_started")
    seats = {s.resident_id: s for s in session.seats.select_related("resident__user")}
    unknown = set(resident_ids) - set(seats)
    if unknown:
        raise ValidationFailed(_("有未报名的居民。"), field="resident_ids")
    booking = session.booking
    if (
        booking.status == BookingStatus.BOOKED
        and booking.booked_by_id == actor.pk
        and now <= booking.starts_at + CHECK_IN_GRACE
    ):
        booking_check_in(actor=actor, booking_id=booking.pk)  # the venue is in use
    rules_ensure()
    awards = 0
    for rid in sorted(set(resident_ids)):
        seat = seats[rid]
        if seat.attended_at is None:
            seat.attended_at = now
            seat.save(update_fields=["attended_at", "updated_at"])
        user = seat.resident.user
        if user is not None:
            points_award(
                actor=actor,
                user=user,
                rule_code=ATTEND_RULE,
                source_key=f"station-class:{session.pk}:resident:{rid}",
            )
            awards += 1
    if resident_ids:
        for volunteer in session.volunteers.all():
            points_award(
                actor=actor,
                user=volunteer,
                rule_code=TEACH_RULE,
                source_key=f"station-class:{session.pk}:volunteer:{volunteer.pk}",
            )
            awards += 1
    audit_record(
        actor=actor,
        action="station.attendance",
        obj=session,
        data={"attended": sorted(set(resident_ids))},
    )
    return awards
