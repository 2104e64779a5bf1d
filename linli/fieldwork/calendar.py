"""未诉先办 (Beijing) and 民情月历 (Wuhan): act on last year's seasonal problems and on
recurring spots before residents complain.

Published definitions:
- **Season calendar (民情月历)** of a community for a month: the case categories raised in
  that community in the same month last year at least `SEASON_MIN` times (any channel), with
  their counts and the grids they came from. Each such grid gets a proactive task on its
  worker's list for every day of the month ("去年本月…, 提前处置").
- **乱点 (hotspot)**: a spot — the same grid, the same category, within a cell of about
  100 m (`CELL_DEG`) — with at least one case in each of the two weeks before the day (days
  1–7 and 8–14 back). It goes on the grid worker's list until it stops recurring.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_noop

from linli.casework.facts import CaseFact, case_facts
from linli.geo.models import Grid

SEASON_MIN = 2
# Stored as catalogue ids, translated when shown.
SEASON_TITLE = gettext_noop("未诉先办:去年本月多发,提前巡查处置")
HOTSPOT_TITLE = gettext_noop("乱点:同一地点连续两周出现")
CELL_DEG = 0.001


@dataclass(frozen=True)
class SeasonEntry:
    category_code: str
    category_name: str
    count: int
    grid_ids: tuple[int, ...]


@dataclass(frozen=True)
class Hotspot:
    grid_id: int
    category_code: str
    category_name: str
    lat: float
    lon: float
    address: str
    weeks: tuple[int, int]  # cases in the nearer week, in the week before


@dataclass(frozen=True)
class SeasonTask:
    grid_id: int
    key: str
    title: str
    detail: str


def _aware(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _month_last_year(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    start = dt.date(year - 1, month, 1)
    end = dt.date(year - 1 + (month == 12), month % 12 + 1, 1)
    return _aware(start), _aware(end)


def calendar_from(facts: Iterable[CaseFact]) -> dict[int, list[SeasonEntry]]:
    """community id → its season entries from these cases (one month's)."""
    by: dict[tuple[int, str], list[CaseFact]] = defaultdict(list)
    for f in facts:
        by[(f.community_id, f.category_code)].append(f)
    out: dict[int, list[SeasonEntry]] = defaultdict(list)
    for (community, code), rows in by.items():
        if len(rows) >= SEASON_MIN:
            grids = tuple(sorted({r.grid_id for r in rows}))
            out[community].append(SeasonEntry(code, rows[0].category_name, len(rows), grids))
    for entries in out.values():
        entries.sort(key=lambda e: (-e.count, e.category_code))
    return dict(out)


def season_calendar(community_id: int, *, year: int, month: int) -> list[SeasonEntry]:
    since, until = _month_last_year(year, month)
    facts = case_facts(community_ids=[community_id], since=since, until=until)
    return calendar_from(facts).get(community_id, [])


def year_calendar(community_id: int, *, start: dt.date) -> list[tuple[int, int, list[SeasonEntry]]]:
    """(year, month, entries) for the 12 months from `start`'s: each from the same month a
    year earlier (the page's view of the coming year)."""
    out = []
    for i in range(12):
        year, month = start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1
        out.append((year, month, season_calendar(community_id, year=year, month=month)))
    return out


def hotspots_from(facts: Iterable[CaseFact], *, day: dt.date) -> list[Hotspot]:
    near_start = _aware(day - dt.timedelta(days=7))
    cells: dict[tuple[int, str, int, int], list[list[CaseFact]]] = defaultdict(lambda: [[], []])
    for f in facts:
        cell = (f.grid_id, f.category_code, round(f.lat / CELL_DEG), round(f.lon / CELL_DEG))
        cells[cell][0 if f.created_at >= near_start else 1].append(f)
    out = []
    for (grid, code, _la, _lo), (near, before) in cells.items():
        if near and before:
            last = near[-1]
            out.append(
                Hotspot(
                    grid,
                    code,
                    last.category_name,
                    last.lat,
                    last.lon,
                    last.address,
                    (len(near), len(before)),
                )
            )
    return sorted(out, key=lambda h: (h.grid_id, h.category_code, h.lat, h.lon))


def hotspots(*, grid_ids: Iterable[int], day: dt.date) -> list[Hotspot]:
    facts = case_facts(
        grid_ids=grid_ids, since=_aware(day - dt.timedelta(days=14)), until=_aware(day)
    )
    return hotspots_from(facts, day=day)


def tasks_for_grids(grid_ids: list[int], *, day: dt.date) -> list[SeasonTask]:
    """The proactive tasks of these grids for the day: season entries and 乱点."""
    communities = dict(Grid.objects.filter(pk__in=grid_ids).values_list("pk", "community_id"))
    since, until = _month_last_year(day.year, day.month)
    facts = case_facts(community_ids=set(communities.values()), since=since, until=until)
    out = []
    wanted = set(grid_ids)
    for entries in calendar_from(facts).values():
        for e in entries:
            for g in e.grid_ids:
                if g in wanted:
                    out.append(
                        SeasonTask(
                            g,
                            f"season:{e.category_code}",
                            SEASON_TITLE,
                            f"{e.category_name} · {day.month}/{day.year - 1} · {e.count}",
                        )
                    )
    for h in hotspots(grid_ids=grid_ids, day=day):
        out.append(
            SeasonTask(
                h.grid_id,
                f"hotspot:{h.category_code}:{round(h.lat / CELL_DEG)}:{round(h.lon / CELL_DEG)}",
                HOTSPOT_TITLE,
                f"{h.category_name} · {h.weeks[0]}+{h.weeks[1]} · {h.address}"[:300],
            )
        )
    return out
