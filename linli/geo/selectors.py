"""Point → grid lookup (GEO-2) through an in-memory STRtree, rebuilt when grids change."""

import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.strtree import STRtree

from linli.core.stamps import table_stamps
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
        return table_stamps(Grid)[0]

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

    def locate(self, lat: float, lon: float, version: tuple[Any, ...] | None) -> Located | None:
        if version is None:
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
    """Changes whenever a grid is added, changed or removed (for caches derived from the
    grids). A caller that reads several stamps at once passes this one to `grid_locate`."""
    return _GridIndex._current_version()


def grid_locate(
    *, lat: float, lon: float, version: tuple[Any, ...] | None = None
) -> Located | None:
    """The grid containing the point (a point on a shared edge goes to the lower id).

    `version`: the grids' stamp (`table_stamps(Grid)`) when the caller has just read it;
    otherwise it is read here."""
    return _index.locate(lat, lon, version)


def _rule_codes(category_code: str) -> list[str]:
    codes = [category_code]
    if "-" in category_code:
        codes.append(category_code.split("-", 1)[0])
    return codes


def responsibility_unit(*, category_code: str, grid: Grid) -> Department | None:
    """责任清单 lookup: most specific category first, then the smallest area."""
    codes = _rule_codes(category_code)
    rules = list(ResponsibilityRule.objects.select_related("unit").filter(category_code__in=codes))
    return responsibility_pick(rules=rules, category_code=category_code, grid=grid)


def responsibility_pick(
    *, rules: Iterable[ResponsibilityRule], category_code: str, grid: Grid
) -> Department | None:
    """The unit of the best of `rules` (with their units loaded) for the category in the
    grid; rules of other categories are ignored. For callers that keep the list cached."""
    community: Community = grid.community
    codes = _rule_codes(category_code)
    candidates = [rule for rule in rules if rule.category_code in codes]

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

    ranked = [(r, rule) for rule in candidates if (r := rank(rule)) is not None]
    if not ranked:
        return None
    return min(ranked, key=lambda pair: pair[0])[1].unit
