"""What casework tells people (see `linli.people.registry`): the residents an actor reaches
through an open case, and whether an actor may see a case. Registered in `apps.py`.

The answers are queries on cases (resident ids), so casework never reads people's tables."""

from typing import Any

from django.db.models import Q, QuerySet

from linli.casework.models import Case
from linli.casework.units import user_units


def _open_cases_of_units(actor: Any) -> QuerySet[Case]:
    """Open cases whose handler or owner unit is one of the actor's units."""
    units = list(user_units(actor).values_list("pk", flat=True))
    return Case.objects.filter(
        Q(handler_unit__in=units) | Q(owner_unit__in=units), closed_at__isnull=True
    )


def residents_via_open_cases(actor: Any) -> QuerySet[Any]:
    """The residents those cases were entered for (代办)."""
    return _open_cases_of_units(actor).filter(resident__isnull=False).values("resident_id")


def reporters_via_open_cases(actor: Any) -> QuerySet[Any]:
    """The residents who reported those cases under their name."""
    return (
        _open_cases_of_units(actor)
        .filter(anonymous=False, reporter__resident__isnull=False)
        .values("reporter__resident")
    )


def case_visible(*, actor: Any, case_id: int) -> bool:
    return Case.objects.visible_to(actor).filter(pk=case_id).exists()
