"""Whose homes an actor reaches in care, for the managers' `visible_to(actor)`.

Staff act in their place in their role (`Scope.role_q`: a grid worker their grids, community
staff their community, a street officer their street). Family reach the homes of the
relatives who link them as family (`people.selectors.relatives_of`, the one family
relation), and those relatives' alerts only when the relative's privacy choice lets them
(`people.selectors.alert_audiences`, PEOPLE-6).
"""

from typing import Any

from django.db.models import Q

from linli.core.roles import Role
from linli.geo.scope import Scope
from linli.people.selectors import alert_audiences, relatives_of

NOTHING = Q(pk__in=[])


def _active(actor: Any) -> bool:
    return bool(actor is not None and actor.is_authenticated and actor.is_active)


def is_family(actor: Any) -> bool:
    return _active(actor) and actor.role == Role.FAMILY


def staff_q(actor: Any, grid_path: str) -> Q:
    """Rows in the staff actor's place, given the path to the grid; nothing for others."""
    q = Scope.for_actor(actor).role_q(grid_path)
    return q if q is not None else NOTHING


def relatives(actor: Any) -> dict[int, int]:
    """resident id → household id, for the residents (with a home) who list this family
    account as a contact; empty for anyone else."""
    if not is_family(actor):
        return {}
    rows = relatives_of(actor).values_list("pk", "household_id").order_by("pk")
    return {pk: household_id for pk, household_id in rows if household_id is not None}


def family_alert_residents(actor: Any, mine: dict[int, int] | None = None) -> list[int]:
    """The relatives whose alerts this family member may see (each relative's own choice)."""
    mine = relatives(actor) if mine is None else mine
    audiences = alert_audiences(mine)
    return [pk for pk in mine if any(u.pk == actor.pk for u in audiences.get(pk, []))]


def family_homes_q(actor: Any, household_path: str = "household") -> Q:
    """Rows of the homes of the family actor's relatives."""
    homes = sorted(set(relatives(actor).values()))
    return Q(**{f"{household_path}_id__in": homes}) if homes else NOTHING


def family_alerts_q(actor: Any) -> Q:
    """Alerts about a relative who lets this family member see them, or about nobody in
    particular in such a relative's home."""
    mine = relatives(actor)
    allowed = family_alert_residents(actor, mine)
    if not allowed:
        return NOTHING
    homes = sorted({mine[pk] for pk in allowed})
    return Q(resident_id__in=allowed) | Q(resident__isnull=True, household_id__in=homes)
