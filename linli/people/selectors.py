from typing import Any

from django.db.models import Q, QuerySet

from linli.accounts.choices import MembershipKind, Role
from linli.people.models import Resident


def visible_to(actor: Any) -> QuerySet[Resident]:
    """Residents in the places the actor works for (basic data only; PEOPLE-3 refines)."""
    qs = Resident.objects.all()
    if actor is None or not actor.is_authenticated:
        return qs.none()
    if actor.role == Role.SYSADMIN:
        return qs
    q = Q(pk__in=[])
    for m in actor.memberships.all():
        if m.kind == MembershipKind.GRID_WORKER:
            q |= Q(household__building__grid_id=m.grid_id)
        elif m.kind in (MembershipKind.COMMUNITY_WORKER, MembershipKind.SECRETARY):
            q |= Q(household__building__grid__community_id=m.community_id)
        elif m.kind == MembershipKind.STREET_ADMIN:
            q |= Q(household__building__grid__community__street_id=m.street_id)
    return qs.filter(q)
