"""Attendance (MATCH-3): the volunteer records the service, the person served confirms it
and the hours go into the time bank through the ledger's services (LEDGER-1), never written
here; a no-show is recorded. Reliability follows from both counts."""

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed
from linli.ledger.models import ServiceRecord
from linli.ledger.services.timebank import service_record_confirm, service_record_create
from linli.matching import policy
from linli.matching.choices import AuditAction, MatchStatus, NeedStatus
from linli.matching.models import Match, Need, Resource
from linli.matching.services.common import record, tell
from linli.matching.services.invitations import _lock


def _accepted(need: Need) -> Match | None:
    return need.matches.filter(status=MatchStatus.ACCEPTED).select_related("resource").first()


@transaction.atomic
def match_served(*, actor: Any, match_id: int, minutes: int) -> Need:
    """The volunteer says the service took place: a time-bank record waits for the person
    served to confirm it."""
    need, match = _lock(actor, match_id)
    policy.require(actor, need, policy.Action.SERVED, match)
    if need.starts_at > timezone.now():
        raise ValidationFailed(_("服务开始后才能登记已服务。"), field="minutes")
    if need.resident_id is None:
        raise ValidationFailed(_("该需求没有登记服务对象,无法记入时间银行。"))
    rec = service_record_create(
        actor=actor,
        served_on=timezone.localdate(need.starts_at),
        minutes=minutes,
        service=need.title,
        idempotency_key=f"matching-{match.pk}",
        resident=need.resident_id,
    )
    match.status = MatchStatus.SERVED
    match.save(update_fields=["status", "updated_at"])
    need.status = NeedStatus.SERVED
    need.service_record_id = rec.pk
    need.save(update_fields=["status", "service_record_id", "updated_at"])
    record(actor, AuditAction.MATCH, match, step="served", record=rec.pk, minutes=minutes)
    return need


@transaction.atomic
def need_confirm(*, actor: Any, need: Need) -> Need:
    """The person served (or their grid worker, through the ledger's rule) confirms."""
    need = Need.objects.select_for_update().get(pk=need.pk)
    policy.require(actor, need, policy.Action.CONFIRM)
    rec = ServiceRecord(pk=need.service_record_id)
    service_record_confirm(actor=actor, record=rec)
    need.status = NeedStatus.DONE
    need.save(update_fields=["status", "updated_at"])
    served = need.matches.filter(status=MatchStatus.SERVED).first()
    if served is not None:
        Resource.objects.filter(pk=served.resource_id).update(served_count=F("served_count") + 1)
    record(actor, AuditAction.NEED, need, step="confirm", record=need.service_record_id)
    return need


@transaction.atomic
def need_no_show(*, actor: Any, need: Need) -> Need:
    need = Need.objects.select_for_update().get(pk=need.pk)
    match = _accepted(need)
    policy.require(actor, need, policy.Action.NO_SHOW, match)
    if need.starts_at > timezone.now():
        raise ValidationFailed(_("服务时间到了之后才能登记未到场。"))
    assert match is not None
    match.status = MatchStatus.NO_SHOW
    match.save(update_fields=["status", "updated_at"])
    Resource.objects.filter(pk=match.resource_id).update(no_show_count=F("no_show_count") + 1)
    need.status = NeedStatus.NO_SHOW
    need.save(update_fields=["status", "updated_at"])
    record(actor, AuditAction.NEED, need, step="no_show", match=match.pk)
    tell(match.volunteer, _("「%(title)s」登记为未到场") % {"title": need.title})
    return need
