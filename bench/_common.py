"""Helpers shared by the benchmarks.

Each PostgreSQL benchmark owns one throwaway database: created with `createdb`, migrated and
filled with `manage.py demo` in a subprocess, dropped with `dropdb --force` at the end.

Every benchmark takes `--smoke`: the same code path at a tiny size (bench/test_smoke.py runs
them so in CI). A smoke run clones its database from a template (migrated, or migrated with
the demo) kept per digest of linli's sources, since migrating takes longer than the run.
"""

import argparse
import base64
import contextlib
import fcntl
import hashlib
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

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


def pg_recreate(url: str, *, template: str | None = None) -> None:
    args, name = _pg_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True, timeout=120)
    copy = ["-T", template] if template else []
    subprocess.run(["createdb", *args, *copy, name], check=True, timeout=120)


def pg_drop(url: str) -> None:
    args, name = _pg_args(url)
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True, timeout=120)


def manage(url: str, *argv: str, timeout: float = 900) -> str:
    """Run `manage.py <argv>` against `url` in a subprocess; returns its output."""
    bench_keys()
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


def build_database(url: str, *, demo: bool = True, smoke: bool = False) -> dict[str, float]:
    """Recreate and migrate the database, and load the demo city unless `demo` is false; a
    smoke run clones a template instead. Returns the seconds each step took."""
    took: dict[str, float] = {}
    t0 = time.perf_counter()
    if smoke:
        _pg_clone(url, demo=demo)
        took["createdb from template"] = time.perf_counter() - t0
        return took
    pg_recreate(url)
    took["createdb"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    manage(url, "migrate", "--verbosity", "0")
    took["migrate"] = time.perf_counter() - t0
    if demo:
        t0 = time.perf_counter()
        manage(url, "demo")
        took["demo"] = time.perf_counter() - t0
    return took


# ---------------------------------------------------------------- smoke runs

SMOKE_HELP = "tiny size, one repetition: checks the benchmark still runs (CI does)"
TEMPLATE_PREFIX = "linli_bench_smoke_tpl_"


def parse_args(parser: argparse.ArgumentParser, **smoke: Any) -> argparse.Namespace:
    """Add --smoke to `parser` and parse; under --smoke the options default to `smoke`
    (an option given on the command line still wins)."""
    parser.add_argument("--smoke", action="store_true", help=SMOKE_HELP)
    if "--smoke" in sys.argv[1:]:
        parser.set_defaults(**smoke)
    return parser.parse_args()


def smoke_url(url: str) -> str:
    """The smoke run's database: linli_bench_x becomes linli_bench_smoke_x."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/").removeprefix("linli_bench_")
    return urlunsplit(parts._replace(path=f"/linli_bench_smoke_{name}"))


def bench_keys() -> None:
    """Throwaway encryption keys for every process of a benchmark (the demo subprocess, this
    one, gunicorn): with DEBUG off there is no development key ring. Fixed, so a smoke
    template made by an earlier run still decrypts; keys already in the environment win."""
    for name, label in (("LINLI_DATA_KEYS", "data"), ("LINLI_INDEX_KEY", "index")):
        key = base64.b64encode(hashlib.sha256(f"linli-bench-{label}".encode()).digest())
        value = key.decode()
        os.environ.setdefault(name, f"bench:{value}" if name == "LINLI_DATA_KEYS" else value)


@contextlib.contextmanager
def _lock(name: str) -> Iterator[None]:
    """A lock over every process of this machine: smoke templates are shared between runs."""
    with open(f"/tmp/linli-bench-smoke-{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _digest() -> str:
    """What a template depends on: linli's sources (migrations, demo) and the data keys."""
    bench_keys()
    h = hashlib.sha256()
    for path in sorted((ROOT / "linli").rglob("*.py")):
        if "tests" not in path.parts:
            h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    for name in ("LINLI_DATA_KEYS", "LINLI_INDEX_KEY"):
        h.update(os.environ[name].encode())
    return h.hexdigest()[:12]


def _psql(url: str, sql: str) -> str:
    args, _ = _pg_args(url)
    done = subprocess.run(
        ["psql", *args, "-d", "postgres", "-XAtqc", sql],
        check=True,
        capture_output=True,
        text=True,
        timeout=120,
    )
    return done.stdout.strip()


def _pg_clone(url: str, *, demo: bool) -> None:
    """Recreate `url` as a copy of the up-to-date template, built first if missing. Cloning,
    renaming and dropping take the "pg" lock; a build takes only its own template's lock, so
    other benchmarks clone meanwhile. A template is built under another name and renamed when
    complete: an interrupted build is never used."""
    digest = _digest()
    kind = "demo" if demo else "migrated"
    name = f"{TEMPLATE_PREFIX}{kind}_{digest}"
    with _lock("pg"):
        if _pg_exists(url, name):
            pg_recreate(url, template=name)
            return
    with _lock(name):
        if not _pg_exists(url, name):  # else another process built it meanwhile
            building = _with_name(url, f"{name}_building")
            if demo:
                _pg_clone(building, demo=False)
                manage(building, "demo", "--skip-checks")
            else:
                pg_recreate(building)
                manage(building, "migrate", "--verbosity", "0", "--skip-checks")
            with _lock("pg"):
                for other in _psql(url, _TEMPLATES).split():
                    if digest not in other and not other.endswith("_building"):
                        pg_drop(_with_name(url, other))  # made from older sources
                _psql(url, f"ALTER DATABASE {name}_building RENAME TO {name}")
    _pg_clone(url, demo=demo)


_TEMPLATES = f"SELECT datname FROM pg_database WHERE datname LIKE '{TEMPLATE_PREFIX}%'"


def _pg_exists(url: str, name: str) -> bool:
    return name in _psql(url, _TEMPLATES).split()


def _with_name(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


def sqlite_migrated(path: Path, *, smoke: bool) -> None:
    """A fresh migrated SQLite database at `path` (Django not yet connected to it): migrated
    in this process, or under --smoke copied from a template file."""
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not smoke:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        return
    with _lock("sqlite"):
        template = Path(f"/tmp/{TEMPLATE_PREFIX}{_digest()}.sqlite3")
        if not template.exists():
            for old in Path("/tmp").glob(f"{TEMPLATE_PREFIX}*.sqlite3"):
                old.unlink()
            building = template.with_suffix(".building")
            building.unlink(missing_ok=True)
            manage(f"sqlite:///{building}", "migrate", "--verbosity", "0", "--skip-checks")
            with contextlib.closing(sqlite3.connect(building)) as db:
                db.execute("PRAGMA journal_mode=DELETE")  # one file: the WAL folded in
            building.rename(template)
        shutil.copyfile(template, path)


def django_setup(url: str) -> None:
    """Point Django at `url` and set it up in this process, with DEBUG off as in production
    (so the query log does not skew timings)."""
    bench_keys()
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
