"""Point → grid lookup (GEO-2) through an in-memory STRtree, rebuilt when grids change."""

import threading
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

from linli.geo.models import Community, Department, Grid, ResponsibilityRule


@dataclass(frozen=True)
class Located:
    grid_id: int
    community_id: int
    street_id: int
    unit_code: str


class _GridIndex:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: tuple[Any, ...] | None = None
        self._tree: STRtree | None = None
        self._rows: list[Located] = []
        self._geoms: list[Any] = []

    @staticmethod
    def _current_version() -> tuple[Any, ...]:
        # Two index lookups, not a count: grids are never deleted (admin refuses; buildings
        # PROTECT them), so the newest id and the latest change identify the set.
        top = Grid.objects.order_by("-id").values_list("id", flat=True).first()
        changed = Grid.objects.order_by("-updated_at").values_list("updated_at", flat=True).first()
        return (top, changed)

    def _build(self, version: tuple[Any, ...]) -> None:
        rows: list[Located] = []
        geoms: list[Any] = []
        # Ordered by id: locate() breaks ties on shared edges by the lowest tree index.
        qs = Grid.objects.order_by("id").values_list(
            "id", "community_id", "community__street_id", "unit_code", "geometry"
        )
        for gid, cid, sid, code, geometry in qs.iterator(chunk_size=2000):
            geom = shape(geometry)
            shapely.prepare(geom)
            rows.append(Located(gid, cid, sid, code))
            geoms.append(geom)
        self._rows, self._geoms = rows, geoms
        self._tree = STRtree(geoms) if geoms else None
        self._version = version

    def locate(self, lat: float, lon: float) -> Located | None:
        version = self._current_version()
        with self._lock:
            if version != self._version:
                self._build(version)
            tree, rows = self._tree, self._rows
        if tree is None:
            return None
        point = shapely.Point(lon, lat)
        hits = tree.query(point, predicate="intersects")
        if len(hits) == 0:
            return None
        return rows[int(min(hits))]


_index = _GridIndex()


def grid_set_version() -> tuple[Any, ...]:
    """Changes whenever a grid is added or changed (for caches derived from the grids)."""
    return _GridIndex._current_version()


def grid_locate(*, lat: float, lon: float) -> Located | None:
    """The grid containing the point (a point on a shared edge goes to the lower id)."""
    return _index.locate(lat, lon)


def responsibility_unit(*, category_code: str, grid: Grid) -> Department | None:
    """责任清单 lookup: most specific category first, then the smallest area."""
    community: Community = grid.community
    codes = [category_code]
    if "-" in category_code:
        codes.append(category_code.split("-", 1)[0])
    rules = list(ResponsibilityRule.objects.select_related("unit").filter(category_code__in=codes))

    def rank(rule: ResponsibilityRule) -> tuple[int, int] | None:
        if rule.grid_id is not None:
            area = 0 if rule.grid_id == grid.pk else None
        elif rule.community_id is not None:
            area = 1 if rule.community_id == community.pk else None
        elif rule.street_id is not None:
            area = 2 if rule.street_id == community.street_id else None
        else:
            area = 3
        if area is None:
            return None
        return (codes.index(rule.category_code), area)

    ranked = [(r, rule) for rule in rules if (r := rank(rule)) is not None]
    if not ranked:
        return None
    return min(ranked, key=lambda pair: pair[0])[1].unit
