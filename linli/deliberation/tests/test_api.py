"""The API end to end, each response checked against the published OpenAPI schema; bad
input gives a structured error and changes nothing."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from linli.deliberation.models import ElectorVoter, Participation
from linli.deliberation.tests.helpers import delib_world, rule, sheet_photo
from linli.testing.openapi import check

J = "application/json"


@pytest.fixture
def dw(world):
    return delib_world(world)


@pytest.fixture
def schema(client):
    return client.get("/api/openapi.json").json()


def _as(client_factory, user):
    from django.test import Client

    c = Client()
    c.force_login(user)
    return c


def test_a_household_vote_through_the_api(dw, login, schema, clock):
    staff = login("secretary")
    body = check(
        schema,
        staff.post(
            "/api/deliberation/bodies",
            {
                "community_id": dw.world.community_a.pk,
                "kind": "assembly",
                "name": "户主大会",
                "electorate": "households",
            },
            content_type=J,
        ),
        "/api/deliberation/bodies",
        "post",
        201,
    )
    now = clock.now()
    vote = check(
        schema,
        staff.post(
            "/api/deliberation/votes",
            {
                "body_id": body["id"],
                "question": "是否同意小区加装充电桩",
                "rule_id": rule("renovation-cost").pk,
                "opens_at": (now - dt.timedelta(minutes=5)).isoformat(),
                "closes_at": (now + dt.timedelta(hours=2)).isoformat(),
                "secret": True,
            },
            content_type=J,
        ),
        "/api/deliberation/votes",
        "post",
        201,
    )
    assert vote["phase"] == "draft" and vote["actions"] == ["open", "cancel"]
    url = f"/api/deliberation/votes/{vote['id']}"
    opened = check(
        schema, staff.post(f"{url}/open"), "/api/deliberation/votes/{vote_id}/open", "post", 200
    )
    assert opened["electorate"] == 4 and opened["progress"]["quorum_short"] == 0
    home = dw.homes[1]
    first, second = (_as(None, u) for u in dw.adults[home.pk])
    cast = check(
        schema,
        first.post(f"{url}/ballots", {"choice": ["yes"]}, content_type=J),
        "/api/deliberation/votes/{vote_id}/ballots",
        "post",
        201,
    )
    again = second.post(f"{url}/ballots", {"choice": ["no"]}, content_type=J)
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_voted"
    mine = check(schema, second.get(url), "/api/deliberation/votes/{vote_id}", "get", 200)
    assert mine["me"]["eligible"] and mine["me"]["voted_at"] and mine["result"] is None
    early = first.get(f"{url}/results")
    assert early.status_code == 409 and early.json()["error"]["code"] == "results_not_ready"
    # A paper ballot: found by name, entered with the sheet's photo, confirmed by another.
    voters = check(
        schema,
        staff.get(f"{url}/voters", {"q": "王秀英"}),
        "/api/deliberation/votes/{vote_id}/voters",
        "get",
        200,
    )
    worker = login("community_worker")
    entry = check(
        schema,
        worker.post(
            f"{url}/paper",
            {
                "voter_id": voters[0]["id"],
                "choice": "yes",
                "photo": SimpleUploadedFile("sheet.jpg", sheet_photo(), "image/jpeg"),
            },
        ),
        "/api/deliberation/votes/{vote_id}/paper",
        "post",
        201,
    )
    same = worker.post(f"{url}/paper/{entry['id']}/confirm")
    assert same.status_code == 403 and same.json()["error"]["code"] == "same_staff"
    check(
        schema,
        staff.post(f"{url}/paper/{entry['id']}/confirm"),
        "/api/deliberation/votes/{vote_id}/paper/{entry_id}/confirm",
        "post",
        200,
    )
    receipt = check(
        schema,
        first.get(f"{url}/receipt", {"code": cast["receipt"]}),
        "/api/deliberation/votes/{vote_id}/receipt",
        "get",
        200,
    )
    assert receipt == {"counted": True, "choice": "yes"}
    clock.shift(dt.timedelta(hours=2))
    late = second.post(f"{url}/ballots", {"choice": ["no"]}, content_type=J)
    assert late.status_code == 409 and late.json()["error"]["code"] == "outside_window"
    result = check(
        schema, first.get(f"{url}/results"), "/api/deliberation/votes/{vote_id}/results", "get", 200
    )
    assert (result["yes"], result["no"], result["passed"]) == (2, 0, False)  # 2 of 4 < 75%
    assert result["turnout"]["by_channel"] == {"web": 1, "paper": 1}
    check(
        schema,
        staff.post(f"{url}/publish"),
        "/api/deliberation/votes/{vote_id}/publish",
        "post",
        200,
    )
    public = check(
        schema,
        first.get(f"/api/deliberation/communities/{dw.world.community_a.pk}/results"),
        "/api/deliberation/communities/{community_id}/results",
        "get",
        200,
    )
    assert public[0]["result"]["yes"] == 2
    assert Participation.objects.count() == 2


def test_bad_api_input_changes_nothing(dw, login, clock):
    staff = login("secretary")
    r = staff.post(
        "/api/deliberation/bodies",
        {
            "community_id": dw.world.community_b.pk,
            "kind": "council",
            "name": "x",
            "electorate": "members",
        },
        content_type=J,
    )
    assert r.status_code == 404  # another community: not found, nothing created
    body = staff.post(
        "/api/deliberation/bodies",
        {
            "community_id": dw.world.community_a.pk,
            "kind": "committee",
            "name": "委员会",
            "electorate": "members",
        },
        content_type=J,
    ).json()
    now = clock.now()
    vote = staff.post(
        "/api/deliberation/votes",
        {
            "body_id": body["id"],
            "question": "重大事项",
            "rule_id": rule("committee-major").pk,
            "opens_at": (now - dt.timedelta(minutes=5)).isoformat(),
            "closes_at": (now + dt.timedelta(hours=2)).isoformat(),
        },
        content_type=J,
    ).json()
    empty = staff.post(f"/api/deliberation/votes/{vote['id']}/open")
    assert empty.status_code == 409 and empty.json()["error"]["code"] == "empty_electorate"
    assert not ElectorVoter.objects.exists()
    backwards = staff.post(
        "/api/deliberation/votes",
        {
            "body_id": body["id"],
            "question": "时间颠倒",
            "rule_id": rule("committee-major").pk,
            "opens_at": (now + dt.timedelta(hours=2)).isoformat(),
            "closes_at": now.isoformat(),
        },
        content_type=J,
    )
    assert backwards.status_code == 400 and backwards.json()["error"]["field"] == "closes_at"
    resident = login("resident")
    r = resident.post(
        f"/api/deliberation/votes/{vote['id']}/ballots", {"choice": ["yes"]}, content_type=J
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "outside_window"
    other = login("grid_worker")
    assert other.get(f"/api/deliberation/votes/{vote['id']}").status_code == 200  # same community
