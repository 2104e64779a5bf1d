from typing import Any

from django.db import transaction
from django.utils import timezone

from linli.casework.choices import EventKind
from linli.casework.models import Case, CaseEvent
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.geo.models import Department

NOT_ALLOWED = "您没有办理该诉求这一步的权限。"


def refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied(NOT_ALLOWED)


def require_status(case: Case, *allowed: str, action: str) -> None:
    if case.status not in allowed:
        raise Conflict(
            f"诉求当前状态为「{case.get_status_display()}」,不能{action}。",
            code="illegal_transition",
        )


def require_text(value: str, *, field: str, label: str, max_length: int = 500) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed(f"请填写{label}。", field=field)
    if len(text) > max_length:
        raise ValidationFailed(f"{label}不能超过 {max_length} 字。", field=field)
    return text


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
    """Timeline entry + audit entry (same transaction) + reporter notice after commit."""
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
    audit_record(
        actor=actor,
        action=f"case.{kind}",
        obj=case,
        data={"from": from_status, "to": case.status, "unit": unit.pk if unit else None},
    )
    if notify_reporter and case.reporter_id and public:
        title = f"您的诉求 {case.tracking_no}:{EventKind(kind).label}"
        notification_send(
            recipient=case.reporter,
            title=title,
            body=note if kind != EventKind.NOTE else "",
            url=f"/cases/{case.tracking_no}/",
            channels=("sms",),
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
