"""Who needs visiting how often (§7.4 "网格员及时上门探访"): the one fact people gives the
grid worker's day about each resident of a grid, derived here so no protected tag or field
leaves the module — only a tier.

- `high`: tagged 独居老人, or an assessed ability level of 半失能 / 失能;
- `key`: a key-group tag (残疾人, 低保, 低边, 特困, 留守儿童, 空巢老人);
- `""`: anyone else (the caller decides whether age puts them on the roster).
"""

import datetime as dt
from collections.abc import Iterable

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from linli.people.choices import Ability
from linli.people.defaults import ALONE_ELDERLY
from linli.people.models import Resident, ResidentTag

HIGH_ABILITIES = (Ability.SEMI, Ability.DISABLED)
KEY_GROUP_TAGS = ("disabled", "dibao", "dibian", "tekun", "left_behind_child", "empty_nest")
HIGH, KEY = "high", "key"


def visit_roster(grid_ids: Iterable[int], *, on: dt.date | None = None) -> QuerySet[Resident]:
    """The residents with a home in these grids, annotated with `ground` ("high", "key" or
    "") and `grid` and `building` ids, for the caller to add its own columns (last visit, due
    date) and filter in SQL — the morning sweep of a district never loads every resident.
    Names nothing, so it is not audited."""
    on = on or timezone.localdate()
    valid = Q(valid_until__isnull=True) | Q(valid_until__gte=on)
    tagged = ResidentTag.objects.filter(valid, resident_id=OuterRef("pk"))
    return Resident.objects.filter(household__building__grid_id__in=sorted(set(grid_ids))).annotate(
        ground=Case(
            When(
                Q(ability__in=HIGH_ABILITIES) | Exists(tagged.filter(tag__code=ALONE_ELDERLY)),
                then=Value(HIGH),
            ),
            When(Exists(tagged.filter(tag__code__in=KEY_GROUP_TAGS)), then=Value(KEY)),
            default=Value(""),
            output_field=CharField(),
        ),
        grid=F("household__building__grid_id"),
        building=F("household__building_id"),
    )


def homes_of(resident_ids: Iterable[int]) -> dict[int, tuple[int, int, int]]:
    """resident id → (household, building, grid) ids, for those with a home."""
    rows = Resident.objects.filter(pk__in=sorted(set(resident_ids)), household__isnull=False)
    return {
        pk: (h, b, g)
        for pk, h, b, g in rows.values_list(
            "pk", "household_id", "household__building_id", "household__building__grid_id"
        )
    }


def people_of_households(household_ids: Iterable[int]) -> dict[int, list[int]]:
    """household id → the ids of its residents."""
    out: dict[int, list[int]] = {}
    for pk, h in (
        Resident.objects.filter(household_id__in=sorted(set(household_ids)))
        .values_list("pk", "household_id")
        .order_by("pk")
    ):
        out.setdefault(h, []).append(pk)
    return out
