from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.casework.choices import AuditAction, EventKind
from linli.casework.models import Case, CaseEvent
from linli.casework.notify import case_headline, case_url
from linli.core.audit.services import audit_record
from linli.core.errors import PermissionDenied
from linli.core.notifications.services import notification_send
from linli.geo.models import Department


def refuse_unless(allowed: bool) -> None:
    """For checks outside the transition table (entering for a resident, reporting in)."""
    if not allowed:
        raise PermissionDenied(_("您没有办理该诉求这一步的权限。"))


def record_step(
    *,
    case: Case,
    kind: EventKind,
    actor: Any,
    from_status: str = "",
    note: str = "",
    public: bool = True,
    unit: Department | None = None,
    notify_reporter: bool = False,
) -> CaseEvent:
    """Timeline entry + audit entry + the reporter's inbox message, all in the caller's
    transaction (the SMS goes out after commit)."""
    event = CaseEvent.objects.create(
        case=case,
        kind=kind,
        at=timezone.now(),
        actor=actor if getattr(actor, "pk", None) else None,
        unit=unit,
        from_status=from_status,
        to_status=case.status,
        note=note,
        public=public,
    )
    if notify_reporter and public and not case.reporter_id and case.notify_phone:
        # 代办 for someone without an account: the step goes to the phone they gave.
        from linli.casework.tasks import sms_window_resident

        transaction.on_commit(partial(sms_window_resident.enqueue, event_id=event.pk))
    if notify_reporter and case.reporter_id and public:
        title = f"您反映的{case_headline(case)}:{EventKind(kind).label}"
        notification_send(
            recipient=case.reporter,
            title=title,
            # "Submitted" carries the channel for staff; the reporter knows how they sent it.
            body=note if kind not in (EventKind.NOTE, EventKind.SUBMITTED) else "",
            url=case_url(case.tracking_no),
            channels=("sms",),
        )
    # Last: the audit chain's head stays locked until the caller commits, and every audited
    # write anywhere waits for it.
    audit_record(
        actor=actor,
        action=AuditAction.of_step(kind),
        obj=case,
        data={"from": from_status, "to": case.status, "unit": unit.pk if unit else None},
    )
    return event


def lock(case: Case) -> Case:
    """Re-read the case under a row lock so two officers cannot move it at once."""
    assert transaction.get_connection().in_atomic_block
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("community", "category", "reporter")
        .get(pk=case.pk)
    )
