"""What every intake reads, cached per process: active leaf categories, the responsibility
list with its units, each community's and street's fallback unit, and grids with their
community and street.

Each intake checks the cache with one statement (`core.stamps.table_stamps` over the tables
the cached rows come from, the grids' stamp included, which the grid index then reuses), so
an edit committed by any process is seen by the next intake everywhere. Saves and deletes in
this process also drop the cache at once (signals), before their transaction commits.
Cached model instances are shared between requests: read them, never change them.
"""

import threading
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import post_delete, post_save

from linli.casework.models import Category
from linli.core.stamps import Stamp, table_stamps
from linli.geo.choices import DepartmentKind
from linli.geo.models import Community, Department, Grid, ResponsibilityRule, Street

# The grids' stamp comes last: `Lookups.grid_version` hands it to the grid index.
WATCHED: tuple[Any, ...] = (Category, ResponsibilityRule, Department, Community, Street, Grid)


@dataclass
class Lookups:
    stamp: list[Stamp]
    categories: dict[str, Category]
    rules: list[ResponsibilityRule]
    community_units: dict[int, Department]
    street_units: dict[int, Department]
    grids: dict[int, Grid] = field(default_factory=dict)  # filled as grids are asked for

    @property
    def grid_version(self) -> Stamp:
        return self.stamp[-1]

    def grid(self, grid_id: int) -> Grid:
        grid = self.grids.get(grid_id)
        if grid is None:
            grid = (
                Grid.objects.select_related("community__street").defer("geometry").get(pk=grid_id)
            )
            self.grids[grid_id] = grid
        return grid


def _load(stamp: list[Stamp]) -> Lookups:
    categories = {
        c.code: c
        for c in Category.objects.filter(active=True, parent__isnull=False).select_related("parent")
    }
    rules = list(ResponsibilityRule.objects.select_related("unit"))
    community_units: dict[int, Department] = {}
    street_units: dict[int, Department] = {}
    # Lowest id first, as `.first()` on the unordered table picked before (by primary key).
    for unit in Department.objects.filter(
        kind__in=(DepartmentKind.COMMUNITY, DepartmentKind.STREET_OFFICE)
    ).order_by("-id"):
        if unit.kind == DepartmentKind.COMMUNITY and unit.community_id:
            community_units[unit.community_id] = unit
        elif unit.kind == DepartmentKind.STREET_OFFICE and unit.street_id:
            street_units[unit.street_id] = unit
    return Lookups(stamp, categories, rules, community_units, street_units)


class _Cache:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._current: Lookups | None = None

    def get(self) -> Lookups:
        stamp = table_stamps(*WATCHED)  # read before the rows: a later edit only reloads
        current = self._current
        if current is not None and current.stamp == stamp:
            return current
        with self._lock:
            current = self._current
            if current is None or current.stamp != stamp:
                current = self._current = _load(stamp)
        return current

    def clear(self, **_: Any) -> None:
        self._current = None


_cache = _Cache()


def intake_lookups() -> Lookups:
    """The cached lookups, reloaded when any watched table changed (one statement)."""
    return _cache.get()


def lookups_clear() -> None:
    """Forget the cache (tests roll data back under a frozen clock, which no stamp sees)."""
    _cache.clear()


for _model in WATCHED:
    post_save.connect(_cache.clear, sender=_model, dispatch_uid=f"lookups-{_model.__name__}")
    post_delete.connect(_cache.clear, sender=_model, dispatch_uid=f"lookups-d-{_model.__name__}")
