"""Run schemathesis over the /api/ OpenAPI schema once per role and print one summary.

Called by .ci/fuzz, which prepares the database, the tokens and the server. Exits 1 when
any role finds a server error, a schema violation or a schemathesis error.
"""

import argparse
import json
import re
import subprocess
import sys
import time
import urllib.request
import xml.etree.ElementTree as ET
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

SERVER_ERROR_CODES = {"ST101", "ST102"}  # 5xx (ST102: 5xx for an undeclared content type)
CHECKS = "not_a_server_error,response_schema_conformance"


@dataclass
class Finding:
    role: str
    operation: str
    codes: list[str]
    curl: str

    @property
    def server_error(self) -> bool:
        return bool(SERVER_ERROR_CODES & set(self.codes))


@dataclass
class RoleResult:
    role: str
    exit_code: int
    seconds: float
    operations: int = 0
    examples: int = 0
    findings: list[Finding] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)  # schemathesis could not test something


def parse_args() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--base-url", required=True)
    p.add_argument("--tokens", type=Path, required=True, help="JSON file: role -> bearer token")
    p.add_argument("--roles", required=True, help="comma-separated, in the order to report")
    p.add_argument("--seed", type=int, required=True)
    p.add_argument("--max-examples", type=int, required=True)
    p.add_argument("--phases", default="fuzzing,stateful")
    p.add_argument("--parallel", type=int, default=2, help="roles fuzzed at the same time")
    p.add_argument("--request-timeout", type=float, default=10.0)
    p.add_argument("--config", type=Path, help="schemathesis.toml with per-phase settings")
    p.add_argument("--report-dir", type=Path, required=True)
    p.add_argument("--server-log", type=Path, help="gunicorn's log, to count tracebacks")
    return p.parse_args()


def wait_for_schema(url: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as r:  # noqa: S310 (our own server)
                if r.status == 200:
                    return
        except OSError:
            pass
        if time.monotonic() > deadline:
            sys.exit(f"fuzz: {url} did not answer within {seconds:.0f} s")
        time.sleep(0.5)


def command(args: argparse.Namespace, token: str, out: Path) -> list[str]:
    st = str(Path(sys.executable).parent / "schemathesis")
    cmd = [st, "--no-color"]
    if args.config:
        cmd += ["--config-file", str(args.config.resolve())]
    return cmd + [
        "run",
        f"{args.base_url}/api/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        CHECKS,
        "--seed",
        str(args.seed),
        "--max-examples",
        str(args.max_examples),
        "--phases",
        args.phases,
        "--request-timeout",
        str(args.request_timeout),
        # One thread per run: CPython 3.11's ast is not thread-safe and hypothesis parses
        # lambdas, which fails at random with several workers. Roles run in parallel instead.
        "--workers",
        "1",
        "--generation-database",
        "none",
        "--report",
        "json,junit",
        "--report-dir",
        str(out),
    ]


def parse_junit(role: str, path: Path) -> tuple[list[Finding], list[str]]:
    findings: list[Finding] = []
    errors: list[str] = []
    root = ET.parse(path).getroot()  # noqa: S314 (schemathesis wrote it)
    for case in root.iter("testcase"):
        name = case.get("name", "?")
        for el in case:
            text = el.text or ""
            if el.tag == "error":
                first = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
                errors.append(f"{name}: {first[:200]}")
            elif el.tag == "failure":
                # One block per distinct failing test case: "N. Test Case ID: ...".
                for block in re.split(r"^\d+\. Test Case ID: \S+$", text, flags=re.M)[1:]:
                    codes = sorted(set(re.findall(r"^- (ST\d+)", block, flags=re.M)))
                    curl = next(
                        (ln.strip() for ln in block.splitlines() if ln.strip().startswith("curl ")),
                        "",
                    )
                    findings.append(Finding(role, name, codes, curl))
    return findings, errors


def collect(role: str, code: int, seconds: float, out: Path) -> RoleResult:
    result = RoleResult(role, code, seconds)
    reports = sorted(out.glob("json-*.json"))
    junits = sorted(out.glob("junit-*.xml"))
    if not reports or not junits:
        result.errors.append(f"no report (schemathesis exited {code}); see {out / 'output.txt'}")
        return result
    data = json.loads(reports[-1].read_text(encoding="utf-8"))
    result.operations = data["operations"]["tested"]
    result.examples = data["test_cases"]["generated"]
    result.findings, result.errors = parse_junit(role, junits[-1])
    return result


def run_roles(
    args: argparse.Namespace, tokens: dict[str, str], roles: list[str]
) -> list[RoleResult]:
    pending = list(roles)
    running: dict[str, tuple[subprocess.Popen[bytes], float, Path]] = {}
    done: dict[str, RoleResult] = {}
    while pending or running:
        while pending and len(running) < args.parallel:
            role = pending.pop(0)
            out = args.report_dir / role
            out.mkdir(parents=True, exist_ok=True)
            log = (out / "output.txt").open("wb")
            print(f"fuzz: {role} started", flush=True)
            proc = subprocess.Popen(  # noqa: S603 (our own command line)
                command(args, tokens[role], out), stdout=log, stderr=subprocess.STDOUT, cwd=out
            )
            running[role] = (proc, time.monotonic(), out)
        time.sleep(0.5)
        for role, (proc, started, out) in list(running.items()):
            if proc.poll() is None:
                continue
            del running[role]
            done[role] = collect(role, proc.returncode, time.monotonic() - started, out)
            r = done[role]
            print(
                f"fuzz: {role} finished in {r.seconds:.0f} s "
                f"({r.examples} examples, {len(r.findings)} failures)",
                flush=True,
            )
    return [done[r] for r in roles]


@dataclass
class ServerError:
    path: str  # as Django logged it, escapes and all
    exception: str  # the traceback's last line


def server_log_errors(path: Path) -> tuple[list[ServerError], int]:
    """The 5xx that Django logged, each with its exception, and the number of tracebacks."""
    text = path.read_text(encoding="utf-8", errors="replace")
    records = re.split(r"^(?=\S+ \S+ ERROR django\.request )", text, flags=re.M)
    found = []
    for record in records:
        head = re.match(r"\S+ \S+ ERROR django\.request [^:]*: (\S+)", record)
        if not head:
            continue
        lines = [
            ln for ln in record.splitlines() if re.match(r"^([\w]+\.)*\w*(Error|Exception)\b", ln)
        ]
        found.append(ServerError(head.group(1), lines[-1][:160] if lines else "?"))
    return found, text.count("Traceback (most recent call last)")


def operation_of(finding: Finding) -> str:
    """'GET /api/x/{id}'; for a stateful step, the request's method and path."""
    if " /" in finding.operation:
        return finding.operation
    m = re.search(r"-X (\w+) .*'https?://[^/']+(/[^?']*)", finding.curl)
    return f"{m.group(1)} {m.group(2)} (stateful)" if m else finding.operation


def path_matches(template: str, path: str) -> bool:
    pattern = re.sub(r"\\\{\w+\\\}", "[^/]+", re.escape(template))
    return re.fullmatch(pattern, path) is not None


def exceptions_by_operation(
    operations: list[str], errors: list[ServerError]
) -> dict[str, Counter[str]]:
    """Which logged exceptions belong to which failing operation (literal paths first)."""
    paths = {op: op.split()[1] for op in operations}
    result: dict[str, Counter[str]] = {op: Counter() for op in operations}
    for err in errors:
        exact = [op for op, p in paths.items() if p == err.path]
        loose = [op for op, p in paths.items() if "{" in p and path_matches(p, err.path)]
        for op in exact or loose[:1]:
            result[op][err.exception] += 1
    return result


def main() -> int:
    args = parse_args()
    tokens = json.loads(args.tokens.read_text(encoding="utf-8"))
    roles = [r for r in args.roles.split(",") if r]
    wait_for_schema(f"{args.base_url}/api/openapi.json")
    started = time.monotonic()
    results = run_roles(args, tokens, roles)
    took = time.monotonic() - started

    print()
    print(
        f"== API fuzz summary: schemathesis, seed {args.seed}, phases {args.phases}, "
        f"at most {args.max_examples} examples per operation, checks {CHECKS}"
    )
    head = f"{'role':<18}{'operations':>11}{'examples':>10}{'server errors':>15}"
    print(head + f"{'schema violations':>19}{'st errors':>11}{'time':>7}")
    for r in results:
        server = sum(f.server_error for f in r.findings)
        schema = len(r.findings) - server
        print(
            f"{r.role:<18}{r.operations:>11}{r.examples:>10}{server:>15}{schema:>19}"
            f"{len(r.errors):>11}{r.seconds:>6.0f}s"
        )

    findings = [f for r in results for f in r.findings]
    errors = [(r.role, e) for r in results for e in r.errors]
    server_errors: list[ServerError] = []
    tracebacks = 0
    if args.server_log and args.server_log.exists():
        server_errors, tracebacks = server_log_errors(args.server_log)
    # One entry per operation and kind of failure, with the roles that hit it.
    grouped: dict[tuple[str, bool], list[Finding]] = {}
    for f in findings:
        grouped.setdefault((operation_of(f), f.server_error), []).append(f)
    server_ops = sorted(op for op, is_server in grouped if is_server)
    schema_ops = sorted(op for op, is_server in grouped if not is_server)
    by_op = exceptions_by_operation(
        [op.removesuffix(" (stateful)") for op in server_ops], server_errors
    )
    if grouped:
        print("\nfailures (operation, schemathesis codes, roles; reproduce with the curl line):")
        for op in server_ops + schema_ops:
            is_server = op in server_ops
            group = grouped[(op, is_server)]
            codes = ",".join(sorted({c for f in group for c in f.codes}))
            who = ",".join(dict.fromkeys(f.role for f in group))
            kind = "server error" if is_server else "schema violation"
            print(f"  FAIL {op}: {kind} {codes} [{who}]")
            for exc, n in by_op.get(op.removesuffix(" (stateful)"), Counter()).most_common(3):
                print(f"       raised {exc} (x{n})")
            for curl in dict.fromkeys(f.curl for f in group if f.curl):
                print(f"       {curl[:400]}")
    if errors:
        print("\nschemathesis errors:")
        for role, e in errors:
            print(f"  ERROR [{role}] {e}")
    if args.server_log:
        kinds = Counter(e.exception for e in server_errors)
        print(f"\nserver log: {len(server_errors)} logged 5xx, {tracebacks} tracebacks")
        for exc, n in kinds.most_common(15):
            print(f"  {n:>4} x {exc}")
    ok = not findings and not errors and all(r.exit_code == 0 for r in results)
    print(
        f"\nfuzz: {len(roles)} roles in {took:.0f} s, "
        f"{sum(r.examples for r in results)} examples; {len(server_ops)} operations with "
        f"server errors, {len(schema_ops)} with schema violations, "
        f"{len(errors)} schemathesis errors: " + ("OK" if ok else "FAILED")
    )
    print(f"fuzz: full schemathesis output and reports in {args.report_dir}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
