"""Benchmark GEO-1/GEO-2: import 5,000 grids through grids_import, then time grid_locate.

    DEBUG=1 .venv/bin/python bench/geo_lookup.py [--cols 100] [--rows 50] [--lookups 10000]
        [--smoke]

Uses a throwaway SQLite database (/tmp/linli-bench-geo.sqlite3), recreated on every run.
"""

import argparse
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
from _common import parse_args, percentile, sqlite_migrated  # noqa: E402

BLOCK = 10  # a community is a 10 × 10 block of grids; a street a column of blocks
SIZE = 0.002  # degrees: about 170 m × 220 m at 30°N
LON0, LAT0 = 120.10, 30.20
SEED = 2260


def parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--cols", type=int, default=100, help="grid columns (multiple of 10)")
    p.add_argument("--rows", type=int, default=50, help="grid rows (multiple of 10)")
    p.add_argument("--lookups", type=int, default=10_000)
    return parse_args(p, cols=10, rows=10, lookups=200)


def build_hierarchy(cols: int, rows: int) -> None:
    from linli.geo.models import Community, District, Street

    district = District.objects.create(code="330106", name="西湖区", city="杭州市")
    for s in range(cols // BLOCK):
        street = Street.objects.create(district=district, code=f"{s + 1:03d}", name=f"街道{s + 1}")
        Community.objects.bulk_create(
            Community(street=street, code=f"{c + 1:03d}", name=f"社区{s + 1}-{c + 1}")
            for c in range(rows // BLOCK)
        )


def cell_code(i: int, j: int) -> str:
    street, community = i // BLOCK + 1, j // BLOCK + 1
    grid = (i % BLOCK) * BLOCK + j % BLOCK + 1
    return f"330106{street:03d}{community:03d}{grid:03d}"


def tessellation(cols: int, rows: int) -> dict[str, Any]:
    features = []
    for i in range(cols):
        for j in range(rows):
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


def main() -> None:
    args = parse()
    cols, rows, lookups = args.cols, args.rows, args.lookups
    django.setup()
    from django.conf import settings

    # Production runs without DEBUG; don't let Django's query log skew the timings.
    settings.DEBUG = False

    from linli.geo.selectors import _index, grid_locate
    from linli.geo.services import grids_import

    sqlite_migrated(DB_PATH, smoke=args.smoke)
    build_hierarchy(cols, rows)
    data = tessellation(cols, rows)

    t0 = time.perf_counter()
    result = grids_import(actor=None, data=data)
    import_s = time.perf_counter() - t0

    t0 = time.perf_counter()
    grid_locate(lat=LAT0 + SIZE / 2, lon=LON0 + SIZE / 2)  # first call builds the STRtree
    build_s = time.perf_counter() - t0

    rng = random.Random(SEED)
    # 10 % margin around the tessellation, so some points fall outside every grid.
    w, h = cols * SIZE, rows * SIZE
    points = [
        (LAT0 - 0.1 * h + rng.random() * 1.2 * h, LON0 - 0.1 * w + rng.random() * 1.2 * w)
        for _ in range(lookups)
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
        expected = cell_code(i, j) if 0 <= i < cols and 0 <= j < rows else None
        correct += (hit.unit_code if hit else None) == expected
    inside = sum(1 for hit in found if hit is not None)

    # Where the time goes: the per-call freshness query versus the tree itself.
    repeats = min(2000, lookups)
    t0 = time.perf_counter()
    for _ in range(repeats):
        _index._current_version()
    version_us = (time.perf_counter() - t0) / repeats * 1e6

    tree = _index._tree
    assert tree is not None
    t0 = time.perf_counter()
    for lat, lon in points:
        tree.query(shapely.Point(lon, lat), predicate="intersects")
    tree_us = (time.perf_counter() - t0) / lookups * 1e6

    timings.sort()
    print(f"grids imported:      {result.created} created, {result.updated} updated")
    print(f"import:              {import_s:.2f} s")
    print(f"index build:         {build_s:.3f} s (first lookup)")
    print(f"lookups:             {lookups} ({inside} inside a grid), {correct} answered correctly")
    print(f"lookups/s:           {lookups / total_s:,.0f}")
    print(f"per lookup p50:      {percentile(timings, 0.50):.1f} µs")
    print(f"per lookup p95:      {percentile(timings, 0.95):.1f} µs")
    print(f"  the index-freshness query alone: {version_us:.1f} µs")
    print(f"  the STRtree query alone:         {tree_us:.1f} µs")

    t0 = time.perf_counter()
    result = grids_import(actor=None, data=data)
    print(f"re-import (all updates): {time.perf_counter() - t0:.2f} s ({result.updated} updated)")


if __name__ == "__main__":
    main()
