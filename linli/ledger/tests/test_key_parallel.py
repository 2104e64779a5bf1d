"""The same request key sent in parallel returns the first result (issue 12, item 3): no
500 from the unique key, one request, one hold."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections
from django.test import Client

from linli.ledger.choices import Book
from linli.ledger.models import ServiceRequest, Transaction
from linli.ledger.tests.programme_helpers import balance, give_time

PARALLEL = 10


@pytest.mark.django_db(transaction=True)
def test_one_key_in_parallel_gives_one_request():
    if connection.vendor != "postgresql":
        pytest.skip("parallel sessions need PostgreSQL (SQLite serialises all writers)")
    from linli.testing.world import build_world

    world = build_world()
    give_time(world, world["volunteer"], 120)
    start = threading.Barrier(PARALLEL)

    def ask(_: int) -> tuple[int, dict]:
        client = Client()
        client.force_login(world["volunteer"])
        try:
            start.wait()
            response = client.post(
                "/api/ledger/time/requests",
                {"service": "理发", "minutes": 60},
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY="same-key-0001",
            )
            return response.status_code, response.json()
        finally:
            connections.close_all()

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(ask, range(PARALLEL)))
    statuses = sorted({status for status, _ in answers})
    assert statuses == [201], answers
    assert len({body["id"] for _, body in answers}) == 1
    assert ServiceRequest.objects.count() == 1
    assert Transaction.objects.filter(kind="timebank.hold").count() == 1
    assert balance(world["volunteer"], Book.TIME) == 60
