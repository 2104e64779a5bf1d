"""CASE-6 社区吹哨、部门报到: a community calls named departments to a cross-department
matter; each must report (respond on site) within 3 working days. Unreported calls are
escalated to the street office by the deadline sweep (casework.scheduled).

The reads used by the API (the street office board, one call) are at the end of the module.
"""

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.choices import OPEN_STATUSES, Action, AuditAction, EventKind
from linli.casework.models import Case, Whistle, WhistleCall
from linli.casework.notify import case_url, notify_users
from linli.casework.policy import can_report, require
from linli.casework.services.common import lock, record_step, refuse_unless
from linli.casework.units import staff_by_unit
from linli.core.audit.services import audit_record
from linli.core.calendar.selectors import add_working_days
from linli.core.errors import Conflict, NotFound, ValidationFailed
from linli.core.text import require_text
from linli.geo.models import Department

REPORT_WITHIN_WORKING_DAYS = 3
MAX_DEPARTMENTS = 20


@transaction.atomic
def whistle_blow(*, actor: Any, case: Case, departments: list[Department], reason: str) -> Whistle:
    case = lock(case)
    require(actor, case, Action.WHISTLE)
    reason = require_text(reason, field="reason", label=_("吹哨事由"), max_length=300)
    units = list({d.pk: d for d in departments}.values())
    if not units:
        raise ValidationFailed(_("请至少选择一个要报到的部门。"), field="departments")
    if len(units) > MAX_DEPARTMENTS:
        raise ValidationFailed(
            _("一次最多呼叫 %(n)s 个部门。") % {"n": MAX_DEPARTMENTS}, field="departments"
        )
    pending = (
        WhistleCall.objects.filter(
            whistle__case=case, department__in=units, reported_at__isnull=True
        )
        .select_related("department")
        .first()
    )
    if pending is not None:
        raise Conflict(
            _("已向「%(unit)s」吹哨,尚未报到,请勿重复吹哨。") % {"unit": pending.department.name},
            code="already_called",
            field="departments",
        )
    now = timezone.now()
    due = add_working_days(start=now, days=REPORT_WITHIN_WORKING_DAYS).due
    whistle = Whistle.objects.create(case=case, called_by=actor, reason=reason)
    WhistleCall.objects.bulk_create(
        [WhistleCall(whistle=whistle, department=d, due=due) for d in units]
    )
    names = "、".join(d.name for d in units)
    record_step(
        case=case,
        kind=EventKind.NOTE,
        actor=actor,
        from_status=case.status,
        note=f"社区吹哨:{names}。事由:{reason}",
        public=False,
    )
    audit_record(
        actor=actor,
        action=AuditAction.WHISTLE_BLOWN,
        obj=whistle,
        data={"case": case.pk, "departments": [d.pk for d in units]},
    )
    staff = staff_by_unit(units)
    local_due = timezone.localtime(due).strftime("%Y-%m-%d %H:%M")
    for d in units:
        notify_users(
            staff.get(d.pk, []),
            title=f"社区吹哨:请于 {local_due} 前就诉求 {case.tracking_no} 到场报到",
            body=f"{case.community.name}:{reason}",
            url=case_url(case.tracking_no),
            channels=("sms",),
        )
    return whistle


@transaction.atomic
def whistle_report(*, actor: Any, call: WhistleCall, note: str) -> WhistleCall:
    """部门报到: the called department says it has responded on site."""
    call = (
        WhistleCall.objects.select_for_update(of=("self",))
        .select_related("department", "whistle__case", "whistle__called_by")
        .get(pk=call.pk)
    )
    refuse_unless(can_report(actor, call))
    if call.reported_at is not None:
        raise Conflict(
            _("「%(unit)s」已经报到,无需重复报到。") % {"unit": call.department.name},
            code="already_reported",
        )
    note = require_text(note, field="note", label=_("报到情况"))
    call.reported_at, call.reported_by, call.report_note = timezone.now(), actor, note
    call.save(update_fields=["reported_at", "reported_by", "report_note", "updated_at"])
    case = call.whistle.case
    record_step(
        case=case,
        kind=EventKind.NOTE,
        actor=actor,
        from_status=case.status,
        note=f"部门报到:{call.department.name}。{note}",
        public=False,
        unit=call.department,
    )
    audit_record(
        actor=actor,
        action=AuditAction.WHISTLE_REPORTED,
        obj=call,
        data={"case": case.pk, "late": _late(call)},
    )
    notify_users(
        [call.whistle.called_by],
        title=f"{call.department.name}已就诉求 {case.tracking_no} 报到",
        body=note,
        url=case_url(case.tracking_no),
    )
    return call


def _late(call: WhistleCall) -> bool:
    return call.reported_at is not None and call.reported_at >= call.due


# --- reads --------------------------------------------------------------------------------


def open_whistles(*, actor: Any) -> QuerySet[WhistleCall]:
    """The street office board: calls not yet reported on cases still open, oldest due first."""
    return (
        WhistleCall.objects.visible_to(actor)
        .filter(reported_at__isnull=True, whistle__case__status__in=OPEN_STATUSES)
        .select_related(
            "department",
            "whistle__called_by",
            "whistle__case__category",
            "whistle__case__community",
        )
        .order_by("due", "pk")
    )


def whistle_call_get(*, actor: Any, call_id: int) -> WhistleCall:
    """A call the actor may see: its case is visible to them (a called department's officers
    see the case through the call)."""
    call = (
        WhistleCall.objects.filter(
            pk=call_id, whistle__case__in=Case.objects.visible_to(actor).values("pk")
        )
        .select_related("department", "whistle__case")
        .first()
    )
    if call is None:
        raise NotFound(_("找不到该吹哨报到任务。"))
    return call
