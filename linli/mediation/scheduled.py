"""The mediation sweep: the casework sweep's warning / overdue pattern on the two working-day
deadlines (accept within 3, conclude within 30 or as extended), plus the follow-up visits
that fall due and the day-20 court-confirmation reminder (Art. 33).

warn: an open dispute not yet warned, not yet due, with less than a quarter of its window
left (3 × (due − now) < now − start; start is registration for the accept deadline and
acceptance for the conclude deadline). overdue: past the deadline and not yet marked; the
community's secretary is told as well. Each step excludes what it did, so a second run
changes nothing; rows another sweep holds are skipped (SKIP LOCKED).
Run by `manage.py mediation_sweep [--loop SECONDS]`.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.choices import MembershipKind
from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.mediation.choices import WORKING_STATUSES, AuditAction, Status
from linli.mediation.models import Agreement, Dispute, FollowUp
from linli.mediation.services.common import tell_parties, tell_users


@dataclass(frozen=True)
class SweepResult:
    warned: int = 0
    overdue: int = 0
    follow_ups_due: int = 0
    court_reminders: int = 0


def _deadline(d: Dispute) -> tuple[dt.datetime, dt.datetime] | None:
    """(start, due) of the deadline that runs now."""
    if d.status == Status.REGISTERED:
        return d.created_at, d.accept_due
    if d.status in WORKING_STATUSES and d.conclude_due and d.accepted_at:
        return d.accepted_at, d.conclude_due
    return None


def _mediator_users(d: Dispute) -> list[Any]:
    return [a.mediator.user for a in d.mediators.select_related("mediator__user")]


def _secretaries(d: Dispute) -> list[Any]:
    return list(
        User.objects.filter(
            is_active=True,
            memberships__kind=MembershipKind.SECRETARY,
            memberships__community_id=d.community_id,
        ).distinct()
    )


@transaction.atomic
def mediation_sweep(now: dt.datetime | None = None) -> SweepResult:
    now = now or timezone.now()
    warned: list[int] = []
    overdue: list[int] = []
    open_ = Q(status=Status.REGISTERED) | Q(status__in=WORKING_STATUSES)
    rows = (
        Dispute.objects.filter(open_, overdue=False)
        .select_for_update(skip_locked=True, of=("self",))
        .order_by("pk")
    )
    for d in rows:
        window = _deadline(d)
        if window is None:
            continue
        start, due = window
        if now >= due:
            d.overdue = True
            d.save(update_fields=["overdue", "updated_at"])
            overdue.append(d.pk)
            title = _("纠纷 %(no)s 已超过期限") % {"no": d.number}
            tell_users(_mediator_users(d) + _secretaries(d), d, title)
        elif d.warned_at is None and 3 * (due - now) < now - start:
            d.warned_at = now
            d.save(update_fields=["warned_at", "updated_at"])
            warned.append(d.pk)
            title = _("纠纷 %(no)s 临近期限,请抓紧办理") % {"no": d.number}
            tell_users(_mediator_users(d), d, title)
    visits = (
        FollowUp.objects.filter(visited_at__isnull=True, reminded_at__isnull=True, due_at__lte=now)
        .filter(dispute__status=Status.AGREED)
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("dispute")
    )
    visits_due = 0
    for visit in visits:
        visit.reminded_at = now
        visit.save(update_fields=["reminded_at", "updated_at"])
        visits_due += 1
        title = _("纠纷 %(no)s 到了%(stage)s的时间") % {
            "no": visit.dispute.number,
            "stage": visit.get_stage_display(),
        }
        tell_users(_mediator_users(visit.dispute), visit.dispute, title)
    court = (
        Agreement.objects.filter(
            court_confirmation=True, court_reminded_at__isnull=True, court_remind_at__lte=now
        )
        .select_for_update(skip_locked=True, of=("self",))
        .select_related("dispute")
    )
    reminders = 0
    for agreement in court:
        agreement.court_reminded_at = now
        agreement.save(update_fields=["court_reminded_at", "updated_at"])
        reminders += 1
        title = _("调解协议 %(no)s:申请司法确认的30天期限还剩10天") % {
            "no": agreement.dispute.number
        }
        tell_parties(agreement.dispute, title)
        tell_users(_mediator_users(agreement.dispute), agreement.dispute, title)
    result = SweepResult(len(warned), len(overdue), visits_due, reminders)
    if warned or overdue or visits_due or reminders:
        audit_record(
            actor=None,
            action=AuditAction.SWEEP,
            object_type="mediation.dispute",
            data={
                "warned": warned,
                "overdue": overdue,
                "follow_ups": visits_due,
                "court_reminders": reminders,
            },
        )
    return result
