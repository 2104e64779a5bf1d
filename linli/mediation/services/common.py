"""What every mediation step shares: the lock, the stage stamps, the audit entry and the
parties' messages. A step is: lock → policy.require → validate → save → stamp + audit →
messages (delivered after commit)."""

import datetime as dt
from typing import Any

from django.urls import reverse
from django.utils import timezone

from linli.core.audit.services import audit_record
from linli.core.notifications.models import Channel
from linli.core.notifications.services import notification_send
from linli.mediation.choices import Action, AuditAction, Stage
from linli.mediation.models import Dispute, StageStamp


def lock(dispute: Dispute) -> Dispute:
    return Dispute.objects.select_for_update().get(pk=dispute.pk)


def stamp(
    dispute: Dispute, stage: Stage, *, actor: Any, at: dt.datetime | None = None, note: str = ""
) -> None:
    """Stamp `stage`, and every earlier stage not stamped yet as skipped at the same time."""
    at = at or timezone.now()
    done = set(StageStamp.objects.filter(dispute=dispute).values_list("stage", flat=True))
    rows = [
        StageStamp(dispute=dispute, stage=s, at=at, skipped=True, actor=actor)
        for s in Stage
        if s < stage and s not in done
    ]
    if stage not in done:
        rows.append(StageStamp(dispute=dispute, stage=stage, at=at, actor=actor, note=note))
    StageStamp.objects.bulk_create(rows)


def record(dispute: Dispute, *, actor: Any, action: Action, before: str, **data: Any) -> None:
    """The audit entry of a step: ids and names of what changed, never personal text."""
    audit_record(
        actor=actor,
        action=AuditAction.STEP,
        obj=dispute,
        data={"step": action.value, "from": before, "to": dispute.status, **data},
    )


def dispute_url(dispute: Dispute) -> str:
    return reverse("mediation:dispute", args=[dispute.pk])


def tell_parties(dispute: Dispute, title: str) -> None:
    """Residents who are parties get a message in their inbox (and SMS)."""
    users: dict[int, Any] = {}
    for party in dispute.parties.select_related("resident__user"):
        user = party.resident.user if party.resident is not None else None
        if user is not None:
            users[user.pk] = user
    for _pk, user in sorted(users.items()):
        notification_send(
            recipient=user, title=title, url=dispute_url(dispute), channels=(Channel.SMS,)
        )


def tell_users(users: Any, dispute: Dispute, title: str) -> None:
    for user in users:
        notification_send(recipient=user, title=title, url=dispute_url(dispute))
