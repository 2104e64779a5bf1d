"""Fault-injection harness: the real commands (`db_worker`, `care_mqtt`, `casework_sweep`)
run as subprocesses against a throwaway database of their own, which the test reads back with
plain SQL. pytest-django's database cannot serve: on SQLite it is in memory and each test
runs in a transaction, so no other process sees it.

The database is `linli_fault_<hex>` on the server of DATABASE_URL when that is PostgreSQL,
else a temporary SQLite file. Migrating takes most of the time, so it is done once per test
session into a template (`linli_fault_tpl_<hex>` / a file) that each test copies
(`createdb -T` / SQLite's backup API). Subprocesses run as production does (DEBUG off), with
fresh keys. Use it with:

    from linli.core.tests.fault_harness import fault_db, fault_template  # noqa: F401
"""

import base64
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
MANAGE = ROOT / "manage.py"
IN_CI = bool(os.environ.get("CI"))
LOCAL_HOSTS = ("127.0.0.1", "localhost")


def on_postgres() -> bool:
    return urlsplit(os.environ.get("DATABASE_URL", "")).scheme in ("postgres", "postgresql")


def _key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


def wait_until(check: Callable[[], Any], *, timeout: float, what: str) -> Any:
    """Poll `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f}s waiting for {what}")
        time.sleep(0.02)


class Server:
    """The PostgreSQL server of DATABASE_URL: creates and drops linli_fault_* databases."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.hostname not in LOCAL_HOSTS:
            pytest.fail(f"fault tests only talk to a local server, not {parts.hostname!r}")
        self.parts = parts
        self.args = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432)]
        self.args += ["-U", parts.username or "postgres"]

    def url(self, name: str) -> str:
        assert name.startswith("linli_fault")
        return urlunsplit(self.parts._replace(path=f"/{name}"))

    def _admin(self) -> Any:
        import psycopg

        return psycopg.connect(
            self.url("linli_fault").rsplit("/", 1)[0] + "/postgres",
            autocommit=True,
            connect_timeout=3,
        )

    def check(self) -> None:
        import psycopg

        try:
            self._admin().close()
        except psycopg.OperationalError as exc:
            if IN_CI:
                pytest.fail(f"PostgreSQL not reachable for the fault tests: {exc}")
            pytest.skip(f"PostgreSQL is not running: {exc}")

    def create(self, name: str, template: str | None = None) -> None:
        assert name.startswith("linli_fault") and (template or "linli_fault").startswith(
            "linli_fault"
        )
        with self._admin() as conn:  # names are ours (hex), never input
            conn.execute(
                f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else "")
            )

    def drop(self, name: str) -> None:
        assert name.startswith("linli_fault")
        with self._admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class FaultDB:
    """One throwaway database and the processes a test runs against it."""

    def __init__(self, url: str, var_dir: Path, keys: dict[str, str]) -> None:
        self.url, self.var_dir = url, var_dir
        self.postgres = url.startswith("postgres")
        self.env = {
            **os.environ,
            **keys,
            "DATABASE_URL": url,
            "DEBUG": "0",
            "LINLI_VAR_DIR": str(var_dir),
            "DJANGO_SETTINGS_MODULE": "linli.settings",
            "PYTHONUNBUFFERED": "1",
        }
        self.procs: list[subprocess.Popen[bytes]] = []
        self.timings: list[tuple[str, float]] = []  # (command, seconds), for the summaries

    # processes
    def manage(
        self, *argv: str, env: dict[str, str] | None = None, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        started = time.monotonic()
        done = subprocess.run(  # noqa: S603  (our own manage.py)
            [sys.executable, str(MANAGE), *argv],
            env={**self.env, **(env or {})},
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        self.timings.append((argv[0], round(time.monotonic() - started, 1)))
        return done

    def ok(self, *argv: str, env: dict[str, str] | None = None, timeout: float = 120) -> str:
        done = self.manage(*argv, env=env, timeout=timeout)
        assert done.returncode == 0, f"manage.py {' '.join(argv)}: {done.stdout}{done.stderr}"
        return done.stdout

    def spawn(self, name: str, *argv: str, env: dict[str, str] | None = None) -> "Proc":
        out = self.var_dir / f"{name}.out"
        with open(out, "wb") as f:
            popen = subprocess.Popen(  # noqa: S603  (our own manage.py)
                [sys.executable, str(MANAGE), *argv],
                env={**self.env, **(env or {})},
                cwd=ROOT,
                stdout=f,
                stderr=subprocess.STDOUT,
            )
        self.procs.append(popen)
        return Proc(popen, out)

    def seed(self, function: str, **kwargs: Any) -> dict[str, Any]:
        """Call linli.core.tests.fault_seed.<function>(**kwargs) inside the database."""
        code = (
            "import json; from linli.core.tests import fault_seed; "
            f"print(json.dumps(fault_seed.{function}(**json.loads({json.dumps(kwargs)!r}))))"
        )
        out = self.ok("shell", "-c", code)
        result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
        return result

    def stop_all(self) -> None:
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait(10)

    # SQL
    def connect(self) -> Any:
        if self.postgres:
            import psycopg

            return psycopg.connect(self.url, autocommit=True)
        return sqlite3.connect(
            self.url.removeprefix("sqlite:///"), timeout=20, isolation_level=None
        )  # autocommit, as psycopg above

    def rows(self, query: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        if not self.postgres:
            query = query.replace("%s", "?")
        conn = self.connect()
        try:
            return list(conn.execute(query, params).fetchall())
        finally:
            conn.close()

    def execute(self, query: str, params: tuple[Any, ...] = ()) -> None:
        if not self.postgres:
            query = query.replace("%s", "?")
        conn = self.connect()
        try:
            conn.execute(query, params)
        finally:
            conn.close()

    def scalar(self, query: str, params: tuple[Any, ...] = ()) -> Any:
        return self.rows(query, params)[0][0]


class Proc:
    def __init__(self, popen: "subprocess.Popen[bytes]", out: Path) -> None:
        self.popen, self.out = popen, out

    @property
    def pid(self) -> int:
        return self.popen.pid

    def output(self) -> str:
        return self.out.read_text(encoding="utf-8", errors="replace")

    def kill(self) -> int:
        """SIGKILL: no handler runs, nothing is flushed or acknowledged."""
        os.kill(self.popen.pid, signal.SIGKILL)
        return self.popen.wait(10)

    def wait(self, timeout: float) -> int:
        try:
            return self.popen.wait(timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            pytest.fail(f"process still running after {timeout:.0f}s:\n{self.output()[-3000:]}")


class Template:
    """The migrated database every test copies."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.keys = {
            "SECRET_KEY": uuid.uuid4().hex + uuid.uuid4().hex,
            "LINLI_DATA_KEYS": f"fault1:{_key()}",
            "LINLI_INDEX_KEY": _key(),
        }
        self.server: Server | None = None
        if on_postgres():
            self.server = Server(os.environ["DATABASE_URL"])
            self.server.check()
            self.name = f"linli_fault_tpl_{uuid.uuid4().hex[:8]}"
            self.server.create(self.name)
            url = self.server.url(self.name)
        else:
            self.name = str(base / "template.sqlite3")
            url = f"sqlite:///{self.name}"
        try:
            FaultDB(url, base, self.keys).ok("migrate", "--noinput", "-v0", timeout=300)
        except BaseException:
            self.drop()
            raise

    def copy(self, var_dir: Path) -> FaultDB:
        if self.server is not None:
            name = f"linli_fault_{uuid.uuid4().hex[:10]}"
            self.server.create(name, template=self.name)
            return FaultDB(self.server.url(name), var_dir, self.keys)
        path = var_dir / "db.sqlite3"
        src, dst = sqlite3.connect(self.name), sqlite3.connect(path)
        with dst:
            src.backup(dst)
        src.close()
        dst.close()
        return FaultDB(f"sqlite:///{path}", var_dir, self.keys)

    def discard(self, db: FaultDB) -> None:
        db.stop_all()
        if self.server is not None:
            self.server.drop(db.url.rsplit("/", 1)[1])

    def drop(self) -> None:
        if self.server is not None:
            self.server.drop(self.name)


_template: list[Template] = []  # one per test session, whichever module asks first


@pytest.fixture(scope="session")
def fault_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Template]:
    if not _template:
        _template.append(Template(tmp_path_factory.mktemp("linli_fault")))
    yield _template[0]
    if _template:  # the first module's fixture to end drops it (both end with the session)
        _template.pop().drop()


@pytest.fixture
def fault_db(fault_template: Template, tmp_path: Path) -> Iterator[FaultDB]:
    db = fault_template.copy(tmp_path)
    try:
        yield db
    finally:
        fault_template.discard(db)
