"""Throwaway PostgreSQL 15 clusters of a test's own: a primary and a streaming replica made
with `pg_basebackup -R` (issue 18). The shared server on 5432 has no replication access and
is never touched. PostgreSQL refuses to run as root, so under root every server command runs
as the `postgres` user (`runuser`), in a data directory under /tmp that it owns.

Outside CI a machine without the binaries (or neither root nor postgres) skips; under CI
it fails, so a CI that lost them cannot pass by skipping."""

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

PG_BIN = Path(os.environ.get("LINLI_PG_BIN", "/usr/lib/postgresql/15/bin"))
IN_CI = bool(os.environ.get("CI"))


def unavailable(what: str) -> None:
    if IN_CI:
        pytest.fail(f"CI needs {what}")
    pytest.skip(f"{what} is not available")


def _as_postgres() -> list[str]:
    """The prefix that runs a server command as the postgres user."""
    me = os.geteuid()
    if me == 0:
        return ["runuser", "-u", "postgres", "--"]
    if pwd.getpwuid(me).pw_name == "postgres":
        return []
    unavailable("root or the postgres user to run PostgreSQL clusters")
    return []


def _port_free(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


def free_port() -> int:
    """A port nothing listens on now (so two runs on one machine do not collide)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Pair:
    base: Path
    primary_port: int
    replica_port: int

    def url(self, port: int, db: str) -> str:
        return f"postgres://postgres@127.0.0.1:{port}/{db}"

    def connect(self, port: int, db: str = "postgres") -> Any:
        import psycopg

        return psycopg.connect(self.url(port, db), autocommit=True, connect_timeout=5)

    def primary(self, db: str = "postgres") -> Any:
        return self.connect(self.primary_port, db)

    def replica(self, db: str = "postgres") -> Any:
        return self.connect(self.replica_port, db)

    def load(self, db: str, source_url: str) -> None:
        """Create `db` on the primary as a copy of a migrated database elsewhere."""
        copy_database(source_url, self.url(self.primary_port, db), create=True)

    def wait_replayed(self, timeout: float = 30) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        with self.primary() as p:
            target = p.execute("SELECT pg_current_wal_lsn()").fetchone()[0]
        deadline = time.monotonic() + timeout
        with self.replica() as r:
            while True:
                done = r.execute(
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", [str(target)]
                ).fetchone()[0]
                if done:
                    return
                if time.monotonic() > deadline:
                    pytest.fail(f"replica did not replay up to {target} in {timeout:.0f}s")
                time.sleep(0.05)


def copy_database(source_url: str, target_url: str, *, create: bool) -> None:
    """pg_dump | psql: a copy of a migrated database (migrating from scratch takes a minute
    and a half on a shared machine; a copy, a second or two)."""
    if create:
        import psycopg

        base, name = target_url.rsplit("/", 1)
        with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')  # our own name, never input
    dump = subprocess.Popen(  # noqa: S603
        [str(PG_BIN / "pg_dump"), "--no-owner", "--no-privileges", "-d", source_url],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    restore = subprocess.run(  # noqa: S603
        [str(PG_BIN / "psql"), "-q", "-v", "ON_ERROR_STOP=1", "-d", target_url],
        stdin=dump.stdout,
        capture_output=True,
        timeout=120,
    )
    assert dump.stdout is not None and dump.stderr is not None
    dump.stdout.close()
    if dump.wait(60) != 0 or restore.returncode != 0:
        pytest.fail(f"copying the database failed: {dump.stderr.read()!r} {restore.stderr!r}")


def _run(prefix: list[str], *argv: str, timeout: float = 60) -> None:
    done = subprocess.run(  # noqa: S603  (the PostgreSQL binaries, our arguments)
        [*prefix, *argv], capture_output=True, text=True, timeout=timeout
    )
    if done.returncode != 0:
        pytest.fail(f"{' '.join(argv[:2])} failed:\n{done.stdout}{done.stderr}")


@contextmanager
def streaming_pair(primary_port: int = 0, replica_port: int = 0) -> Iterator[Pair]:
    """A primary (wal_level=replica, replication allowed from 127.0.0.1) and a hot standby
    streaming from it; both stopped and removed afterwards."""
    for binary in ("initdb", "pg_ctl", "pg_basebackup", "pg_dump", "psql"):
        if not (PG_BIN / binary).exists():
            unavailable(f"PostgreSQL 15 server binaries in {PG_BIN}")
    prefix = _as_postgres()
    primary_port = primary_port or free_port()
    replica_port = replica_port or free_port()
    while replica_port == primary_port:
        replica_port = free_port()
    for port in (primary_port, replica_port):
        if not _port_free(port):
            pytest.fail(f"port {port} is taken: a cluster of an earlier run still up?")
    base = Path(tempfile.mkdtemp(prefix="linli_replica_", dir="/tmp"))
    if prefix:
        shutil.chown(base, "postgres", "postgres")
    primary, replica = base / "primary", base / "replica"
    pg = [str(PG_BIN / "pg_ctl"), "-w", "-t", "60"]
    started: list[Path] = []
    try:
        _run(
            prefix,
            str(PG_BIN / "initdb"),
            "-D",
            str(primary),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
            "--no-sync",
        )
        conf = (
            f"port = {primary_port}\nlisten_addresses = '127.0.0.1'\n"
            f"unix_socket_directories = '{base}'\n"
            "wal_level = replica\nmax_wal_senders = 4\nhot_standby = on\n"
            "max_connections = 40\nshared_buffers = 32MB\n"
            # A test cluster: durability is not what is tested, speed of set-up is.
            "fsync = off\nfull_page_writes = off\n"
        )
        _append(prefix, primary / "postgresql.conf", conf)
        _append(
            prefix,
            primary / "pg_hba.conf",
            "host replication postgres 127.0.0.1/32 trust\n",
        )
        _run(prefix, *pg, "-D", str(primary), "-l", str(base / "primary.log"), "start")
        started.append(primary)
        _run(
            prefix,
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary_port),
            "-U",
            "postgres",
            "-D",
            str(replica),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
            "--no-sync",
        )
        _append(prefix, replica / "postgresql.auto.conf", f"port = {replica_port}\n")
        _run(prefix, *pg, "-D", str(replica), "-l", str(base / "replica.log"), "start")
        started.append(replica)
        pair = Pair(base, primary_port, replica_port)
        _wait_streaming(pair)
        yield pair
    finally:
        for data in reversed(started):
            subprocess.run(  # noqa: S603
                [*prefix, *pg, "-D", str(data), "-m", "immediate", "stop"],
                capture_output=True,
                timeout=60,
            )
        shutil.rmtree(base, ignore_errors=True)


def _append(prefix: list[str], path: Path, text: str) -> None:
    done = subprocess.run(  # noqa: S603
        [*prefix, "sh", "-c", f"cat >> '{path}'"], input=text, text=True, capture_output=True
    )
    if done.returncode != 0:
        pytest.fail(f"could not write {path}: {done.stderr}")


def _wait_streaming(pair: Pair, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while True:
        with pair.primary() as p:
            state = p.execute("SELECT state FROM pg_stat_replication").fetchone()
        if state and state[0] == "streaming":
            with pair.replica() as r:
                assert r.execute("SELECT pg_is_in_recovery()").fetchone()[0]
            return
        if time.monotonic() > deadline:
            pytest.fail(f"the replica is not streaming after {timeout:.0f}s (state {state})")
        time.sleep(0.1)
