"""The /api/ledger endpoints: request keys, place scoping, errors as JSON, and every
successful body valid against the published OpenAPI schema."""

import pytest
from django.test import Client

from linli.ledger.choices import Book
from linli.ledger.models import DonorKind, Project, ProjectStatus, ServiceRecord, Voucher
from linli.ledger.services.funds import donation_record
from linli.ledger.tests.programme_helpers import (
    balance,
    give_points,
    key,
    reward,
    rule,
    today,
    worker_of_b,
)
from linli.people.models import Resident
from linli.testing.openapi import check


@pytest.fixture
def schema(client, db):
    return client.get("/api/openapi.json").json()


def post(client, url, body=None, idem=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": idem} if idem else {}
    return client.post(url, body or {}, content_type="application/json", **headers)


def test_every_ledger_operation_documents_errors_and_auth(schema):
    ops = {(p, m): op for p, v in schema["paths"].items() if "/ledger" in p for m, op in v.items()}
    assert len(ops) >= 14
    for op in ops.values():
        assert op.get("security") and {"400", "401", "403", "404", "409"} <= set(op["responses"])


def test_record_confirm_and_balances(world, login, schema):
    resident = Resident.objects.get(user=world["resident"])
    volunteer = login("volunteer")
    body = {
        "resident_id": resident.pk,
        "served_on": today().isoformat(),
        "minutes": 60,
        "service": "买菜",
    }
    missing = post(volunteer, "/api/ledger/time/records", body)
    assert missing.status_code == 400 and missing.json()["error"]["field"] == "idempotency_key"
    k = key()
    record = check(
        schema,
        post(volunteer, "/api/ledger/time/records", body, k),
        "/api/ledger/time/records",
        "post",
        201,
    )
    again = post(volunteer, "/api/ledger/time/records", body, k)
    assert again.json()["id"] == record["id"] and ServiceRecord.objects.count() == 1
    assert record["status"] == "pending" and record["deposit_id"] is None

    resident_client = login("resident")
    pending = check(
        schema,
        resident_client.get("/api/ledger/time/records/pending"),
        "/api/ledger/time/records/pending",
        "get",
        200,
    )
    assert [r["id"] for r in pending] == [record["id"]]
    url = f"/api/ledger/time/records/{record['id']}/confirm"
    done = check(
        schema,
        post(resident_client, url),
        "/api/ledger/time/records/{record_id}/confirm",
        "post",
        200,
    )
    assert done["status"] == "confirmed" and done["deposit_id"]
    assert post(resident_client, url).json()["deposit_id"] == done["deposit_id"]

    balances = check(
        schema, volunteer.get("/api/ledger/balances"), "/api/ledger/balances", "get", 200
    )
    time = next(b for b in balances if b["book"] == Book.TIME)
    assert time["balance"] == 60 and time["balance_text"] == "1小时"
    history = check(
        schema,
        volunteer.get(f"/api/ledger/accounts/{time['account_id']}/history"),
        "/api/ledger/accounts/{account_id}/history",
        "get",
        200,
    )
    assert history["rows"][0]["amount"] == 60 and history["rows"][0]["kind_label"] == "志愿服务存入"
    # Another person's account is not found.
    assert (
        login("resident").get(f"/api/ledger/accounts/{time['account_id']}/history").status_code
        == 404
    )


def test_dispute_needs_a_reason_and_the_right_person(world, login, schema):
    resident = Resident.objects.get(user=world["resident"])
    body = {
        "resident_id": resident.pk,
        "served_on": today().isoformat(),
        "minutes": 30,
        "service": "读报",
    }
    record = post(login("volunteer"), "/api/ledger/time/records", body, key()).json()
    url = f"/api/ledger/time/records/{record['id']}/dispute"
    assert post(login("family"), url, {"reason": "不对"}).status_code == 404
    assert post(login("resident"), url, {"reason": ""}).status_code == 400
    out = check(
        schema,
        post(login("resident"), url, {"reason": "没有来"}),
        "/api/ledger/time/records/{record_id}/dispute",
        "post",
        200,
    )
    assert out["status"] == "disputed"


def test_redeem_use_and_cancel_by_api(world, login, schema):
    give_points(world["resident"], 100)
    item = reward(world, price=40, stock=2)
    resident = login("resident")
    listed = check(schema, resident.get("/api/ledger/rewards"), "/api/ledger/rewards", "get", 200)
    assert [r["id"] for r in listed] == [item.pk]
    k = key()
    url = f"/api/ledger/rewards/{item.pk}/redeem"
    voucher = check(
        schema, post(resident, url, idem=k), "/api/ledger/rewards/{reward_id}/redeem", "post", 201
    )
    assert post(resident, url, {"idempotency_key": k}).json()["id"] == voucher["id"]
    other = reward(world, price=10, stock=1, name="家政服务一小时")
    clash = post(resident, f"/api/ledger/rewards/{other.pk}/redeem", idem=k)
    assert clash.status_code == 409 and clash.json()["error"]["code"] == "conflict"
    assert balance(world["resident"], Book.POINTS) == 60 and Voucher.objects.count() == 1

    merchant = login("partner")
    used = check(
        schema,
        post(merchant, "/api/ledger/vouchers/use", {"code": voucher["code"]}),
        "/api/ledger/vouchers/use",
        "post",
        200,
    )
    assert used["status"] == "used"
    twice = post(merchant, "/api/ledger/vouchers/use", {"code": voucher["code"]})
    assert twice.status_code == 409 and "不能重复使用" in twice.json()["error"]["message"]

    second = post(resident, url, idem=key()).json()
    cancelled = check(
        schema,
        post(login("community_worker"), f"/api/ledger/vouchers/{second['id']}/cancel"),
        "/api/ledger/vouchers/{voucher_id}/cancel",
        "post",
        200,
    )
    assert cancelled["status"] == "cancelled" and balance(world["resident"], Book.POINTS) == 60
    mine = check(schema, resident.get("/api/ledger/vouchers"), "/api/ledger/vouchers", "get", 200)
    assert {v["status"] for v in mine} == {"used", "cancelled"}


def test_award_by_staff_and_system(world, login, schema):
    rule("observer", points=30)
    body = {"user_id": world["resident"].pk, "rule_code": "observer"}
    out = check(
        schema,
        post(login("community_worker"), "/api/ledger/points/award", body, key()),
        "/api/ledger/points/award",
        "post",
        200,
    )
    assert out["kind"] == "points.award"
    b_client = Client()
    b_client.force_login(worker_of_b(world))
    assert post(b_client, "/api/ledger/points/award", body, key()).status_code == 404
    system = login("sysadmin")
    post(system, "/api/ledger/points/award", body, "observer:2026-03:user:7")
    post(system, "/api/ledger/points/award", body, "observer:2026-03:user:7")
    assert balance(world["resident"], Book.POINTS) == 60


def test_donate_and_disburse_by_api(world, login, schema):
    worker = login("community_worker")
    body = {"donor_name": "西溪科技公司", "donor_kind": "enterprise", "amount_fen": 50_000}
    url = f"/api/ledger/funds/{world.community_a.pk}/donations"
    out = check(
        schema,
        post(worker, url, body, key()),
        "/api/ledger/funds/{community_id}/donations",
        "post",
        201,
    )
    assert out["fund_balance_fen"] == 50_000 and out["matched_fen"] == 0
    b_client = Client()
    b_client.force_login(worker_of_b(world))
    assert post(b_client, url, body, key()).status_code == 404
    assert post(worker, url, {**body, "donor_kind": "bank"}, key()).status_code == 400

    project = Project.objects.create(
        community=world.community_a,
        name="楼道照明",
        budget=40_000,
        status=ProjectStatus.APPROVED,
        proposed_by=world["community_worker"],
        idempotency_key="test-project",
    )
    purl = f"/api/ledger/funds/projects/{project.pk}/disburse"
    too_much = post(worker, purl, {"amount_fen": 40_001, "memo": "灯具"}, key())
    assert too_much.status_code == 400 and too_much.json()["error"]["field"] == "amount"
    paid = check(
        schema,
        post(worker, purl, {"amount_fen": 30_000, "memo": "灯具"}, key()),
        "/api/ledger/funds/projects/{project_id}/disburse",
        "post",
        201,
    )
    assert paid["project_remaining_fen"] == 10_000 and paid["fund_balance_fen"] == 20_000
    assert post(b_client, purl, {"amount_fen": 1, "memo": "x"}, key()).status_code == 404


def test_request_and_gift_by_api(world, login, schema):
    from linli.ledger.services.timebank_spend import (
        family_link_accept,
        family_link_request,
    )
    from linli.ledger.tests.programme_helpers import give_time

    give_time(world, world["volunteer"], 120)
    volunteer = login("volunteer")
    short = post(volunteer, "/api/ledger/time/requests", {"service": "理发", "minutes": 180}, key())
    assert short.status_code == 400 and short.json()["error"]["code"] == "insufficient"
    made = check(
        schema,
        post(volunteer, "/api/ledger/time/requests", {"service": "理发", "minutes": 60}, key()),
        "/api/ledger/time/requests",
        "post",
        201,
    )
    assert made["status"] == "open"
    gift = {"to_user_id": world["resident"].pk, "minutes": 30}
    assert post(volunteer, "/api/ledger/time/gifts", gift, key()).status_code == 404
    link = family_link_request(actor=world["volunteer"], username="resident", relation="母亲")
    family_link_accept(actor=world["resident"], link_id=link.pk)
    check(
        schema,
        post(volunteer, "/api/ledger/time/gifts", gift, key()),
        "/api/ledger/time/gifts",
        "post",
        200,
    )
    assert (
        balance(world["resident"], Book.TIME) == 30 and balance(world["volunteer"], Book.TIME) == 30
    )


def test_donation_matching_visible_in_api(world, login, schema):
    from linli.ledger.services.funds import matching_cap_set

    matching_cap_set(
        actor=world["street_admin"], community=world.community_a, year=today().year, cap=10_000
    )
    donation_record(
        actor=world["community_worker"],
        community=world.community_a,
        donor_name="甲",
        donor_kind=DonorKind.RESIDENT,
        amount=6_000,
        idempotency_key=key(),
    )
    out = post(
        login("secretary"),
        f"/api/ledger/funds/{world.community_a.pk}/donations",
        {"donor_name": "乙", "donor_kind": "resident", "amount_fen": 6_000},
        key(),
    ).json()
    assert out["matched_fen"] == 4_000 and out["fund_balance_fen"] == 22_000
