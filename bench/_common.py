"""Helpers shared by the PostgreSQL benchmarks (bench/casework_intake.py, casework_lists.py).

Each benchmark owns one throwaway database: created with `createdb`, migrated and filled
with `manage.py demo` in a subprocess, dropped with `dropdb --force` at the end.
"""

import os
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
MANAGE = ROOT / "manage.py"
ALLOWED_DB_HOSTS = ("127.0.0.1", "localhost")


def _pg_args(url: str) -> tuple[list[str], str]:
    """(connection options for createdb/dropdb/psql, database name) from a postgres:// URL."""
    parts = urlsplit(url)
    if parts.scheme not in ("postgres", "postgresql"):
        raise SystemExit(f"--database-url must be a postgres:// URL, not {url!r}")
    if parts.hostname not in ALLOWED_DB_HOSTS:
        raise SystemExit(f"benchmarks only talk to 127.0.0.1, not {parts.hostname!r}")
    name = parts.path.lstrip("/")
    if not name.startswith("linli_bench"):
        raise SystemExit(f"refusing to recreate {name!r}: the name must start with linli_bench")
    args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
    args += ["-U", parts.username or "postgres"]
    return args, name


def pg_recreate(url: str) -> None:
    args, name = _pg_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True, timeout=120)
    subprocess.run(["createdb", *args, name], check=True, timeout=120)


def pg_drop(url: str) -> None:
    args, name = _pg_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True, timeout=120)


def manage(url: str, *argv: str, timeout: float = 900) -> str:
    """Run `manage.py <argv>` against `url` in a subprocess; returns its output."""
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1"}
    done = subprocess.run(
        [sys.executable, str(MANAGE), *argv],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"manage.py {' '.join(argv)} failed ({done.returncode})")
    return done.stdout


def build_database(url: str) -> dict[str, float]:
    """Recreate, migrate and load the demo city. Returns the seconds each step took."""
    took: dict[str, float] = {}
    t0 = time.perf_counter()
    pg_recreate(url)
    took["createdb"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    manage(url, "migrate", "--verbosity", "0")
    took["migrate"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    manage(url, "demo")
    took["demo"] = time.perf_counter() - t0
    return took


def django_setup(url: str) -> None:
    """Point Django at `url` and set it up in this process, with DEBUG off as in production
    (so the query log does not skew timings)."""
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False


def percentile(sorted_values: list[float], q: float) -> float:
    if not sorted_values:
        return float("nan")
    return sorted_values[min(len(sorted_values) - 1, int(q * len(sorted_values)))]


def leaf_categories() -> list[Any]:
    from linli.casework.models import Category

    return list(Category.objects.filter(active=True, parent__isnull=False).order_by("code"))


def grid_points(rng: random.Random, n: int) -> list[tuple[float, float, int]]:
    """`n` random (lat, lon, grid id) points strictly inside random demo grids (rejection
    sampling in each grid's bounding box, checked with shapely)."""
    from shapely.geometry import Point, shape

    from linli.geo.models import Grid

    grids = list(Grid.objects.order_by("id"))
    if not grids:
        raise SystemExit("no grids: did manage.py demo run?")
    shapes = [(g, shape(g.geometry)) for g in grids]
    points: list[tuple[float, float, int]] = []
    for _ in range(n):
        grid, polygon = rng.choice(shapes)
        for _attempt in range(1000):
            lon = rng.uniform(grid.min_lon, grid.max_lon)
            lat = rng.uniform(grid.min_lat, grid.max_lat)
            if polygon.contains(Point(lon, lat)):
                points.append((lat, lon, grid.pk))
                break
    return points


def read_proc_cpu(pid: int) -> float:
    """CPU seconds (user + system) a process has used so far; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks


def proc_children(ppid: int) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        if int(fields[1]) == ppid:
            out.append(int(entry.name))
    return sorted(out)


def procs_named(name: str) -> list[int]:
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == name:
                out.append(int(entry.name))
        except (FileNotFoundError, ProcessLookupError):
            continue
    return out


def system_cpu() -> tuple[float, float]:
    """(busy, total) jiffies of the whole machine since boot, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = values[3] + values[4]  # idle + iowait
    total = sum(values[:8])
    return total - idle, total
