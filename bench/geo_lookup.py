"""Benchmark GEO-1/GEO-2: import 5,000 grids through grids_import, then time grid_locate.

    DEBUG=1 .venv/bin/python bench/geo_lookup.py

Uses a throwaway SQLite database (/tmp/linli-bench-geo.sqlite3), recreated on every run.
"""

import os
import random
import sys
import time
from pathlib import Path
from typing import Any

DB_PATH = Path("/tmp/linli-bench-geo.sqlite3")
os.environ["DATABASE_URL"] = f"sqlite:///{DB_PATH}"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import django  # noqa: E402
import shapely  # noqa: E402

COLS, ROWS = 100, 50  # 5,000 square grids
BLOCK = 10  # a community is a 10 × 10 block of grids; a street a column of blocks
SIZE = 0.002  # degrees: about 170 m × 220 m at 30°N
LON0, LAT0 = 120.10, 30.20
LOOKUPS = 10_000
SEED = 2260


def reset_database() -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{DB_PATH}{suffix}").unlink(missing_ok=True)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def build_hierarchy() -> None:
    from linli.geo.models import Community, District, Street

    district = District.objects.create(code="330106", name="西湖区", city="杭州市")
    for s in range(COLS // BLOCK):
        street = Street.objects.create(district=district, code=f"{s + 1:03d}", name=f"街道{s + 1}")
        Community.objects.bulk_create(
            Community(street=street, code=f"{c + 1:03d}", name=f"社区{s + 1}-{c + 1}")
            for c in range(ROWS // BLOCK)
        )


def cell_code(i: int, j: int) -> str:
    street, community = i // BLOCK + 1, j // BLOCK + 1
    grid = (i % BLOCK) * BLOCK + j % BLOCK + 1
    return f"330106{street:03d}{community:03d}{grid:03d}"


def tessellation() -> dict[str, Any]:
    features = []
    for i in range(COLS):
        for j in range(ROWS):
            a, b = LON0 + i * SIZE, LAT0 + j * SIZE
            c, d = LON0 + (i + 1) * SIZE, LAT0 + (j + 1) * SIZE
            features.append(
                {
                    "type": "Feature",
                    "properties": {"unit_code": cell_code(i, j), "name": f"网格{i}-{j}"},
                    "geometry": {
                        "type": "Polygon",
                        "coordinates": [[[a, b], [c, b], [c, d], [a, d], [a, b]]],
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}


def percentile(sorted_values: list[float], q: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def main() -> None:
    django.setup()
    from django.conf import settings

    # Production runs without DEBUG; don't let Django's query log skew the timings.
    settings.DEBUG = False

    from linli.geo.selectors import _index, grid_locate
    from linli.geo.services import grids_import

    reset_database()
    build_hierarchy()
    data = tessellation()

    t0 = time.perf_counter()
    result = grids_import(actor=None, data=data)
    import_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    grid_locate(lat=LAT0 + SIZE / 2, lon=LON0 + SIZE / 2)  # first call builds the STRtree
    build_s = time.perf_counter() - t0

    rng = random.Random(SEED)
    # 10 % margin around the tessellation, so some points fall outside every grid.
    w, h = COLS * SIZE, ROWS * SIZE
    points = [
        (LAT0 - 0.1 * h + rng.random() * 1.2 * h, LON0 - 0.1 * w + rng.random() * 1.2 * w)
        for _ in range(LOOKUPS)
    ]
    timings: list[float] = []
    found: list[Any] = []
    t_all = time.perf_counter()
    for lat, lon in points:
        t0 = time.perf_counter_ns()
        hit = grid_locate(lat=lat, lon=lon)
        timings.append((time.perf_counter_ns() - t0) / 1000)
        found.append(hit)
    total_s = time.perf_counter() - t_all

    # Every answer checked against arithmetic on the tessellation.
    correct = 0
    for (lat, lon), hit in zip(points, found, strict=True):
        i, j = int((lon - LON0) // SIZE), int((lat - LAT0) // SIZE)
        expected = cell_code(i, j) if 0 <= i < COLS and 0 <= j < ROWS else None
        correct += (hit.unit_code if hit else None) == expected
    inside = sum(1 for hit in found if hit is not None)

    # Where the time goes: the per-call freshness query versus the tree itself.
    t0 = time.perf_counter()
    for _ in range(2000):
        _index._current_version()
    version_us = (time.perf_counter() - t0) / 2000 * 1e6

    tree = _index._tree
    assert tree is not None
    t0 = time.perf_counter()
    for lat, lon in points:
        tree.query(shapely.Point(lon, lat), predicate="intersects")
    tree_us = (time.perf_counter() - t0) / LOOKUPS * 1e6

    timings.sort()
    print(f"grids imported:      {result.created} created, {result.updated} updated")
    print(f"import:              {import_s:.2f} s")
    print(f"index build:         {build_s:.3f} s (first lookup)")
    print(f"lookups:             {LOOKUPS} ({inside} inside a grid), {correct} answered correctly")
    print(f"lookups/s:           {LOOKUPS / total_s:,.0f}")
    print(f"per lookup p50:      {percentile(timings, 0.50):.1f} µs")
    print(f"per lookup p95:      {percentile(timings, 0.95):.1f} µs")
    print(f"  the index-freshness query alone: {version_us:.1f} µs")
    print(f"  the STRtree query alone:         {tree_us:.1f} µs")

    t0 = time.perf_counter()
    result = grids_import(actor=None, data=data)
    print(f"re-import (all updates): {time.perf_counter() - t0:.2f} s ({result.updated} updated)")


if __name__ == "__main__":
    main()
