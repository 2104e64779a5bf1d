"""What geo puts on the role home page: the grid map and the staff's places in numbers."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from linli.core.registry import Tile
from linli.geo.models import Building, Household
from linli.geo.policy import GRID_MAP_ROLES
from linli.geo.scope import Scope


def tiles(user: Any) -> list[Tile]:
    if user.role not in GRID_MAP_ROLES:
        return []
    return [Tile(_("网格地图"), _("社区、网格与网格员"), reverse("geo:map"), order=910)]


def place_stats(user: Any) -> dict[str, Any]:
    """The staff's grids, buildings and households (labels translated by the template)."""
    grid_ids = list(Scope.for_actor(user).grids().values_list("id", flat=True))
    if not grid_ids:
        return {}
    return {
        "stats": [
            (gettext_noop("网格"), len(grid_ids)),
            (gettext_noop("楼栋"), Building.objects.filter(grid_id__in=grid_ids).count()),
            (gettext_noop("户"), Household.objects.filter(building__grid_id__in=grid_ids).count()),
        ]
    }
