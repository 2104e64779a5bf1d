"""Linli behind a real PgBouncer in transaction pooling mode (issue 18): each transaction may
run on another server connection, so nothing may rely on session state (WITH HOLD cursors,
session SET, session advisory locks, temp tables used across transactions). PgBouncer runs
as the postgres user on 6441 in front of the shared server, with fewer server connections
than clients, while gunicorn takes case intake and care ingest, two processes post ledger
transfers and the deadline and care sweeps run; everything is read back on the server."""

import datetime as dt
import shutil
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from linli.core.tests.fault_harness import on_postgres
from linli.core.tests.live_app import LiveApp
from linli.testing.pgcluster import PG_BIN, _as_postgres, copy_database, free_port, unavailable

pytestmark = [
    pytest.mark.skipif(not on_postgres(), reason="runs in the PostgreSQL pass"),
    pytest.mark.django_db,  # so the session's test database exists: the test copies it
]
PORT = free_port()  # not fixed: another run on this machine may hold one
POOL_SIZE = 2
INTAKES = 16
BATCHES = 12
TRANSFERS = 20
CASE = {"category": "01-10", "description": "楼道灯坏了", "lat": 30.2725, "lon": 120.1225}


def _server_url(db: str) -> str:
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{db}"


@pytest.fixture
def pooled(tmp_path: Path) -> Iterator[tuple[LiveApp, str, Any]]:
    binary = shutil.which("pgbouncer") or shutil.which("pgbouncer", path="/usr/sbin")
    if binary is None:
        unavailable("pgbouncer (Debian package pgbouncer)")
    assert binary is not None
    prefix = _as_postgres()
    db = f"linli_replica_pool_{uuid.uuid4().hex[:8]}"
    copy_database(_server_url(connection.settings_dict["NAME"]), _server_url(db), create=True)
    # Not under pytest's tmp_path: the postgres user cannot enter root's pytest directory.
    conf = Path(tempfile.mkdtemp(prefix="linli_replica_pgbouncer_", dir="/tmp"))
    s = connection.settings_dict
    (conf / "userlist.txt").write_text('"postgres" ""\n')
    (conf / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"{db} = host={s['HOST'] or '127.0.0.1'} port={s['PORT'] or 5432} dbname={db}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {PORT}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {conf / 'userlist.txt'}\nadmin_users = postgres\n"
        f"pool_mode = transaction\ndefault_pool_size = {POOL_SIZE}\nmax_client_conn = 100\n"
        "server_reset_query =\nserver_round_robin = 1\n"
        f"logfile = {conf / 'pgbouncer.log'}\n"
    )
    if prefix:
        for path in (conf, *conf.iterdir()):
            shutil.chown(path, "postgres")
    bouncer = subprocess.Popen(  # noqa: S603
        [*prefix, binary, str(conf / "pgbouncer.ini")],
        stdout=open(conf / "stdout.log", "wb"),  # noqa: SIM115 (pgbouncer's life)
        stderr=subprocess.STDOUT,
    )
    live = LiveApp(
        tmp_path / "var",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:{PORT}/{db}",
        DB_TRANSACTION_POOLING="1",
    )
    live.var_dir.mkdir()
    try:
        _wait_listening(bouncer, conf / "pgbouncer.log")
        yield live, db, conf
    finally:
        live.stop()
        bouncer.terminate()
        bouncer.wait(20)
        shutil.rmtree(conf, ignore_errors=True)
        import psycopg

        with psycopg.connect(_server_url("postgres"), autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')


def _wait_listening(bouncer: "subprocess.Popen[bytes]", log: Path) -> None:
    import socket

    deadline = time.monotonic() + 20
    while socket.socket().connect_ex(("127.0.0.1", PORT)) != 0:
        if bouncer.poll() is not None or time.monotonic() > deadline:
            text = log.read_text() if log.exists() else ""
            pytest.fail(f"pgbouncer did not start on {PORT}:\n{text[-2000:]}")
        time.sleep(0.1)


def _admin(command: str) -> list[list[str]]:
    """A PgBouncer admin console command (psql: the console speaks the simple protocol)."""
    out = subprocess.run(  # noqa: S603
        [str(PG_BIN / "psql"), "-h", "127.0.0.1", "-p", str(PORT), "-U", "postgres"]
        + ["-d", "pgbouncer", "-AtF", "|", "-c", command],
        capture_output=True,
        text=True,
        timeout=20,
    )
    assert out.returncode == 0, out.stderr
    return [line.split("|") for line in out.stdout.splitlines()]


def test_linli_works_behind_pgbouncer_in_transaction_mode(
    pooled: tuple[LiveApp, str, Path],
) -> None:
    live, db, conf = pooled
    seeded = live.seed("linli.core.tests.live_seed", "pooled_world")
    live.start(workers=3)  # more clients than the pool's server connections
    errors: list[str] = []
    lock = threading.Lock()

    def intake() -> None:
        for _ in range(INTAKES // 2):
            status, body, _ = live.request("POST", "/api/cases", CASE, seeded["tokens"]["resident"])
            if status != 201:
                with lock:
                    errors.append(f"intake {status}: {body}")

    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=2)

    def ingest(part: int) -> None:  # one meter per client, its readings in order
        serial = seeded["serials"][part]
        for b in range(BATCHES):
            at = start + dt.timedelta(minutes=5 * b)
            readings = [
                {"serial": serial, "at": (at + dt.timedelta(minutes=m)).isoformat(), "value": v}
                for m, v in ((0, 100.0 + 0.02 * b), (1, 100.01 + 0.02 * b))
            ]
            status, body, _ = live.request(
                "POST", "/api/care/readings", {"readings": readings}, seeded["gateway"]
            )
            if status != 200 or body["accepted"] != len(readings):
                with lock:
                    errors.append(f"ingest {status}: {body}")

    def transfers(worker: int) -> None:
        try:
            live.seed(
                "linli.core.tests.live_seed",
                "ledger_transfers",
                worker=worker,
                count=TRANSFERS,
                accounts=seeded["accounts"],
            )
        except AssertionError as exc:
            with lock:
                errors.append(str(exc)[-2000:])

    threads = [threading.Thread(target=intake) for _ in range(2)]
    threads += [threading.Thread(target=ingest, args=(p,)) for p in range(2)]
    threads += [threading.Thread(target=transfers, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(300)
    assert not errors, errors[:5]
    live.manage("casework_sweep")
    live.manage("care_sweep")
    assert "Traceback" not in live.log(), live.log()[-3000:]

    # Everything arrived once, read on the server itself.
    import psycopg

    with psycopg.connect(_server_url(db), autocommit=True) as conn:

        def one(sql: str) -> Any:
            row = conn.execute(sql).fetchone()
            assert row is not None
            return row[0]

        assert one("SELECT count(*) FROM casework_case") == INTAKES
        assert one("SELECT count(*) FROM care_reading") == 2 * BATCHES * 2
        assert one("SELECT count(*) FROM ledger_transaction WHERE kind = 'pool.transfer'") == (
            2 * TRANSFERS
        )
        assert one("SELECT sum(balance) FROM ledger_account") == 0
    # PgBouncer was in the path, in transaction mode, with no more server connections
    # than its pool.
    pools = {row[0]: row for row in _admin("SHOW POOLS")}
    assert pools[db][-1] == "transaction"
    stats = {row[0]: row for row in _admin("SHOW STATS")}
    assert int(stats[db][1]) > INTAKES + BATCHES + 2 * TRANSFERS  # transactions through it
    servers = [row for row in _admin("SHOW SERVERS") if row[2] == db]
    assert 0 < len(servers) <= POOL_SIZE
