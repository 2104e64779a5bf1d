"""Read replicas against a real streaming replica (issue 18): a PostgreSQL 15 primary and a
`pg_basebackup -R` standby of the test's own (on free ports), Linli under gunicorn with
DATABASE_REPLICA_URL. Replay on the standby is paused to make it lag, so which server
answered shows in what the caller sees."""

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from linli.core.tests.fault_harness import on_postgres
from linli.core.tests.live_app import LiveApp
from linli.testing.pgcluster import Pair, streaming_pair

pytestmark = [
    pytest.mark.skipif(
        not on_postgres(), reason="runs in the PostgreSQL pass (clusters of its own)"
    ),
    pytest.mark.django_db,  # so the session's test database exists: the pair copies it
]
DB = "linli_replica"
PIN_SECONDS = 2
CASE = {"category": "01-10", "description": "楼道灯坏了", "lat": 30.2725, "lon": 120.1225}


@pytest.fixture(scope="module")
def pair(django_db_setup: None) -> Iterator[Pair]:
    """The pair, its database a copy of the session's migrated test database."""
    source = connection.settings_dict
    with streaming_pair() as p:
        p.load(
            DB, f"postgres://{source['USER']}@{source['HOST']}:{source['PORT']}/{source['NAME']}"
        )
        yield p


@pytest.fixture(scope="module")
def app(pair: Pair, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveApp, dict]]:
    live = LiveApp(
        Path(tmp_path_factory.mktemp("replica_app")),
        DATABASE_URL=pair.url(pair.primary_port, DB),
        DATABASE_REPLICA_URL=pair.url(pair.replica_port, DB),
        LINLI_REPLICA_PIN_SECONDS=str(PIN_SECONDS),
    )
    seeded = live.seed(
        "linli.core.tests.live_seed", "world_with_tokens", roles=["resident", "grid_worker"]
    )
    live.start(workers=3)  # a token's pin must hold whichever worker answers
    try:
        yield live, seeded["tokens"]
    finally:
        live.stop()


def _numbers(live: LiveApp, token: str) -> set[str]:
    status, body, _ = live.request("GET", "/api/cases?limit=100", token=token)
    assert status == 200, body
    return {c["tracking_no"] for c in body}


def _count(conn, tracking_no: str) -> int:  # type: ignore[no-untyped-def]
    sql = "SELECT count(*) FROM casework_case WHERE tracking_no = %s"
    return int(conn.execute(sql, [tracking_no]).fetchone()[0])


def test_reads_land_on_the_replica_and_a_writer_reads_its_own_write(
    pair: Pair, app: tuple[LiveApp, dict]
) -> None:
    live, tokens = app
    resident, worker = tokens["resident"], tokens["grid_worker"]
    with pair.replica(DB) as replica, pair.primary(DB) as primary:
        assert replica.execute("SELECT pg_is_in_recovery()").fetchone()[0]
        assert _numbers(live, worker) == set()
        replica.execute("SELECT pg_wal_replay_pause()")
        try:
            status, body, response = live.request("POST", "/api/cases", CASE, token=resident)
            assert status == 201, body
            number = body["tracking_no"]
            assert "linli_pin" in (response.getheader("Set-Cookie") or "")
            assert _count(primary, number) == 1 and _count(replica, number) == 0

            # Read-your-writes: the writer's list right after its write comes from the primary.
            assert number in _numbers(live, resident)
            # Anyone else's lag-tolerant list comes from the (paused) replica.
            assert number not in _numbers(live, worker)
            # A read not marked lag-tolerant (the case's page) is always the primary's.
            status, detail, _ = live.request("GET", f"/api/cases/{number}", token=worker)
            assert status == 200 and detail["tracking_no"] == number

            # The pin expires: the writer's list is the replica's again.
            time.sleep(PIN_SECONDS + 0.5)
            assert number not in _numbers(live, resident)
        finally:
            replica.execute("SELECT pg_wal_replay_resume()")
        pair.wait_replayed()
        assert _count(replica, number) == 1
        assert number in _numbers(live, worker)
        assert number in _numbers(live, resident)


def test_without_a_write_nothing_pins(pair: Pair, app: tuple[LiveApp, dict]) -> None:
    """A read never pins its caller to the primary."""
    live, tokens = app
    status, _, response = live.request("GET", "/api/cases", token=tokens["grid_worker"])
    assert status == 200
    assert "linli_pin" not in (response.getheader("Set-Cookie") or "")
