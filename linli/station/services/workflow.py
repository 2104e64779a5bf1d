"""Tracking (SERVE-2): one step of an application. lock → policy.require → validate →
save → timeline + audit → the resident told. A grant writes the decision on the record
through people's services (a certificate number and date; 低保 as its finance-tier tag)."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import NotFound, ValidationFailed
from linli.core.notifications.models import Channel as NoteChannel
from linli.core.notifications.services import notification_send
from linli.people.services.decisions import assistance_record, credential_record
from linli.station import policy
from linli.station.catalogue import spec_of, value_clean
from linli.station.choices import Action, AuditAction, Effect, Source
from linli.station.models import Application, Document, Step, Value
from linli.station.services.applications import application_url, resident_of_user_id

NOTE_LIMIT = 300


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _write_decision(actor: Any, application: Application, number: str) -> None:
    service = application.service
    today = timezone.localdate()
    until = _years_later(today, service.valid_years) if service.valid_years else None
    if service.effect == Effect.CREDENTIAL:
        if not 1 <= len(number) <= 40:
            raise ValidationFailed(_("请填写发放的证号或编号。"), field="number")
        credential_record(
            actor=actor,
            resident_id=application.resident_id,
            kind=service.effect_kind,
            name=service.name,
            number=number,
            issued_on=today,
            valid_until=until,
            source=application.number,
        )
    elif service.effect == Effect.ASSISTANCE:
        assistance_record(
            actor=actor,
            resident_id=application.resident_id,
            code=service.effect_kind,
            valid_until=until,
            source=application.number,
        )


@transaction.atomic
def application_step(
    *,
    actor: Any,
    application_id: int,
    action: str,
    note: str = "",
    number: str = "",
    documents: dict[str, str] | None = None,
) -> Application:
    found = Application.objects.visible_to(actor).filter(pk=application_id).first()
    if found is None:
        raise NotFound(_("没有找到这份申请。"))
    try:
        act = Action(action)
    except ValueError:
        raise ValidationFailed(_("不认识的办理步骤。"), field="action") from None
    application = (
        Application.objects.select_for_update(of=("self",))
        .select_related("service", "resident__household__building__grid")
        .get(pk=found.pk)
    )
    step = policy.require(actor, application, act)
    note = (note or "").strip()
    number = (number or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ValidationFailed(_("说明请控制在300字以内。"), field="note")
    if act == Action.REFUSE and len(note) < 2:
        raise ValidationFailed(_("不予批准须写明理由。"), field="note")
    if act == Action.MORE and len(note) < 2:
        raise ValidationFailed(_("请写明需要补充什么材料。"), field="note")
    now = timezone.now()
    before = application.status
    if act == Action.SUPPLEMENT:
        _supplement(application, documents or {}, note)
    if act == Action.ACCEPT:
        Document.objects.filter(application=application).update(accepted_at=now)
    if act == Action.GRANT:
        _write_decision(actor, application, number)
        application.decision_number = number
    if act in (Action.GRANT, Action.REFUSE):
        application.decided_at = now
    if act in (Action.REFUSE, Action.MORE):
        application.reason = note
    application.status = step.target
    application.save()
    Step.objects.create(
        application=application,
        action=act.value,
        from_status=before,
        to_status=application.status,
        actor=actor,
        note=note if act in (Action.REFUSE, Action.MORE, Action.SUPPLEMENT) else "",
    )
    audit_record(
        actor=actor,
        action=AuditAction.STEP,
        obj=application,
        data={"step": act.value, "from": before, "to": application.status},
    )
    owner = resident_of_user_id(application.resident_id)
    if owner is not None and owner.pk != actor.pk:
        title = _("您的%(service)s申请:%(status)s") % {
            "service": application.service.name,
            "status": application.get_status_display(),
        }
        notification_send(
            recipient=owner,
            title=title,
            body=note if act in (Action.REFUSE, Action.MORE) else "",
            url=application_url(application),
            channels=(NoteChannel.SMS,),
        )
    return application


def _supplement(application: Application, documents: dict[str, str], note: str) -> None:
    """The applicant hands in what was asked for: new document references replace the old."""
    specs = {spec_of(r).key: spec_of(r) for r in application.service.fields}
    changed = 0
    for key, raw in documents.items():
        spec = specs.get(key)
        if spec is None or not spec.document:
            raise ValidationFailed(_("这份申请没有这项材料。"), field=key)
        value = value_clean(spec, raw)
        if not value:
            continue
        Value.objects.update_or_create(
            application=application, key=key, defaults={"value": value, "source": Source.TYPED}
        )
        Document.objects.filter(application=application, kind=spec.document).delete()
        Document.objects.create(
            resident_id=application.resident_id,
            kind=spec.document,
            reference=value,
            application=application,
        )
        changed += 1
    if not changed and len(note) < 2:
        raise ValidationFailed(_("请补充材料或写明补充的情况。"), field="documents")
