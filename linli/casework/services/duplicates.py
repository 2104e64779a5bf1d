"""CASE-10: before a new case is created, open cases of the same category nearby are
offered; a resident who has the same problem adds "me too" (我也遇到) instead.

The reads (nearby cases, the case a resident may join) are at the end of the module.
"""

import math
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from linli.casework.choices import OPEN_STATUSES, Action, EventKind
from linli.casework.models import Case, Category, MeToo
from linli.casework.policy import require
from linli.casework.selectors import case_not_found
from linli.casework.services.common import lock, record_step
from linli.core.errors import Conflict

NEARBY_RADIUS_M = 50
NEARBY_LIMIT = 20
EARTH_RADIUS_M = 6_371_008.8
METRES_PER_DEGREE_LAT = 111_320.0


def _already_joined() -> Conflict:
    return Conflict(_("您已经点过「我也遇到」,无需重复提交。"), code="already_joined")


@transaction.atomic
def case_me_too(*, actor: Any, case: Case) -> Case:
    """Add the actor to an open case's "me too" list (once per person)."""
    case = lock(case)
    require(actor, case, Action.ME_TOO)  # open, a resident's, not their own
    if MeToo.objects.filter(case=case, user=actor).exists():
        raise _already_joined()
    try:
        with transaction.atomic():
            MeToo.objects.create(case=case, user=actor)
    except IntegrityError:  # a double press racing past the check above
        raise _already_joined() from None
    Case.objects.filter(pk=case.pk).update(me_too_count=F("me_too_count") + 1)
    case.refresh_from_db(fields=["me_too_count"])
    record_step(
        case=case,
        kind=EventKind.ME_TOO,
        actor=actor,
        from_status=case.status,
        note=f"又有居民反映同一问题(共 {case.me_too_count + 1} 人)",
        public=True,
    )
    return case


# --- reads --------------------------------------------------------------------------------


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle (haversine) distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def nearby_open_cases(
    *, category: Category, lat: float, lon: float, radius_m: float = NEARBY_RADIUS_M
) -> list[Case]:
    """Open public cases of `category` within `radius_m`, nearest first.

    SQL keeps a bounding box in degrees (lat ± r/111320, lon ± r/(111320·cos lat)) on top of
    the (category, status) index; the exact haversine distance is checked in Python.
    """
    dlat = radius_m / METRES_PER_DEGREE_LAT
    dlon = radius_m / (METRES_PER_DEGREE_LAT * max(math.cos(math.radians(lat)), 1e-6))
    candidates = (
        Case.objects.public()
        .filter(
            category=category,
            status__in=OPEN_STATUSES,
            lat__range=(lat - dlat, lat + dlat),
            lon__range=(lon - dlon, lon + dlon),
        )
        .select_related("category")
    )
    found = [(distance_m(lat, lon, c.lat, c.lon), c.pk, c) for c in candidates]
    found = [f for f in found if f[0] <= radius_m]
    found.sort(key=lambda f: (f[0], f[1]))
    return [c for _distance, _pk, c in found[:NEARBY_LIMIT]]


def me_too_target(*, tracking_no: str) -> Case:
    """The case a resident may join: any public case by its number (the number is what the
    nearby list shows); whether it is still open is the service's check."""
    case = Case.objects.public().filter(tracking_no=tracking_no).first()
    if case is None:
        raise case_not_found()
    return case
