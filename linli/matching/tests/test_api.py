"""The matching API end to end, every answer checked against the OpenAPI schema: pool,
needs, a run reviewed then sent, the invitation answered, served and confirmed; bookings and
series; idle rates and partners. Wrong callers and bad input get a clear error and change
nothing."""

import pytest

from linli.ledger.choices import Book
from linli.ledger.services.posting import account_for_user
from linli.matching.models import Booking, Need, Resource
from linli.matching.tests.helpers import match_world, tomorrow
from linli.testing.openapi import check
from linli.testing.world import make_user

pytestmark = pytest.mark.clock("2026-03-11 10:00")
API = "/api/matching"


@pytest.fixture
def mw(world):
    return match_world(world)


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


def post(client, url, body=None):
    return client.post(url, body or {}, content_type="application/json")


def test_need_to_time_bank_through_the_api(mw, login, schema, clock):
    resident, staff, vol = login("resident"), login("community_worker"), login("volunteer")
    body = {
        "skill": "repair",
        "title": "洗衣机漏水",
        "starts_at": tomorrow(9).isoformat(),
        "ends_at": tomorrow(10).isoformat(),
    }
    need = check(schema, post(resident, f"{API}/needs", body), f"{API}/needs", "post", 201)
    assert need["status"] == "open" and need["actions"] == ["cancel"]
    run = check(
        schema,
        post(
            staff,
            f"{API}/runs",
            {
                "community_id": mw.world.community_a.pk,
                "window_start": tomorrow(0).isoformat(),
                "window_end": tomorrow(0, days=2).isoformat(),
            },
        ),
        f"{API}/runs",
        "post",
        201,
    )
    [m] = run["matches"]
    assert m["volunteer"] == "volunteer" and m["status"] == "proposed"
    assert round(sum(m["terms"].values()), 2) == m["score"]
    # The resident cannot run or send matching.
    assert post(resident, f"{API}/runs/{run['id']}/send").status_code == 403
    sent = check(
        schema,
        post(staff, f"{API}/runs/{run['id']}/send"),
        f"{API}/runs/{{run_id}}/send",
        "post",
        200,
    )
    assert sent["status"] == "sent"
    mine = check(schema, vol.get(f"{API}/invitations"), f"{API}/invitations", "get", 200)
    assert [i["id"] for i in mine] == [m["id"]]
    assert mine[0]["volunteer"] is None and mine[0]["why"]
    path = f"{API}/invitations/{{match_id}}"
    check(schema, post(vol, f"{API}/invitations/{m['id']}/accept"), path + "/accept", "post", 200)
    again = post(vol, f"{API}/invitations/{m['id']}/accept")
    assert again.status_code == 409 and again.json()["error"]["code"] == "illegal_transition"
    clock.move_to(tomorrow(10, 30))
    bad = post(vol, f"{API}/invitations/{m['id']}/served", {"minutes": 0})
    assert bad.status_code == 400
    check(
        schema,
        post(vol, f"{API}/invitations/{m['id']}/served", {"minutes": 50}),
        path + "/served",
        "post",
        200,
    )
    done = check(
        schema,
        post(resident, f"{API}/needs/{need['id']}/confirm"),
        f"{API}/needs/{{need_id}}/confirm",
        "post",
        200,
    )
    assert done["status"] == "done"
    account = account_for_user(user=mw["volunteer"], book=Book.TIME)
    assert account.balance == 50


def test_pool_review_offer_and_free_venues(mw, login, schema):
    resident, staff = login("resident"), login("community_worker")
    room = {
        "kind": "venue",
        "name": "我家楼下车库(周末)",
        "category": "meeting",
        "capacity": 15,
        "conditions": "用后打扫干净",
        "hours": [[5, "09:00", "17:00"], [6, "09:00", "17:00"]],
    }
    listed = check(
        schema, post(resident, f"{API}/resources", room), f"{API}/resources", "post", 201
    )
    assert listed["status"] == "pending"  # a resident's listing waits for staff
    offer = {
        "resource_id": listed["id"],
        "title": "周末可借",
        "starts_at": tomorrow(9).isoformat(),
        "ends_at": tomorrow(17).isoformat(),
    }
    refused = post(resident, f"{API}/offers", offer)
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "not_approved"
    assert (
        post(resident, f"{API}/resources/{listed['id']}/review", {"approve": True}).status_code
        == 403
    )
    ok = check(
        schema,
        post(staff, f"{API}/resources/{listed['id']}/review", {"approve": True}),
        f"{API}/resources/{{resource_id}}/review",
        "post",
        200,
    )
    assert ok["status"] == "approved"
    check(schema, post(resident, f"{API}/offers", offer), f"{API}/offers", "post", 201)
    # Saturday 14 March 10:00-12:00.
    q = f"community_id={mw.world.community_a.pk}&starts_at=2026-03-14T10:00:00%2B08:00&ends_at=2026-03-14T12:00:00%2B08:00&people=10"
    free = check(schema, resident.get(f"{API}/venues/free?{q}"), f"{API}/venues/free", "get", 200)
    assert [v["name"] for v in free] == ["我家楼下车库(周末)"]
    b = {
        "resource_id": listed["id"],
        "starts_at": "2026-03-14T10:00:00+08:00",
        "ends_at": "2026-03-14T12:00:00+08:00",
        "people": 10,
        "purpose": "读书会",
    }
    check(schema, post(resident, f"{API}/bookings", b), f"{API}/bookings", "post", 201)
    clash = post(login("volunteer"), f"{API}/bookings", b)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "overlap"
    assert (
        check(schema, resident.get(f"{API}/venues/free?{q}"), f"{API}/venues/free", "get", 200)
        == []
    )
    series = {
        **b,
        "weeks": 3,
        "starts_at": "2026-03-14T13:00:00+08:00",
        "ends_at": "2026-03-14T14:00:00+08:00",
    }
    out = check(
        schema,
        post(resident, f"{API}/bookings/series", series),
        f"{API}/bookings/series",
        "post",
        201,
    )
    assert len(out["booked"]) == 3 and out["skipped"] == []
    assert Booking.objects.count() == 4


def test_idle_and_partners_for_staff_only(mw, login, schema):
    staff = login("community_worker")
    cid = mw.world.community_a.pk
    rows = check(schema, staff.get(f"{API}/idle?community_id={cid}"), f"{API}/idle", "get", 200)
    assert rows == []
    assert login("resident").get(f"{API}/idle?community_id={cid}").status_code == 403
    # Staff of community A may not read community B's figures.
    assert staff.get(f"{API}/idle?community_id={mw.world.community_b.pk}").status_code == 404
    shop = make_user("shop", "partner", full_name="好邻居便利店")
    p = check(
        schema,
        post(
            staff,
            f"{API}/partners",
            {
                "community_id": cid,
                "name": "阳光社工站",
                "kind": "social",
                "posts_total": 10,
                "posts_local": 1,
                "username": "shop",
            },
        ),
        f"{API}/partners",
        "post",
        201,
    )
    assert p["below_target"] is True and p["local_share"] == 0.1
    bad = post(
        staff,
        f"{API}/partners",
        {"community_id": cid, "name": "x", "kind": "social", "posts_total": 1, "posts_local": 2},
    )
    assert bad.status_code == 400
    c = check(
        schema,
        post(
            staff,
            f"{API}/partners/{p['id']}/contributions",
            {"kind": "money", "description": "捐赠助老餐 5000 元", "value_fen": 500000},
        ),
        f"{API}/partners/{{partner_id}}/contributions",
        "post",
        201,
    )
    assert c["points"] == 500
    assert account_for_user(user=shop, book=Book.POINTS).balance == 500
    listed = check(
        schema, staff.get(f"{API}/partners?community_id={cid}"), f"{API}/partners", "get", 200
    )
    assert [x["name"] for x in listed] == ["阳光社工站"]


def test_bad_input_changes_nothing(mw, login):
    resident = login("resident")
    before = (Need.objects.count(), Resource.objects.count())
    past = {
        "skill": "repair",
        "title": "x",
        "starts_at": "2026-03-10T09:00:00+08:00",
        "ends_at": "2026-03-10T10:00:00+08:00",
    }
    r = post(resident, f"{API}/needs", past)
    assert r.status_code == 400 and r.json()["error"]["field"] == "starts_at"
    r = post(resident, f"{API}/needs", {**past, "skill": "flying"})
    assert r.status_code == 400
    r = post(
        resident,
        f"{API}/resources",
        {"kind": "venue", "name": "x", "category": "meeting", "hours": [[9, "08:00", "07:00"]]},
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "hours"
    assert (Need.objects.count(), Resource.objects.count()) == before


def test_contribution_without_the_point_rule_is_refused_and_nothing_written(mw, login):
    from linli.ledger.models import PointRule
    from linli.matching.models import Contribution

    staff = login("community_worker")
    make_user("shop2", "partner")
    PointRule.objects.filter(code="partner_contribution").delete()
    p = post(
        staff,
        f"{API}/partners",
        {
            "community_id": mw.world.community_a.pk,
            "name": "小店",
            "kind": "business",
            "username": "shop2",
        },
    ).json()
    r = post(
        staff,
        f"{API}/partners/{p['id']}/contributions",
        {"kind": "goods", "description": "慰问品", "value_fen": 10000},
    )
    assert r.status_code == 400 and r.json()["error"]["field"] == "rule_code"
    assert Contribution.objects.count() == 0


def test_an_unknown_community_is_an_error_not_a_crash(mw, login):
    """Found by the API fuzz: a system administrator naming a community that does not exist
    reached the insert (a foreign-key error, 500, on PostgreSQL)."""
    from linli.matching.models import Partner, Resource

    admin = login("sysadmin")
    body = {"community_id": 441652, "name": "不存在的社区的单位", "kind": "property"}
    r = post(admin, f"{API}/partners", body)
    assert r.status_code == 404 and r.json()["error"]["field"] == "community_id"
    venue = {
        "kind": "venue",
        "name": "不存在的社区的活动室",
        "category": "meeting",
        "community_id": 441652,
        "capacity": 10,
        "hours": [[0, "08:00", "18:00"]],
    }
    r = post(admin, f"{API}/resources", venue)
    assert r.status_code == 400 and r.json()["error"]["field"] == "community_id"
    assert (
        not Partner.objects.exists()
        and not Resource.objects.filter(name__contains="不存在").exists()
    )
