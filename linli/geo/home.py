"""What geo puts on the role home page: the grid map and the staff's places in numbers."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from linli.core.registry import Tile
from linli.geo.models import Building, Household
from linli.geo.policy import GRID_MAP_ROLES
from linli.geo.scope import Scope


def tiles(user: Any) -> list[Tile]:
    if user.role not in GRID_MAP_ROLES:
        return []
    return [Tile(_("网格地图"), _("社区、网格与网格员"), reverse("geo:map"), order=910)]


def place_stats(user: Any) -> dict[str, Any]:
    """The staff's grids, buildings and households ("count" labels: plural in English)."""
    grid_ids = list(Scope.for_actor(user).grids().values_list("id", flat=True))
    if not grid_ids:
        return {}
    buildings = Building.objects.filter(grid_id__in=grid_ids)
    households = Household.objects.filter(building__grid_id__in=grid_ids)
    return {
        "stats": [
            (pgettext_lazy("count", "网格"), len(grid_ids)),
            (pgettext_lazy("count", "楼栋"), buildings.count()),
            (pgettext_lazy("count", "户"), households.count()),
        ]
    }
