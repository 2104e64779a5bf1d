"""Who may reach which resident record (PEOPLE-3): `Resident.objects.visible_to(actor)`.

Place roles are scoped by `linli.geo.scope.Scope`; a resident reaches their own record, family
their relatives'; a department officer the residents of the open cases they handle (casework
answers that through `people.registry`). Everyone else reaches nothing.
"""

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from linli.core.roles import Role
from linli.geo.scope import Scope
from linli.people import registry
from linli.people.policy import PLACE_ROLES

if TYPE_CHECKING:
    from linli.people.models.records import Resident  # noqa: F401  (the QuerySet["Resident"] base)

# Each place level's path from a resident.
PLACE_PATHS = {
    "grid": "household__building__grid",
    "community": "household__building__grid__community",
    "street": "household__building__grid__community__street",
}


def _active(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def _relatives(actor: Any) -> Any:
    """Pks of the residents who list this family account as a contact."""
    from linli.people.models.records import Contact  # same app; records imports this module

    return Contact.objects.filter(user=actor).values("resident_id")


class ResidentQuerySet(QuerySet["Resident"]):
    def visible_to(self, actor: Any) -> "ResidentQuerySet":
        """The residents whose record the actor may open at all."""
        if not _active(actor):
            return self.none()
        role = actor.role
        if role == Role.RESIDENT:
            return self.filter(user=actor)
        if role == Role.FAMILY:
            return self.filter(pk__in=_relatives(actor))
        if role in PLACE_ROLES:
            level = PLACE_ROLES[role]
            return self.filter(Scope.for_actor(actor).q(**{level: PLACE_PATHS[level]}))
        if role == Role.DEPT_OFFICER:
            return self.filter(self._via_cases(actor))
        return self.none()

    def named_to(self, actor: Any) -> "ResidentQuerySet":
        """The residents whose name and address the actor may see in a list: those of
        `visible_to`, and for a volunteer the residents of the grids they volunteer in
        (whom they record service for)."""
        if _active(actor) and actor.role == Role.VOLUNTEER:
            grids = Scope.for_actor(actor).volunteer_grid_ids
            return self.filter(household__building__grid_id__in=sorted(grids))
        return self.visible_to(actor)

    def _via_cases(self, actor: Any) -> Q:
        q = Q(pk__in=[])
        for provider in registry.residents_via_open_cases:
            q |= Q(pk__in=provider(actor))
        return q
