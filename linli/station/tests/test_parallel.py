"""SERVE-1: parallel submissions of the same application give exactly one, the others a
clear duplicate (the partial unique constraint; PostgreSQL only, SQLite serialises all
writers). Under CI a missing PostgreSQL fails."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from linli.station.models import Application, Receipt
from linli.station.tests.helpers import ALL_TIERS, station_world
from linli.testing.parallel import needs_postgres

PARALLEL = 12


@pytest.mark.django_db(transaction=True)
def test_parallel_duplicate_applications_give_exactly_one(world):
    needs_postgres("the parallel application test")
    station_world(world)
    start = threading.Barrier(PARALLEL)
    body = {"services": ["elder_card"], "values": {"photo": "照片"}, "consent_tiers": ALL_TIERS}

    def ask(_i: int) -> tuple[int, str]:
        client = Client()
        client.force_login(world["resident"])
        try:
            start.wait()
            response = client.post(
                "/api/station/applications", body, content_type="application/json"
            )
            return response.status_code, response.json().get("error", {}).get("code", "")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(PARALLEL) as pool:
        results = list(pool.map(ask, range(PARALLEL)))
    assert sorted(r[0] for r in results) == [201] + [409] * (PARALLEL - 1), results
    assert {r[1] for r in results if r[0] == 409} == {"duplicate"}
    assert Application.objects.count() == 1 and Receipt.objects.count() == 1
