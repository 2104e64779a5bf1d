"""Access grants (PEOPLE-3): a purpose stated, the community secretary decides, time-limited,
revocable. Each step is an audit entry."""

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.core.audit.services import audit_record
from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.notifications.services import notification_send
from linli.core.roles import Role
from linli.core.text import optional_text
from linli.geo.scope import Scope, secretaries_q, street_admins_q
from linli.people.choices import GRANT_TIERS, AuditAction, GrantStatus
from linli.people.models import AccessGrant, Resident
from linli.people.policy import can_request_grant
from linli.people.selectors import case_visible, resident_get

DEFAULT_DAYS = 7
MAX_DAYS = 30


def _community_id(resident: Resident) -> int | None:
    h = resident.household
    return h.building.grid.community_id if h is not None else None


def deciders_q(community_id: int | None) -> Q:
    """The secretary of the resident's community decides."""
    return secretaries_q(community_id) if community_id is not None else Q(pk__in=[])


@transaction.atomic
def grant_request(
    *,
    actor: Any,
    resident_id: int,
    tiers: list[str],
    purpose: str,
    days: int = DEFAULT_DAYS,
    case_id: int | None = None,
) -> AccessGrant:
    if not can_request_grant(actor):
        raise PermissionDenied(_("您的岗位不能申请查看敏感信息。"))
    resident = resident_get(actor=actor, resident_id=resident_id)
    wanted = sorted(set(tiers))
    if not wanted or any(t not in GRANT_TIERS for t in wanted):
        raise ValidationFailed(_("请选择要查看的信息类别(身份、健康或经济)。"), field="tiers")
    purpose = (purpose or "").strip()
    if len(purpose) < 4:
        raise ValidationFailed(_("请写明用途(至少4个字),例如“办理残疾人补贴”。"), field="purpose")
    if len(purpose) > 200:
        raise ValidationFailed(_("用途请控制在200字以内。"), field="purpose")
    if not 1 <= int(days) <= MAX_DAYS:
        raise ValidationFailed(_("有效期为1到%(days)s天。") % {"days": MAX_DAYS}, field="days")
    if AccessGrant.objects.filter(
        requester=actor, resident=resident, status=GrantStatus.PENDING
    ).exists():
        raise Conflict(_("您对这位居民已有一个待审批的申请。"))
    if case_id is not None and not case_visible(actor=actor, case_id=case_id):
        raise ValidationFailed(_("关联的诉求不存在或您无权查看。"), field="case_id")
    grant = AccessGrant.objects.create(
        requester=actor,
        resident=resident,
        tiers=wanted,
        purpose=purpose,
        days=int(days),
        case_id=case_id,
    )
    audit_record(
        actor=actor,
        action=AuditAction.GRANT_REQUESTED,
        obj=grant,
        data={"resident": resident.pk, "tiers": wanted, "purpose": purpose[:100]},
    )
    _notify_deciders(grant, resident)
    return grant


def _notify_deciders(grant: AccessGrant, resident: Resident) -> None:
    if grant.requester.role == Role.SECRETARY:
        street_id = resident.household.building.grid.community.street_id  # type: ignore[union-attr]
        # No one approves their own: a secretary's request goes to the street office.
        place = street_admins_q(street_id)
    else:
        place = deciders_q(_community_id(resident))
    deciders = User.objects.filter(place, is_active=True).exclude(pk=grant.requester_id)
    for user in deciders.distinct():
        notification_send(
            recipient=user,
            title="有一个查看居民敏感信息的申请待审批",
            body="请在“数据访问审批”中处理。",
            url=reverse("people:grants"),
        )


def grants_to_decide(*, actor: Any) -> QuerySet[AccessGrant]:
    """Grants the actor decides: on residents of the communities they are secretary of, or for
    a street admin the requests of those secretaries; never their own."""
    scope = Scope.for_actor(actor)
    communities, streets = sorted(scope.secretary_of), sorted(scope.street_ids)
    place = "resident__household__building__grid__community"
    # A secretary's own request goes to the street office (no one approves their own).
    q = Q(**{f"{place}_id__in": communities}) | Q(
        **{f"{place}__street_id__in": streets}, requester__role=Role.SECRETARY
    )
    return (
        AccessGrant.objects.filter(q)
        .exclude(requester=actor)
        .select_related("requester", "resident", "decided_by")
    )


@transaction.atomic
def grant_decide(*, actor: Any, grant_id: int, approve: bool, note: str = "") -> AccessGrant:
    grant = (
        grants_to_decide(actor=actor).select_for_update(of=("self",)).filter(pk=grant_id).first()
    )
    if grant is None:
        raise NotFound(_("没有找到这个申请。"))
    if grant.status != GrantStatus.PENDING:
        raise Conflict(_("这个申请已经处理过了。"))
    now = timezone.now()
    grant.status = GrantStatus.APPROVED if approve else GrantStatus.REFUSED
    grant.decided_by = actor
    grant.decided_at = now
    grant.decision_note = optional_text(note, field="note", label=_("说明"), max_length=200)
    grant.expires_at = now + dt.timedelta(days=grant.days) if approve else None
    grant.save()
    audit_record(
        actor=actor,
        action=AuditAction.GRANT_APPROVED if approve else AuditAction.GRANT_REFUSED,
        obj=grant,
        data={"resident": grant.resident_id, "tiers": grant.tiers},
    )
    notification_send(
        recipient=grant.requester,
        title="您的查看申请已批准" if approve else "您的查看申请未获批准",
        body=grant.decision_note or "",
        url=reverse("people:detail", kwargs={"resident_id": grant.resident_id}),
    )
    return grant


@transaction.atomic
def grant_revoke(*, actor: Any, grant_id: int) -> AccessGrant:
    """The secretary who could approve it, or the requester giving it back."""
    qs = AccessGrant.objects.filter(pk=grant_id)
    grant = (
        qs.filter(Q(requester=actor) | Q(pk__in=grants_to_decide(actor=actor).values("pk")))
        .select_for_update(of=("self",))
        .first()
        if can_request_grant(actor)
        else None
    )
    if grant is None:
        raise NotFound(_("没有找到这个申请。"))
    if grant.status not in (GrantStatus.APPROVED, GrantStatus.PENDING):
        raise Conflict(_("这个申请已不在有效状态。"))
    grant.status = GrantStatus.REVOKED
    grant.revoked_at = timezone.now()
    grant.save()
    audit_record(
        actor=actor,
        action=AuditAction.GRANT_REVOKED,
        obj=grant,
        data={"resident": grant.resident_id},
    )
    return grant


def grants_of(*, actor: Any) -> QuerySet[AccessGrant]:
    return AccessGrant.objects.filter(requester=actor).select_related("resident", "decided_by")
