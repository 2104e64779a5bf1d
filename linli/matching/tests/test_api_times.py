"""Times without an offset are read in local time (Asia/Shanghai), never a server error."""

import pytest

from linli.matching.tests.helpers import match_world

pytestmark = pytest.mark.clock("2026-03-11 10:00")


def test_times_without_offset_are_local(world, login):
    match_world(world)
    resident = login("resident")
    r = resident.post(
        "/api/matching/needs",
        {
            "skill": "repair",
            "title": "修灯",
            "starts_at": "2026-03-12T09:00:00",
            "ends_at": "2026-03-12T10:00:00",
        },
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["starts_at"].startswith("2026-03-12T09:00:00+08:00")
    q = f"community_id={world.community_a.pk}&starts_at=2026-03-12T09:00:00&ends_at=2026-03-12T10:00:00"
    assert resident.get(f"/api/matching/venues/free?{q}").status_code == 200
