"""Venue booking (MATCH-4). Bookings never overlap: PostgreSQL refuses an overlapping row
with the exclusion constraint of migration 0002; every booking first writes the resource's
row (booking_seq), which serialises bookers of one venue on both databases, then checks the
same condition, so SQLite (no exclusion constraints) is covered too. Weekly series skip the
dates they cannot have and say which. A booking not checked in within 15 minutes of its
start is released."""

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core import registry
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.text import require_text
from linli.matching.availability import within_hours
from linli.matching.choices import HOLDING, AuditAction, BookingStatus, ResourceKind, ResourceStatus
from linli.matching.models import Booking, Resource, ResourceClosure
from linli.matching.policy import manages
from linli.matching.services.common import record, tell

CHECK_IN_GRACE = dt.timedelta(minutes=15)
CHECK_IN_EARLY = dt.timedelta(minutes=30)
MAX_LENGTH = dt.timedelta(hours=12)
MAX_WEEKS = 26
BOOKABLE = (ResourceKind.VENUE, ResourceKind.GOODS)


@dataclass(frozen=True)
class Skipped:
    starts_at: dt.datetime
    reason: str


def _venue(actor: Any, resource_id: int) -> Resource:
    found = Resource.objects.visible_to(actor).filter(pk=resource_id, kind__in=BOOKABLE).first()
    if found is None or found.status != ResourceStatus.APPROVED:
        raise NotFound(_("找不到该场地。"), field="resource_id")
    # A partner whose qualification is revoked (EVAL-2) takes no new bookings.
    registry.require_qualified("matching.partner", found.partner_id)
    return found


def _check(resource: Resource, starts_at: dt.datetime, ends_at: dt.datetime, people: int) -> None:
    if ends_at <= starts_at:
        raise ValidationFailed(_("结束时间须晚于开始时间。"), field="ends_at")
    if starts_at < timezone.now():
        raise ValidationFailed(_("不能预约已经过去的时间。"), field="starts_at", code="past")
    if ends_at - starts_at > MAX_LENGTH:
        raise ValidationFailed(_("一次预约最长 12 小时。"), field="ends_at")
    if not 1 <= people <= 10_000:
        raise ValidationFailed(_("人数应在 1 到 10000 之间。"), field="people")
    if people > resource.capacity:
        raise ValidationFailed(
            _("人数超过场地容量(最多 %(cap)s 人)。") % {"cap": resource.capacity},
            field="people",
            code="capacity",
        )
    closed = set(
        ResourceClosure.objects.filter(
            resource=resource,
            day__gte=timezone.localdate(starts_at),
            day__lte=timezone.localdate(ends_at),
        ).values_list("day", flat=True)
    )
    if not within_hours(resource, starts_at, ends_at, closed):
        raise ValidationFailed(
            _("所选时间不在场地开放时间内。"), field="starts_at", code="outside_hours"
        )


def _overlapping(resource_id: int, starts_at: dt.datetime, ends_at: dt.datetime) -> bool:
    return Booking.objects.filter(
        resource_id=resource_id, status__in=HOLDING, starts_at__lt=ends_at, ends_at__gt=starts_at
    ).exists()


def _taken() -> Conflict:
    return Conflict(_("该时段已被预约,请换一个时间。"), code="overlap")


def _book(
    actor: Any,
    resource: Resource,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    people: int,
    purpose: str,
    series: str = "",
) -> Booking:
    _check(resource, starts_at, ends_at, people)
    # The write that serialises bookers of this venue (a row lock; SQLite's write lock).
    Resource.objects.filter(pk=resource.pk).update(booking_seq=F("booking_seq") + 1)
    if _overlapping(resource.pk, starts_at, ends_at):
        raise _taken()
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                resource=resource,
                booked_by=actor,
                starts_at=starts_at,
                ends_at=ends_at,
                people=people,
                purpose=purpose,
                series=series,
            )
    except IntegrityError as exc:  # the exclusion constraint (PostgreSQL)
        raise _taken() from exc
    record(actor, AuditAction.BOOKING, booking, step="book", resource=resource.pk, series=series)
    return booking


@transaction.atomic
def booking_create(
    *,
    actor: Any,
    resource_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    people: int,
    purpose: str,
) -> Booking:
    resource = _venue(actor, resource_id)
    purpose = require_text(purpose, field="purpose", label=_("用途"), max_length=100)
    return _book(actor, resource, starts_at, ends_at, people, purpose)


@transaction.atomic
def booking_series(
    *,
    actor: Any,
    resource_id: int,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    weeks: int,
    people: int,
    purpose: str,
) -> tuple[list[Booking], list[Skipped]]:
    """The same slot every week for `weeks` weeks; dates that are taken, closed or outside
    the hours are skipped and named. Nothing is booked when no date can be."""
    resource = _venue(actor, resource_id)
    purpose = require_text(purpose, field="purpose", label=_("用途"), max_length=100)
    if not 1 <= weeks <= MAX_WEEKS:
        raise ValidationFailed(_("重复周数应在 1 到 26 之间。"), field="weeks")
    series = uuid.uuid4().hex
    made: list[Booking] = []
    skipped: list[Skipped] = []
    tz = timezone.get_current_timezone()
    first_a, first_b = timezone.localtime(starts_at, tz), timezone.localtime(ends_at, tz)
    for week in range(weeks):
        # Same wall-clock time each week (local), whatever the offset.
        a = dt.datetime.combine(first_a.date() + dt.timedelta(weeks=week), first_a.time(), tz)
        b = a + (first_b - first_a)
        try:
            with transaction.atomic():
                made.append(_book(actor, resource, a, b, people, purpose, series))
        except (Conflict, ValidationFailed) as exc:
            if week == 0 and exc.field == "people":
                raise
            skipped.append(Skipped(a, exc.message))
    if not made:
        raise Conflict(_("所选的日期都无法预约:%(why)s") % {"why": skipped[0].reason}, code="none")
    return made, skipped


def _lock_own(actor: Any, booking_id: int) -> Booking:
    found = Booking.objects.visible_to(actor).filter(pk=booking_id).values_list("pk").first()
    if found is None:
        raise NotFound(_("找不到该预约。"))
    booking = Booking.objects.select_for_update().select_related("resource").get(pk=booking_id)
    if booking.booked_by_id != actor.pk and not manages(actor, booking.resource.community_id):
        raise PermissionDenied(_("只能办理自己的预约。"))
    return booking


@transaction.atomic
def booking_check_in(*, actor: Any, booking_id: int, people: int | None = None) -> Booking:
    booking = _lock_own(actor, booking_id)
    now = timezone.now()
    if booking.status != BookingStatus.BOOKED:
        raise Conflict(
            _("该预约当前为「%(status)s」,不能签到。") % {"status": booking.get_status_display()},
            code="illegal_transition",
        )
    if now < booking.starts_at - CHECK_IN_EARLY:
        raise ValidationFailed(_("开始前 30 分钟内才能签到。"), code="too_early")
    if now > booking.starts_at + CHECK_IN_GRACE:
        raise Conflict(_("已超过开始后 15 分钟,预约已释放。"), code="released")
    if people is not None and not 0 <= people <= booking.resource.capacity:
        raise ValidationFailed(_("到场人数超过场地容量。"), field="people")
    booking.status = BookingStatus.CHECKED_IN
    booking.checked_in_at = now
    booking.used_people = people if people is not None else booking.people
    booking.save(update_fields=["status", "checked_in_at", "used_people", "updated_at"])
    record(actor, AuditAction.BOOKING, booking, step="check_in")
    return booking


@transaction.atomic
def booking_cancel(*, actor: Any, booking_id: int) -> Booking:
    booking = _lock_own(actor, booking_id)
    if booking.status != BookingStatus.BOOKED or booking.starts_at <= timezone.now():
        raise Conflict(_("只能取消尚未开始的预约。"), code="illegal_transition")
    booking.status = BookingStatus.CANCELLED
    booking.save(update_fields=["status", "updated_at"])
    record(actor, AuditAction.BOOKING, booking, step="cancel")
    return booking


def bookings_sweep(*, now: dt.datetime | None = None) -> tuple[int, int]:
    """Release bookings not checked in within 15 minutes of their start; close the used
    ones that have ended. Returns (released, done). Safe to run several at once."""
    now = now or timezone.now()
    released = done = 0
    with transaction.atomic():
        late = Booking.objects.select_for_update(skip_locked=True, of=("self",)).filter(
            status=BookingStatus.BOOKED, starts_at__lte=now - CHECK_IN_GRACE
        )
        for booking in late.select_related("booked_by"):
            booking.status = BookingStatus.RELEASED
            booking.released_at = now
            booking.save(update_fields=["status", "released_at", "updated_at"])
            record(None, AuditAction.BOOKING, booking, step="release")
            tell(booking.booked_by, _("您的预约未在开始后 15 分钟内签到,已释放"))
            released += 1
        done = Booking.objects.filter(status=BookingStatus.CHECKED_IN, ends_at__lte=now).update(
            status=BookingStatus.DONE, updated_at=now
        )
    return released, done
