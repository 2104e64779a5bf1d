"""Decisions of the one-stop services (station, SERVE-2) written on the record: a
certificate with its number and date, a 低保 grant as its finance-tier tag (so it is as
protected as the assistance field), and a correction a resident asks for at the window.
Station checks that the actor decides for the service; each write is an audit entry."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.core.roles import COMMUNITY_ROLES, Role
from linli.people.choices import FIELDS, AuditAction, CorrectionStatus
from linli.people.models import CorrectionRequest, Credential, Resident, ResidentTag, Tag
from linli.people.selectors import resident_get
from linli.people.services.rights import CORRECTABLE, MESSAGE_LIMIT, _community_staff

DECIDER_ROLES = (Role.DEPT_OFFICER, Role.SYSADMIN)


def _decider(actor: Any) -> None:
    if getattr(actor, "role", "") not in DECIDER_ROLES:
        raise PermissionDenied(_("只有审批部门可以把决定写入档案。"))


@transaction.atomic
def credential_record(
    *,
    actor: Any,
    resident_id: int,
    kind: str,
    name: str,
    number: str,
    issued_on: dt.date,
    valid_until: dt.date | None = None,
    source: str = "",
) -> Credential:
    _decider(actor)
    number = (number or "").strip()
    if not 1 <= len(number) <= 40:
        raise ValidationFailed(_("请填写证号(40字以内)。"), field="number")
    resident = Resident.objects.select_for_update().get(pk=resident_id)
    cred = Credential.objects.create(
        resident=resident,
        kind=kind,
        name=name,
        number=number,
        issued_on=issued_on,
        valid_until=valid_until,
        source=source[:60],
    )
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=resident,
        data={"fields": ["credentials"], "kind": kind, "purpose": source[:100]},
    )
    return cred


@transaction.atomic
def assistance_record(
    *, actor: Any, resident_id: int, code: str, valid_until: dt.date | None, source: str = ""
) -> None:
    """A granted 低保 (or other finance-tier assistance): its tag, and the assistance field."""
    _decider(actor)
    tag = Tag.objects.filter(code=code).first()
    if tag is None:
        raise ValidationFailed(_("没有这个救助类别。"), field="code")
    resident = Resident.objects.select_for_update().get(pk=resident_id)
    ResidentTag.objects.update_or_create(
        resident=resident, tag=tag, defaults={"valid_until": valid_until}
    )
    if resident.assistance != tag.name:
        resident.assistance = tag.name
        resident.save(update_fields=["assistance", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.CHANGED,
        obj=resident,
        data={"fields": ["tags", "assistance"], "purpose": source[:100]},
    )


@transaction.atomic
def correction_request_at_window(
    *, actor: Any, resident_id: int, field: str, message: str
) -> CorrectionRequest:
    """The resident, present at the window, says a record field is wrong: the same task for
    the community workers as `rights.correction_request`, entered by the clerk."""
    if getattr(actor, "role", "") not in COMMUNITY_ROLES:
        raise PermissionDenied(_("只有社区窗口工作人员可以代为申请更正。"))
    resident = resident_get(actor=actor, resident_id=resident_id)
    if field not in CORRECTABLE:
        raise ValidationFailed(_("请选择要更正的项目。"), field="field")
    message = (message or "").strip()
    if not 2 <= len(message) <= MESSAGE_LIMIT:
        raise ValidationFailed(_("请写明哪里不对、正确的是什么。"), field="message")
    if resident.corrections.filter(status=CorrectionStatus.OPEN, field=field).exists():
        raise Conflict(_("这一项已有一个待处理的更正申请,请等待社区回复。"), field="field")
    correction = CorrectionRequest.objects.create(
        resident=resident, requested_by=actor, field=field, message=message
    )
    audit_record(
        actor=actor,
        action=AuditAction.CORRECTION_REQUESTED,
        obj=correction,
        data={"resident": resident.pk, "field": field, "window": True},
    )
    for user in _community_staff(resident):
        notification_send(
            recipient=user,
            title="有一条居民信息更正申请待处理",
            body=f"项目:{FIELDS[field][1]}。请在“更正申请”中处理。",
            url=reverse("people:corrections"),
        )
    return correction
