"""Residents' rights over their own record (PEOPLE-7) and their privacy choices (PEOPLE-6).

A resident asks for a correction (a task for the community workers, who apply it through
`resident_update`), withdraws consent for optional data (erased, not hidden), gives it again,
and chooses who besides the grid worker sees their alerts and optional data; a family member
sees linked relatives as those choices allow. Every step is an audit entry. What the resident
sees and exports is in rights_data.py."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.core.roles import Role
from linli.geo.scope import Scope, community_handlers
from linli.people.choices import FIELDS, Audience, AuditAction, CorrectionStatus
from linli.people.models import CorrectionRequest, Resident
from linli.people.policy import can_handle_requests
from linli.people.selectors import access_for, alert_audience, list_audited, visible_to
from linli.people.services.records import (
    TEXT_LIMIT,
    WRITABLE,
    RecordView,
    resident_read,
    resident_update,
)
from linli.people.services.rights_data import field_display, own_record

OPTIONAL_FIELDS = ("skills", "health_notes")
# Corrections: every field but the derived masked phone and the optional data, which the
# resident edits themselves.
CORRECTABLE = [f for f in FIELDS if f not in ("phone_masked", *OPTIONAL_FIELDS)]
# Applied through resident_update; the others (address, tags, contacts) are changed where they
# live, then the request is marked done with a reply.
APPLICABLE = [f for f in CORRECTABLE if f in WRITABLE]
NOT_CLEARABLE = ("full_name", "sex", "birth_year")
MESSAGE_LIMIT = 500
REPLY_LIMIT = 300
OPEN_LIMIT = 10
COMMUNITY = "resident__household__building__grid__community"


# ---- Corrections (a task for the community workers) -------------------------------------


def _community_staff(resident: Resident) -> list[Any]:
    """Who takes the task: the community workers, else (none on the roll) the secretary."""
    h = resident.household
    if h is None:
        return []
    return community_handlers(h.building.grid.community_id)


@transaction.atomic
def correction_request(*, actor: Any, field: str, message: str) -> CorrectionRequest:
    resident = own_record(actor=actor)
    if field not in CORRECTABLE:
        raise ValidationFailed(_("请选择要更正的项目。"), field="field")
    message = (message or "").strip()
    if len(message) < 2:
        raise ValidationFailed(_("请写明哪里不对、正确的是什么。"), field="message")
    if len(message) > MESSAGE_LIMIT:
        raise ValidationFailed(
            _("请控制在%(limit)s字以内。") % {"limit": MESSAGE_LIMIT}, field="message"
        )
    staff = _community_staff(resident)
    if not staff:
        raise ValidationFailed(_("您的档案还没有登记所在社区,请到社区居委会当面办理。"))
    open_ = resident.corrections.filter(status=CorrectionStatus.OPEN)
    if open_.filter(field=field).exists():
        raise Conflict(_("这一项已有一个待处理的更正申请,请等待社区回复。"), field="field")
    if open_.count() >= OPEN_LIMIT:
        raise Conflict(_("待处理的更正申请太多了,请等社区处理后再提交。"))
    correction = CorrectionRequest.objects.create(
        resident=resident, requested_by=actor, field=field, message=message
    )
    audit_record(
        actor=actor,
        action=AuditAction.CORRECTION_REQUESTED,
        obj=correction,
        data={"resident": resident.pk, "field": field},
    )
    for user in staff:
        notification_send(
            recipient=user,
            title="有一条居民信息更正申请待处理",
            body=f"项目:{FIELDS[field][1]}。请在“更正申请”中处理。",
            url=reverse("people:corrections"),
        )
    return correction


def corrections_to_handle(*, actor: Any) -> QuerySet[CorrectionRequest]:
    """Requests of residents of the communities the actor works for."""
    if not can_handle_requests(actor):
        return CorrectionRequest.objects.none()
    place = Scope.for_actor(actor).q(community=COMMUNITY)
    return CorrectionRequest.objects.filter(place).select_related(
        "resident__household__building", "handled_by"
    )


def corrections_listed(*, actor: Any, rows: list[CorrectionRequest]) -> None:
    """The task list shows residents' names and addresses: one audit entry naming them, like
    the staff resident list, so it appears in each resident's access history."""
    list_audited(
        actor=actor,
        ids=sorted({c.resident_id for c in rows}),
        fields=["full_name", "address"],
        purpose="处理更正申请",
    )


def _open_for_handling(actor: Any, correction_id: int) -> CorrectionRequest:
    found = (
        corrections_to_handle(actor=actor)
        .select_for_update(of=("self",))
        .filter(pk=correction_id)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到这条更正申请。"))
    if found.status != CorrectionStatus.OPEN:
        raise Conflict(_("这条更正申请已经处理过了。"))
    return found


def _reply(reply: str, *, required: bool) -> str:
    reply = (reply or "").strip()
    if required and len(reply) < 2:
        raise ValidationFailed(_("请写一句答复,告诉居民怎么处理的。"), field="reply")
    if len(reply) > REPLY_LIMIT:
        raise ValidationFailed(
            _("答复请控制在%(limit)s字以内。") % {"limit": REPLY_LIMIT}, field="reply"
        )
    return reply


def _close(actor: Any, correction: CorrectionRequest, status: str, reply: str) -> CorrectionRequest:
    correction.status = status
    correction.handled_by = actor
    correction.handled_at = timezone.now()
    correction.reply = reply
    correction.save(update_fields=["status", "handled_by", "handled_at", "reply", "updated_at"])
    done = status == CorrectionStatus.DONE
    audit_record(
        actor=actor,
        action=AuditAction.CORRECTION_APPLIED if done else AuditAction.CORRECTION_REFUSED,
        obj=correction,
        data={"resident": correction.resident_id, "field": correction.field},
    )
    user = correction.requested_by
    label = FIELDS.get(correction.field, ("", correction.field))[1]
    notification_send(
        recipient=user,
        title="您的信息更正申请已办理" if done else "您的信息更正申请未能办理",
        body=(f"“{label}”已更正。" if done else f"“{label}”没有更改。") + (reply or ""),
        url=reverse("people:me"),
    )
    return correction


@transaction.atomic
def correction_apply(
    *, actor: Any, correction_id: int, value: str = "", clear: bool = False, reply: str = ""
) -> CorrectionRequest:
    """Apply the correction. For a record field the new value goes through `resident_update`
    (validated there; a bad value changes nothing); for the address, tags and contacts the
    worker changes them where they live and confirms here with a reply."""
    correction = _open_for_handling(actor, correction_id)
    name = correction.field
    reply = _reply(reply, required=name not in APPLICABLE)
    if name in APPLICABLE:
        value = (value or "").strip() if isinstance(value, str) else str(value)
        if clear and name in NOT_CLEARABLE:
            raise ValidationFailed(_("这一项不能清空。"), field="value")
        if not value and not clear:
            raise ValidationFailed(_("请填写更正后的内容。"), field="value")
        if name == "birth_year" and not (value.isdigit() and len(value) == 4):
            raise ValidationFailed(_("出生年份请填写4位数字。"), field="value")
        if not access_for(actor=actor, resident=correction.resident).allows(name):
            raise PermissionDenied(
                _("修改这一项需要先申请查看权限(说明用途,经社区书记批准)。"), field="value"
            )
        resident_update(
            actor=actor,
            resident_id=correction.resident_id,
            values={name: "" if clear else value},
            purpose="居民申请更正",
        )
    return _close(actor, correction, CorrectionStatus.DONE, reply)


@transaction.atomic
def correction_refuse(*, actor: Any, correction_id: int, reply: str) -> CorrectionRequest:
    correction = _open_for_handling(actor, correction_id)
    return _close(actor, correction, CorrectionStatus.REFUSED, _reply(reply, required=True))


# ---- Optional data and consent ----------------------------------------------------------


@transaction.atomic
def consent_withdraw(*, actor: Any) -> list[str]:
    """Erase the optional data (values set to '', optional contacts deleted) and clear the
    consent. Returns what was erased (field names, "contacts")."""
    resident = Resident.objects.select_for_update().get(pk=own_record(actor=actor).pk)
    erased = [name for name in OPTIONAL_FIELDS if getattr(resident, name)]
    contacts = resident.contacts.filter(optional=True)
    count = contacts.count()
    if not erased and not count and resident.optional_consent_at is None:
        raise ValidationFailed(_("您没有提供过自愿信息,无需撤回。"))
    for name in OPTIONAL_FIELDS:
        setattr(resident, name, "")
    resident.optional_consent_at = None
    resident.save(update_fields=[*OPTIONAL_FIELDS, "optional_consent_at", "updated_at"])
    contacts.delete()
    if count:
        erased.append("contacts")
    audit_record(
        actor=actor,
        action=AuditAction.CONSENT_WITHDRAWN,
        obj=resident,
        data={"fields": erased, "contacts_deleted": count},
    )
    return erased


@transaction.atomic
def optional_data_give(*, actor: Any, skills: str, health_notes: str) -> Resident:
    """The resident gives (or changes) optional data; giving it records the consent."""
    resident = Resident.objects.select_for_update().get(pk=own_record(actor=actor).pk)
    values = {"skills": (skills or "").strip(), "health_notes": (health_notes or "").strip()}
    if not any(values.values()):
        raise ValidationFailed(_("请至少填写一项。不想提供可以不填。"), field="skills")
    for name, value in values.items():
        if len(value) > TEXT_LIMIT:
            raise ValidationFailed(
                _("内容过长(不超过%(limit)s字)。") % {"limit": TEXT_LIMIT}, field=name
            )
    changed = [n for n, v in values.items() if getattr(resident, n) != v]
    for name, value in values.items():
        setattr(resident, name, value)
    resident.optional_consent_at = resident.optional_consent_at or timezone.now()
    resident.save(update_fields=[*OPTIONAL_FIELDS, "optional_consent_at", "updated_at"])
    audit_record(
        actor=actor, action=AuditAction.OPTIONAL_GIVEN, obj=resident, data={"fields": changed}
    )
    return resident


# ---- Privacy choices (PEOPLE-6) ---------------------------------------------------------


@transaction.atomic
def privacy_set(*, actor: Any, alerts_audience: str, optional_audience: str) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=own_record(actor=actor).pk)
    if alerts_audience not in Audience.values:
        raise ValidationFailed(_("请选择预警消息给谁看。"), field="alerts_audience")
    if optional_audience not in Audience.values:
        raise ValidationFailed(_("请选择自愿提供的信息给谁看。"), field="optional_audience")
    before = (resident.alerts_audience, resident.optional_audience)
    resident.alerts_audience = alerts_audience
    resident.optional_audience = optional_audience
    if before != (alerts_audience, optional_audience):
        resident.save(update_fields=["alerts_audience", "optional_audience", "updated_at"])
        audit_record(
            actor=actor,
            action=AuditAction.PRIVACY_SET,
            obj=resident,
            data={"alerts_audience": alerts_audience, "optional_audience": optional_audience},
        )
    return resident


# ---- Family view ------------------------------------------------------------------------


@dataclass
class RelativeView:
    record: RecordView
    rows: list[tuple[str, str]]  # (label, value) of the basic fields shown
    alerts_to_me: bool
    optional_shared: bool


def family_relatives(*, actor: Any) -> list[RelativeView]:
    """A family member's linked relatives (via Contact.user), each read as an audited view:
    basic data, and the optional data only when the relative shares it with family."""
    if actor.role != Role.FAMILY:
        return []
    ids = list(visible_to(actor).order_by("full_name", "pk").values_list("pk", flat=True))
    out = []
    for resident_id in ids:
        view = resident_read(actor=actor, resident_id=resident_id, purpose="家属查看")
        audience = {u.pk for u in alert_audience(resident=view.resident)}
        rows = [
            (label, field_display(view.resident, name, view.data[name]))
            for name, (_tier, label) in FIELDS.items()
            if name in view.data and name not in ("tags", "contacts", *OPTIONAL_FIELDS)
        ]
        out.append(
            RelativeView(
                record=view,
                rows=rows,
                alerts_to_me=actor.pk in audience,
                optional_shared=view.access.allows("skills"),
            )
        )
    return out
