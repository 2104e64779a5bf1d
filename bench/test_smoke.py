"""Every benchmark in bench/ runs with --smoke (tiny size, seconds each) and prints figures.

The benchmarks are found by glob (bench/*.py but helpers `_*.py` and tests), so a new one is
covered without editing this file. Each runs as its own process, `DEBUG=1` as documented,
without the suite's DATABASE_URL (a benchmark makes its own databases, named
linli_bench_smoke_*): it must exit 0 and print at least one timing figure.

A benchmark whose source names a postgres:// URL needs PostgreSQL at 127.0.0.1:5432; one
naming port 1883 needs the MQTT broker there. A missing service fails the test under CI
and skips it elsewhere. CI runs the suite twice, on SQLite and then with a postgres://
DATABASE_URL: there each benchmark runs once, the PostgreSQL ones in the PostgreSQL pass and
the others in the SQLite pass (elsewhere every benchmark runs). The module starts them all
at once, two at a time, and each test waits for its own.
"""

import os
import re
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent
SCRIPTS = sorted(p for p in BENCH.glob("*.py") if not p.name.startswith(("_", "test_")))
IN_CI = bool(os.environ.get("CI"))
ON_POSTGRES = os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://"))
PARALLEL = 3  # CI machines have two cores, and most benchmarks also wait on a server
TIMEOUT = 300
# A timing figure: "0.31 s", "12.5 ms", "531.9 µs", "4,513 deadlines/s".
FIGURE = re.compile(r"\d[\d,]*(?:\.\d+)?\s*(?:[^\W\d]+/)?(?:s|ms|µs)\b")


@dataclass(frozen=True)
class Run:
    returncode: int
    output: str


def _needs(script: Path) -> dict[str, tuple[str, int]]:
    text = script.read_text()
    needs = {}
    if "postgres://" in text:
        needs["PostgreSQL"] = ("127.0.0.1", 5432)
    if re.search(r"\b1883\b", text):
        needs["the MQTT broker"] = ("127.0.0.1", 1883)
    return needs


def _reachable(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=2).close()
    except OSError:
        return False
    return True


@cache  # asked once: the fixture and the test agree on what runs
def _blocked(script: Path) -> tuple[bool, str] | None:
    """(fail?, why) when the benchmark is not to run here; None when it runs."""
    needs = _needs(script)
    if IN_CI and ("PostgreSQL" in needs) != ON_POSTGRES:
        other = "SQLite" if ON_POSTGRES else "PostgreSQL"
        return False, f"runs once in CI, in the {other} pass"
    for service, address in needs.items():
        if not _reachable(address):
            return IN_CI, f"{service} is not reachable at {address[0]}:{address[1]}"
    return None


def _run(script: Path) -> Run:
    env = {**os.environ, "DEBUG": "1"}
    for name in ("DATABASE_URL", "LINLI_TEST_NOW", "LINLI_TEST_NOW_SCOPE"):
        env.pop(name, None)
    proc = subprocess.Popen(
        [sys.executable, str(script), "--smoke"],
        cwd=BENCH.parent,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own group: a timeout stops its servers too
    )
    try:
        output, _ = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        output, _ = proc.communicate()
        output += f"\n[killed after {TIMEOUT} s]"
    return Run(proc.returncode, output)


@pytest.fixture(scope="module")
def runs() -> Iterator[dict[str, Future[Run]]]:
    with ThreadPoolExecutor(PARALLEL) as pool:
        yield {s.name: pool.submit(_run, s) for s in SCRIPTS if _blocked(s) is None}


def test_benchmarks_found() -> None:
    assert len(SCRIPTS) >= 10, SCRIPTS


@pytest.mark.parametrize("script", SCRIPTS, ids=[s.stem for s in SCRIPTS])
def test_smoke(script: Path, runs: dict[str, Future[Run]]) -> None:
    blocked = _blocked(script)
    if blocked is not None:
        fail, why = blocked
        if fail:
            pytest.fail(f"{script.name}: {why}, and CI must run it")
        pytest.skip(why)
    run = runs[script.name].result()
    tail = run.output[-4000:]
    assert run.returncode == 0, f"{script.name} --smoke exited {run.returncode}:\n{tail}"
    assert FIGURE.search(run.output), f"{script.name} --smoke printed no figures:\n{tail}"
