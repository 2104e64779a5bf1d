"""Reading the catalogue and applications. What a viewer sees of an application's values:
the resident all of their own; the deciding department exactly the service's fields (the
values table holds nothing else; the read is audited); window staff the labels, with
values of the basic and contact tiers only."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from linli.core.audit.services import audit_record
from linli.core.errors import NotFound
from linli.core.roles import Role
from linli.people.choices import Tier
from linli.station.catalogue import spec_of
from linli.station.choices import AuditAction
from linli.station.models import Application, Bundle, HelpSession, Receipt, Service
from linli.station.policy import Standing, offered

LIST_CAP = 200
OPEN_TIERS = (Tier.BASIC, Tier.CONTACT)


def catalogue() -> list[Service]:
    return list(Service.objects.filter(active=True).select_related("department"))


def bundles() -> list[Bundle]:
    return list(Bundle.objects.filter(active=True).prefetch_related("services"))


def service_get(code: str) -> Service:
    found = Service.objects.filter(code=code, active=True).select_related("department").first()
    if found is None:
        raise NotFound(_("没有这个服务事项。"))
    return found


def applications_for(actor: Any) -> QuerySet[Application]:
    return (
        Application.objects.visible_to(actor)
        .select_related("service", "department", "receipt")
        .order_by("-submitted_at", "-pk")
    )


@dataclass
class ValueView:
    key: str
    label: str
    value: str  # "" when this viewer does not see it
    source: str
    shown: bool


@dataclass
class ApplicationView:
    application: Application
    values: list[ValueView]
    actions: list[str]
    steps: list[Any]


@transaction.atomic
def application_view(*, actor: Any, application_id: int) -> ApplicationView:
    found = (
        Application.objects.visible_to(actor)
        .select_related("service", "department", "receipt", "resident__household__building__grid")
        .filter(pk=application_id)
        .first()
    )
    if found is None:
        raise NotFound(_("没有找到这份申请。"))
    standing = Standing(actor, found)
    own = actor.role == Role.RESIDENT
    specs = {spec_of(r).key: spec_of(r) for r in found.service.fields}
    rows: list[ValueView] = []
    for v in found.values.all():
        spec = specs.get(v.key)
        if spec is None:  # a field the city removed later: nobody needs it any more
            continue
        shown = own or standing.decider or spec.tier in OPEN_TIERS
        rows.append(
            ValueView(v.key, spec.label, v.value if shown else "", v.get_source_display(), shown)
        )
    if standing.decider:
        audit_record(
            actor=actor,
            action=AuditAction.DEPT_VIEWED,
            obj=found,
            data={"fields": [r.key for r in rows], "resident": found.resident_id},
        )
    steps = list(found.steps.select_related("actor"))
    return ApplicationView(found, rows, offered(actor, found), steps)


def receipt_get(*, actor: Any, receipt_id: int) -> tuple[Receipt, list[Application]]:
    apps = list(applications_for(actor).filter(receipt_id=receipt_id))
    if not apps:
        raise NotFound(_("没有找到这份回执。"))
    return apps[0].receipt, apps


def sessions_for(actor: Any) -> QuerySet[HelpSession]:
    """Upcoming and recent classes where the actor lives or works."""
    from django.utils import timezone

    from linli.geo.scope import Scope
    from linli.people.selectors import resident_of_user

    since = timezone.now() - dt.timedelta(days=7)
    qs = HelpSession.objects.filter(ends_at__gte=since).select_related("booking__resource")
    if actor.role == Role.SYSADMIN:
        return qs
    if actor.role in (Role.RESIDENT, Role.VOLUNTEER, Role.FAMILY):
        own = resident_of_user(actor)
        communities = {own.community_id} if own and own.community_id else set()
        if actor.role == Role.VOLUNTEER:
            return qs.filter(volunteers=actor) | qs.filter(community_id__in=communities)
        return qs.filter(community_id__in=communities)
    return qs.filter(community_id__in=Scope.for_actor(actor).community_ids)
