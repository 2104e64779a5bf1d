"""Where a report happened, for people without GPS or a steady finger (PLAT-2): a building
picked from a list, the reporter's own building, or a typed address standing in for a pin."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from linli.core.errors import ValidationFailed
from linli.core.roles import Role
from linli.geo.models import Building, Grid, Household
from linli.geo.scope import Scope
from linli.people.selectors import resident_of_user

# The picker ships the buildings with the page (it works offline, searches as you type);
# a street has a few hundred.
PICKER_LIMIT = 3000


@dataclass(frozen=True)
class Place:
    lat: float
    lon: float
    address: str
    estimated: bool = False  # from a typed address, not a pin: staff check it


def home_building(user: Any) -> Building | None:
    """The reporter's own building ("就在我家附近"), from their resident record."""
    brief = resident_of_user(user) if user.role in (Role.RESIDENT, Role.FAMILY) else None
    if brief is None or brief.household_id is None:
        return None
    household = Household.objects.select_related("building__grid__community").filter(
        pk=brief.household_id
    )
    found = household.first()
    return found.building if found is not None else None


def _street_ids(user: Any, home: Building | None) -> set[int]:
    if home is not None:
        return {home.grid.community.street_id}
    scope = Scope.for_actor(user)
    return set(scope.grids().values_list("community__street_id", flat=True).distinct())


def picker_buildings(user: Any, home: Building | None = None) -> list[dict[str, Any]]:
    """The buildings of the user's street (all streets when the user has no place)."""
    qs = Building.objects.select_related("grid__community").order_by("grid__community__code", "pk")
    streets = _street_ids(user, home)
    if streets:
        qs = qs.filter(grid__community__street_id__in=sorted(streets))
    return [
        {
            "id": b.pk,
            "name": b.name,
            "address": b.address,
            "community": b.grid.community.name,
            "community_id": b.grid.community_id,
            "grid": b.grid.name,
            "lat": round(b.lat, 6),
            "lon": round(b.lon, 6),
        }
        for b in qs[:PICKER_LIMIT]
    ]


def _by_address(text: str, user: Any) -> Building | None:
    """The building a typed address names ("嘉绿苑3幢楼下", "黄姑山路289号"), longest match."""
    text = text.replace(" ", "")
    best: tuple[int, Building] | None = None
    streets = _street_ids(user, None) or None
    qs = Building.objects.all()
    if streets:
        qs = qs.filter(grid__community__street_id__in=sorted(streets))
    for b in qs.only("pk", "name", "address", "lat", "lon")[:PICKER_LIMIT]:
        for key in (b.name, b.address):
            if key and key in text and (best is None or len(key) > best[0]):
                best = (len(key), b)
    return best[1] if best else None


def place_resolve(*, user: Any, d: dict[str, Any]) -> Place:
    """A pin wins; then a picked building; then a typed address (a building it names, else
    the reporter's own building, else the staff member's own area), marked as estimated."""
    address = (d.get("address") or "").strip()
    if d.get("lat") is not None and d.get("lon") is not None:
        return Place(d["lat"], d["lon"], address)
    if d.get("building"):
        b = Building.objects.filter(pk=d["building"]).first()
        if b is None:
            raise ValidationFailed(_("请重新选择楼栋。"), field="lat")
        return Place(b.lat, b.lon, address or f"{b.name} {b.address}".strip())
    if not address:
        raise ValidationFailed(_('请选择位置:点"就在我家附近"、搜楼栋,或写下地址。'), field="lat")
    named = _by_address(address, user)
    if named is not None:
        return Place(named.lat, named.lon, address, estimated=True)
    home = home_building(user)
    if home is not None:
        return Place(home.lat, home.lon, address, estimated=True)
    grid = Scope.for_actor(user).grids().order_by("unit_code").first()
    if grid is not None:
        return Place(*_centre(grid), address, estimated=True)
    raise ValidationFailed(_("找不到这个地址,请从列表里选楼栋。"), field="lat")


def _centre(grid: Grid) -> tuple[float, float]:
    return (grid.min_lat + grid.max_lat) / 2, (grid.min_lon + grid.max_lon) / 2
