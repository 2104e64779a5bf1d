"""Which tests depend on the wall clock without pinning it?

Runs the given tests once per instant with LINLI_TEST_NOW set (conftest.py then runs every
test module not marked `clock` at that instant, see linli/testing/clock.py) and prints, for
each test that failed somewhere, the instants it failed at. A test failing at some instants
only depends on the clock: pin it with @pytest.mark.clock(...), or report the product bug.

    .venv/bin/python bench/clock_sweep.py linli/care linli/casework
    .venv/bin/python bench/clock_sweep.py --at "2027-02-28 23:59" linli/ledger
    .venv/bin/python bench/clock_sweep.py --each-test --at "2026-12-02 23:59:59.5" linli
    .venv/bin/python bench/clock_sweep.py --smoke   # one instant, the clock tests alone

Browser tests are left out (chromium keeps the real clock, so a session cookie set at a
past instant has already expired there), and so are the benchmarks' smoke runs (bench/).
"""

import argparse
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Local (Asia/Shanghai) instants where clock-dependent tests tend to break.
INSTANTS = [
    "2026-12-02 00:30",  # just after midnight (a Wednesday)
    "2026-12-02 07:59",  # before office hours
    "2026-12-02 12:00",
    "2026-12-02 22:30",  # quiet hours
    "2026-12-02 03:00",  # dead of night
    "2026-12-02 23:59",  # a minute before the day ends
    "2026-12-02 23:59:59",  # each module starts a second before midnight
    "2026-12-06 10:00",  # a Sunday
    "2026-10-01 10:00",  # National Day, in chinese-calendar's data
    "2027-10-01 10:00",  # National Day, in a year chinese-calendar does not know yet
    "2027-01-31 23:50",  # month end, ten minutes before the month changes
    "2027-01-31 23:59:59",  # each module starts a second before the month changes
]
SMOKE_TESTS = ["linli/core/tests/test_clock.py"]
FAILED = re.compile(r"^(?:FAILED|ERROR) (\S+)")
SUMMARY = re.compile(r"\d+ (?:passed|failed|error)")


def run(at: str, args: list[str], scope: str) -> tuple[set[str], str, float]:
    env = {**os.environ, "LINLI_TEST_NOW": at, "LINLI_TEST_NOW_SCOPE": scope}
    command = [sys.executable, "-m", "pytest", "-rfE", "-p", "no:cacheprovider"]
    command += ["-m", "not browser", "--ignore", str(ROOT / "bench"), *args]
    started = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    lines = done.stdout.splitlines()
    failed = {m.group(1) for line in lines if (m := FAILED.match(line))}
    if done.returncode not in (0, 1):  # not "some tests failed": pytest itself could not run
        failed.add(f"pytest exited {done.returncode}: {(done.stdout + done.stderr)[-500:]}")
    last = (lines or done.stderr.splitlines() or ["no output"])[-1]
    summary = next((line for line in reversed(lines) if SUMMARY.search(line)), last)
    return failed, summary, time.monotonic() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--at", action="append", help="an instant (repeatable)")
    parser.add_argument(
        "--each-test",
        action="store_true",
        help="start every test at the instant, not every module (e.g. --at '23:59:59.5')",
    )
    parser.add_argument(
        "--smoke", action="store_true", help="one instant and, unless given, the clock tests"
    )
    options, args = parser.parse_known_args()
    instants = options.at or (INSTANTS[-1:] if options.smoke else INSTANTS)
    if options.smoke and not args:
        args = SMOKE_TESTS
    failures: dict[str, list[str]] = {}
    for at in instants:
        failed, summary, seconds = run(at, args, "test" if options.each_test else "module")
        print(f"{at}: {summary} ({seconds:.0f} s)", flush=True)
        for test in failed:
            failures.setdefault(test, []).append(at)
    print()
    if not failures:
        print("No test depends on the clock at these instants.")
    for test, at in sorted(failures.items()):
        print(f"{test}\n    fails at: {', '.join(at)}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
