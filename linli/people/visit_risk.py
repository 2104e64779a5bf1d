"""Who needs visiting how often (§7.4 "网格员及时上门探访"): the one fact people gives the
grid worker's day about each resident of a grid, derived here so no protected tag or field
leaves the module — only a tier.

- `high`: tagged 独居老人, or an assessed ability level of 半失能 / 失能;
- `key`: a key-group tag (残疾人, 低保, 低边, 特困, 留守儿童, 空巢老人);
- `""`: anyone else (the caller decides whether age puts them on the roster).
"""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone

from linli.people.choices import Ability
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import Resident, ResidentTag

HIGH_ABILITIES = (Ability.SEMI, Ability.DISABLED)
KEY_GROUP_TAGS = ("disabled", "dibao", "dibian", "tekun", "left_behind_child", "empty_nest")
HIGH, KEY = "high", "key"


@dataclass(frozen=True)
class RiskRow:
    resident_id: int
    household_id: int
    building_id: int
    grid_id: int
    birth_year: int
    created_at: dt.datetime
    ground: str  # "high", "key" or ""


def visit_risk(grid_ids: Iterable[int], *, on: dt.date | None = None) -> Iterator[RiskRow]:
    """Every resident with a home in these grids, with their visit ground. Three queries
    however many residents (the morning sweep reads a whole district through it). Names
    nothing, so it is not audited; pages show names only through `residents_brief`."""
    grids = sorted(set(grid_ids))
    if not grids:
        return
    on = on or timezone.localdate()
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    in_grids = Q(resident__household__building__grid_id__in=grids)
    alone = set(
        ResidentTag.objects.filter(valid, in_grids, tag__code=ALONE_ELDERLY).values_list(
            "resident_id", flat=True
        )
    )
    key = set(
        ResidentTag.objects.filter(valid, in_grids, tag__code__in=KEY_GROUP_TAGS).values_list(
            "resident_id", flat=True
        )
    )
    rows = Resident.objects.filter(household__building__grid_id__in=grids).values_list(
        "pk",
        "household_id",
        "household__building_id",
        "household__building__grid_id",
        "birth_year",
        "created_at",
        "ability",
    )
    for pk, household, building, grid, birth_year, created, ability in rows.iterator(2000):
        if pk in alone or ability in HIGH_ABILITIES:
            ground = HIGH
        elif pk in key:
            ground = KEY
        else:
            ground = ""
        yield RiskRow(pk, household, building, grid, birth_year, created, ground)
