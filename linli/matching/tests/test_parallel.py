"""MATCH-4: 40 parallel requests for overlapping slots of one venue give exactly one
booking, the others a clear conflict (PostgreSQL: real parallel sessions; SQLite serialises
all writers, so the race cannot happen there). Under CI a missing PostgreSQL fails."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.test import Client

from linli.matching.models import Booking
from linli.matching.tests.helpers import match_world, tomorrow
from linli.testing.parallel import needs_postgres

PARALLEL = 40


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_overlapping_bookings_give_exactly_one(world):
    needs_postgres("the parallel booking test")
    from linli.matching.choices import ResourceKind
    from linli.matching.services import pool

    mw = match_world(world)
    room = pool.resource_create(
        actor=mw["community_worker"],
        data=pool.ResourceInput(
            kind=ResourceKind.VENUE,
            name="多功能厅",
            category="meeting",
            community_id=world.community_a.pk,
            capacity=100,
            hours=[[d, "00:00", "23:59"] for d in range(7)],
        ),
    )
    start = threading.Barrier(PARALLEL)

    def ask(i: int) -> tuple[int, str]:
        client = Client()
        client.force_login(world["resident"])
        try:
            start.wait()
            # Every request overlaps every other: [9:00 + i min, 11:00 + i min).
            a = tomorrow(9, i % 60)
            response = client.post(
                "/api/matching/bookings",
                {
                    "resource_id": room.pk,
                    "starts_at": a.isoformat(),
                    "ends_at": tomorrow(11, i % 60).isoformat(),
                    "people": 10,
                    "purpose": "排练",
                },
                content_type="application/json",
            )
            return response.status_code, response.json().get("error", {}).get("code", "")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(PARALLEL) as pool_:
        results = list(pool_.map(ask, range(PARALLEL)))
    codes = sorted(r[0] for r in results)
    assert codes == [201] + [409] * (PARALLEL - 1), results
    assert {r[1] for r in results if r[0] == 409} == {"overlap"}
    assert Booking.objects.filter(resource=room).count() == 1
