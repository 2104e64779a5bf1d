"""The demo city as pure data, drawn from one seeded `random.Random` (PLAT-3).

Nothing here touches the database or the clock: the same seed gives the same plan, which
`linli.demo.services` then writes.
"""

import json
import random
from dataclasses import dataclass
from typing import Any

from shapely.geometry import Point, Polygon

from linli.demo import names as catalog

Coord = tuple[float, float]  # (lon, lat)

COLS, ROWS = 6, 4  # 24 grids; each community is a 3 × 2 block
CELL_W, CELL_H = 0.0042, 0.0036  # degrees: about 400 m × 400 m at 30°N
FOCUS_CELL = (2, 1)  # (col, row) moved so that the focus point is at its centre
INSET = 0.0003  # buildings stand at least ~30 m inside their grid
STAFF_NAMES = 120


@dataclass(frozen=True)
class PersonPlan:
    full_name: str
    sex: str
    birth_year: int
    is_head: bool


@dataclass(frozen=True)
class HouseholdPlan:
    unit: str
    room: str
    people: tuple[PersonPlan, ...]


@dataclass(frozen=True)
class BuildingPlan:
    name: str
    address: str
    lat: float
    lon: float
    households: tuple[HouseholdPlan, ...]


@dataclass(frozen=True)
class GridPlan:
    community_code: str
    code: str
    unit_code: str
    name: str
    ring: tuple[Coord, ...]  # closed, counter-clockwise, lon/lat
    buildings: tuple[BuildingPlan, ...]


@dataclass(frozen=True)
class DemoPlan:
    seed: int
    grids: tuple[GridPlan, ...]
    focus_unit_code: str
    staff_names: tuple[str, ...]

    def residents(self) -> list[PersonPlan]:
        return [p for g in self.grids for b in g.buildings for h in b.households for p in h.people]


def demo_plan(*, seed: int) -> DemoPlan:
    rng = random.Random(seed)
    rings = _lattice(rng)
    estates = rng.sample(catalog.ESTATES, len(rings))
    community_names = {code: name for code, name, _ in catalog.COMMUNITIES}
    prefix = catalog.DISTRICT["code"] + catalog.STREET["code"]
    grids: list[GridPlan] = []
    focus = ""
    for (community_code, code, ring, is_focus), estate in zip(rings, estates, strict=True):
        unit_code = f"{prefix}{community_code}{code}"
        if is_focus:
            focus = unit_code
        grids.append(
            GridPlan(
                community_code=community_code,
                code=code,
                unit_code=unit_code,
                name=f"{community_names[community_code]}{int(code)}号网格",
                ring=ring,
                buildings=_buildings(rng, Polygon(ring), estate),
            )
        )
    names = _NameMaker(rng)
    staff: list[str] = []
    while len(staff) < STAFF_NAMES:
        sex = rng.choice("MF")
        name = names.full(sex, catalog.DEMO_YEAR - rng.randint(24, 56))
        if name not in staff:
            staff.append(name)
    return DemoPlan(seed=seed, grids=tuple(grids), focus_unit_code=focus, staff_names=tuple(staff))


def feature_collection(plan: DemoPlan) -> dict[str, Any]:
    """The grids as GeoJSON, the input of `linli.geo.services.grids_import`."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"unit_code": g.unit_code, "name": g.name},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [[[lon, lat] for lon, lat in g.ring]],
                },
            }
            for g in plan.grids
        ],
    }


def feature_collection_text(plan: DemoPlan) -> str:
    """The GeoJSON file as committed in linli/demo/data/: one feature per line."""
    fc = feature_collection(plan)
    features = ",\n".join(
        json.dumps(f, ensure_ascii=False, separators=(",", ":")) for f in fc["features"]
    )
    return f'{{"type":"FeatureCollection","features":[\n{features}\n]}}\n'


# ---------------------------------------------------------------- geometry


def _lattice(rng: random.Random) -> list[tuple[str, str, tuple[Coord, ...], bool]]:
    """A jittered lattice: every shared vertex and every bend in a shared edge is drawn once,
    so neighbouring grids share their edges exactly (no gaps, no overlaps)."""
    xs = [0.0]
    for _ in range(COLS):
        xs.append(xs[-1] + CELL_W * rng.uniform(0.8, 1.2))
    ys = [0.0]
    for _ in range(ROWS):
        ys.append(ys[-1] + CELL_H * rng.uniform(0.8, 1.2))
    jx, jy = 0.12 * CELL_W, 0.12 * CELL_H
    vertex = {
        (i, j): (xs[i] + rng.uniform(-jx, jx), ys[j] + rng.uniform(-jy, jy))
        for j in range(ROWS + 1)
        for i in range(COLS + 1)
    }
    # Bends in the streets: a point part-way along an edge, pushed sideways.
    bends: dict[tuple[tuple[int, int], tuple[int, int]], Coord | None] = {}
    for a in sorted(vertex):
        for b in ((a[0] + 1, a[1]), (a[0], a[1] + 1)):
            if b not in vertex:
                continue
            if rng.random() < 0.4:
                bends[(a, b)] = None  # a straight road
                continue
            (x0, y0), (x1, y1) = vertex[a], vertex[b]
            t, side = rng.uniform(0.35, 0.65), rng.uniform(-0.1, 0.1)
            bends[(a, b)] = (
                x0 + t * (x1 - x0) - side * (y1 - y0),
                y0 + t * (y1 - y0) + side * (x1 - x0),
            )

    # Move the lattice so the focus point is the centre of the focus cell.
    fc, fr = FOCUS_CELL
    corners = [vertex[(fc + i, fr + j)] for i, j in ((0, 0), (1, 0), (1, 1), (0, 1))]
    dx = catalog.FOCUS_LON - sum(c[0] for c in corners) / 4
    dy = catalog.FOCUS_LAT - sum(c[1] for c in corners) / 4

    def place(p: Coord) -> Coord:
        return (round(p[0] + dx, 6), round(p[1] + dy, 6))

    placed = {k: place(v) for k, v in vertex.items()}
    placed_bends = {k: (place(v) if v is not None else None) for k, v in bends.items()}

    def edge(a: tuple[int, int], b: tuple[int, int]) -> list[Coord]:
        """Points from a to b, excluding b."""
        mid = placed_bends[(a, b)] if (a, b) in placed_bends else placed_bends[(b, a)]
        return [placed[a]] + ([mid] if mid is not None else [])

    cells: list[tuple[str, str, tuple[Coord, ...], bool]] = []
    counters: dict[str, int] = {}
    for row in reversed(range(ROWS)):  # number grids from the north-west, row by row
        for col in range(COLS):
            community_code = catalog.COMMUNITIES[(row // 2) * 2 + col // 3][0]
            counters[community_code] = counters.get(community_code, 0) + 1
            sw, se, ne, nw = (col, row), (col + 1, row), (col + 1, row + 1), (col, row + 1)
            ring = edge(sw, se) + edge(se, ne) + edge(ne, nw) + edge(nw, sw)
            ring.append(ring[0])
            polygon = Polygon(ring)
            assert polygon.is_valid and polygon.exterior.is_ccw
            code = f"{counters[community_code]:03d}"
            cells.append((community_code, code, tuple(ring), (col, row) == FOCUS_CELL))
    return sorted(cells, key=lambda c: (c[0], c[1]))


def _point_inside(rng: random.Random, inner: Polygon, taken: list[Coord], spacing: float) -> Coord:
    min_x, min_y, max_x, max_y = inner.bounds
    fallback: Coord | None = None
    for _ in range(400):
        p = (round(rng.uniform(min_x, max_x), 6), round(rng.uniform(min_y, max_y), 6))
        if not inner.contains(Point(p)):
            continue
        fallback = fallback or p
        if all((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 >= spacing**2 for q in taken):
            return p
    assert fallback is not None, "grid too small for buildings"
    return fallback


# ---------------------------------------------------------------- buildings and people


def _buildings(rng: random.Random, polygon: Polygon, estate: str) -> tuple[BuildingPlan, ...]:
    inner = polygon.buffer(-INSET)
    road = rng.choice(catalog.ROADS)
    number = rng.randrange(1, 400, 2)
    names = _NameMaker(rng)
    taken: list[Coord] = []
    out: list[BuildingPlan] = []
    for k in range(1, rng.randint(4, 7) + 1):
        lon, lat = _point_inside(rng, inner, taken, spacing=0.0006)
        taken.append((lon, lat))
        units, floors = rng.choice((1, 2, 2, 3)), rng.randint(4, 7)
        flats = [
            (u, f, r) for u in range(1, units + 1) for f in range(1, floors + 1) for r in (1, 2)
        ]
        share = rng.uniform(0.45, 0.75)
        occupied = sorted(rng.sample(flats, max(1, round(len(flats) * share))))
        households = tuple(
            HouseholdPlan(unit=f"{u}单元", room=f"{f}{r:02d}", people=names.household())
            for u, f, r in occupied
        )
        out.append(
            BuildingPlan(
                name=f"{estate}{k}幢",
                address=f"{road}{number + 2 * (k - 1)}号",
                lat=lat,
                lon=lon,
                households=households,
            )
        )
    return tuple(out)


# Household kinds and their weights: many elderly, as in an old city-centre street.
KINDS = (
    ("elder_single", 12),
    ("elder_couple", 18),
    ("three_generations", 14),
    ("family", 26),
    ("couple", 12),
    ("single", 10),
    ("adult_child", 8),
)


class _NameMaker:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.surnames = [s for s, _ in catalog.SURNAMES]
        self.weights = [w for _, w in catalog.SURNAMES]

    def surname(self) -> str:
        return self.rng.choices(self.surnames, weights=self.weights)[0]

    def given(self, sex: str, birth_year: int) -> str:
        if birth_year <= 1960:
            cohort = "elder"
        elif birth_year <= 1985:
            cohort = "mid"
        else:
            cohort = "young" if birth_year <= 2005 else "child"
        return self.rng.choice(catalog.GIVEN_NAMES[(cohort, sex)])

    def full(self, sex: str, birth_year: int, surname: str | None = None) -> str:
        return (surname or self.surname()) + self.given(sex, birth_year)

    def person(self, sex: str, age: int, surname: str | None = None) -> PersonPlan:
        year = catalog.DEMO_YEAR - age
        return PersonPlan(self.full(sex, year, surname), sex, year, is_head=False)

    def couple(self, low: int, high: int) -> tuple[PersonPlan, PersonPlan]:
        age = self.rng.randint(low, high)
        wife = max(low - 4, age - self.rng.randint(-2, 5))
        return self.person("M", age), self.person("F", wife)

    def children(
        self, father: PersonPlan, mother: PersonPlan, n: int, ages: tuple[int, int]
    ) -> list[PersonPlan]:
        young_parent = catalog.DEMO_YEAR - max(father.birth_year, mother.birth_year)
        top = max(0, min(ages[1], young_parent - 22))
        low = min(ages[0], top)
        surname = father.full_name[0] if self.rng.random() < 0.9 else mother.full_name[0]
        return [
            self.person(self.rng.choice("MF"), self.rng.randint(low, top), surname)
            for _ in range(n)
        ]

    def household(self) -> tuple[PersonPlan, ...]:
        rng = self.rng
        kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
        people: list[PersonPlan]
        if kind == "elder_single":
            sex = "F" if rng.random() < 0.68 else "M"
            people = [self.person(sex, int(rng.triangular(65, 96, 79)))]
        elif kind == "elder_couple":
            people = list(self.couple(62, 90))
        elif kind == "three_generations":
            father, mother = self.couple(32, 50)
            father_age = catalog.DEMO_YEAR - father.birth_year
            elders: list[PersonPlan] = []
            if rng.random() < 0.75:
                age = min(95, father_age + rng.randint(24, 32))
                elders.append(self.person("M", age, father.full_name[0]))
            if not elders or rng.random() < 0.7:
                elders.append(self.person("F", min(95, father_age + rng.randint(22, 30))))
            kids = self.children(father, mother, rng.choice((1, 1, 2)), (0, 18))
            people = [father, mother, *kids, *elders]
        elif kind == "family":
            father, mother = self.couple(28, 55)
            n = 2 if rng.random() < 0.35 else 1
            people = [father, mother, *self.children(father, mother, n, (0, 25))]
        elif kind == "couple":
            people = list(self.couple(24, 60))
        elif kind == "single":
            people = [self.person(rng.choice("MF"), rng.randint(22, 55))]
        else:  # adult_child
            father, mother = self.couple(50, 66)
            people = [father, mother, *self.children(father, mother, 1, (22, 35))]
        head = people[0]
        return (PersonPlan(head.full_name, head.sex, head.birth_year, True), *people[1:])
