"""What casework tells people (see `linli.people.registry`): the residents an actor reaches
through an open case, and whether an actor may see a case. Registered in `apps.py`."""

from typing import Any

from django.db.models import Q, QuerySet

from linli.casework.models import Case
from linli.casework.permissions import user_units
from linli.casework.selectors import visible_to
from linli.people.models import Resident


def residents_via_open_cases(actor: Any) -> QuerySet[Any]:
    """Resident pks of the open cases whose handler or owner unit is one of the actor's
    units: the case's resident, and the reporter of a non-anonymous case."""
    units = list(user_units(actor).values_list("pk", flat=True))
    cases = Case.objects.filter(
        Q(handler_unit__in=units) | Q(owner_unit__in=units), closed_at__isnull=True
    )
    by_user = Resident.objects.filter(
        user__in=cases.filter(anonymous=False).values("reporter_id")
    ).values("pk")
    return Resident.objects.filter(
        Q(pk__in=cases.values("resident_id")) | Q(pk__in=by_user)
    ).values("pk")


def case_visible(*, actor: Any, case_id: int) -> bool:
    return visible_to(actor).filter(pk=case_id).exists()
