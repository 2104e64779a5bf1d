"""The matching pages in English: nothing left in Chinese but what people wrote (names,
titles, places), and the words a resident, volunteer and staff member read are the
catalogue's."""

import pytest

from linli.matching.services import pool, runs
from linli.matching.tests.helpers import match_world, publish, tomorrow, window
from linli.testing.english import as_user, english, text

pytestmark = pytest.mark.clock("2026-03-11 10:00")
DATA = ("冰箱不制冷,需要家电维修志愿者", "甲社区", "活动室", "王秀英", "volunteer·志愿者")


@pytest.fixture
def scene(world):
    mw = match_world(world)
    publish(mw)
    pool.resource_create(
        actor=mw["community_worker"],
        data=pool.ResourceInput(
            kind="venue",
            name="活动室",
            category="meeting",
            community_id=world.community_a.pk,
            capacity=30,
            hours=[[d, "08:00", "18:00"] for d in range(7)],
        ),
    )
    start, end = window()
    run = runs.matching_run(
        actor=mw["community_worker"],
        community_id=world.community_a.pk,
        window_start=start,
        window_end=end,
    )
    return mw, run


def test_pages_in_english(scene):
    mw, run = scene
    html = english(text(as_user(mw["resident"]).get("/matching/")), DATA)
    assert "I need help" in html and "Waiting for a match" in html and "Appliance repair" in html
    staff = as_user(mw["community_worker"])
    html = english(text(staff.get("/matching/staff/")), DATA)
    assert "Compute the best assignment (review before sending)" in html
    html = english(text(staff.get(f"/matching/runs/{run.pk}/")), DATA)
    assert "Reviewed: send the invitations" in html and "Skill fit" in html
    staff.post(f"/matching/runs/{run.pk}/send/")
    html = english(text(as_user(mw["volunteer"]).get("/matching/invitations/")), DATA)
    assert "Why me" in html and "Not this time" in html and "Only this" not in html
    day = tomorrow(9).strftime("%Y-%m-%dT%H:%M")
    html = english(
        text(as_user(mw["resident"]).get(f"/matching/bookings/?starts_at={day}&hours=2&people=5")),
        DATA,
    )
    assert "Holds 30 people" in html and "Repeat weekly" in html
    for url in ("/matching/idle/", "/matching/partners/"):
        english(text(staff.get(url)), DATA)


def test_errors_in_english(scene):
    mw, _run = scene
    client = as_user(mw["resident"])
    form = {"skill": "repair", "title": "修灯", "starts_at": "2026-03-10T09:00", "hours": "1"}
    html = english(text(client.post("/matching/needs/new/", form, follow=True)), (*DATA, "修灯"))
    assert "The start cannot be in the past." in html
