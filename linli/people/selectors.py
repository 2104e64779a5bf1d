from typing import Any

from django.db.models import QuerySet

from linli.accounts.choices import Role
from linli.accounts.selectors import place_q
from linli.people.models import Resident


def visible_to(actor: Any) -> QuerySet[Resident]:
    """Residents in the places the actor works for (basic data only; PEOPLE-3 refines)."""
    qs = Resident.objects.all()
    if actor is None or not actor.is_authenticated:
        return qs.none()
    if actor.role == Role.SYSADMIN:
        return qs
    q = place_q(
        actor,
        grid="household__building__grid",
        community="household__building__grid__community",
        street="household__building__grid__community__street",
    )
    return qs.filter(q)
