"""Hostile input on the ledger (issue 12): true/false are not amounts, dates have a range,
and every free text is stored as shown or refused with nothing written."""

import datetime as dt

import pytest
from hypothesis import given

from linli.ledger.choices import Book
from linli.ledger.models import Donation, DonorKind, PointRule, ServiceRequest, Transaction
from linli.ledger.services.funds import donation_record
from linli.ledger.services.points import points_award_by_staff
from linli.ledger.services.timebank_spend import service_request_create
from linli.ledger.tests.programme_helpers import balance, give_time, key, rule, today
from linli.testing.strategies import HOSTILE, attempt, hostile_text, stored_as_shown


def post(client, url, body, idem=None):
    headers = {"HTTP_IDEMPOTENCY_KEY": idem or key()}
    return client.post(url, body, content_type="application/json", **headers)


def test_true_is_not_an_amount(world, login):
    url = f"/api/ledger/funds/{world.community_a.pk}/donations"
    body = {"donor_name": "某公司", "donor_kind": "enterprise", "amount_fen": True}
    response = post(login("community_worker"), url, body)
    assert response.status_code == 400 and response.json()["error"]["field"] == "amount_fen"
    assert not Donation.objects.exists()
    give_time(world, world["volunteer"], 120)
    asked = post(
        login("volunteer"), "/api/ledger/time/requests", {"service": "理发", "minutes": True}
    )
    assert asked.status_code == 400 and asked.json()["error"]["field"] == "minutes"
    assert not ServiceRequest.objects.exists()
    assert balance(world["volunteer"], Book.TIME) == 120


def test_huge_amounts_are_field_errors(world, login):
    url = f"/api/ledger/funds/{world.community_a.pk}/donations"
    body = {"donor_name": "某公司", "donor_kind": "enterprise", "amount_fen": 10**30}
    response = post(login("community_worker"), url, body)
    assert response.status_code == 400 and response.json()["error"]["field"] == "amount_fen"


@pytest.mark.parametrize("received_on", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_donation_dates_outside_any_sense_are_refused(world, login, received_on):
    url = f"/api/ledger/funds/{world.community_a.pk}/donations"
    body = {
        "donor_name": "某公司",
        "donor_kind": "enterprise",
        "amount_fen": 100,
        "received_on": received_on,
    }
    response = post(login("community_worker"), url, body)
    assert response.status_code == 400 and response.json()["error"]["field"] == "received_on"
    assert not Donation.objects.exists()


def test_a_donation_of_two_years_ago_is_refused_last_years_kept(world):
    def record(day):
        return donation_record(
            actor=world["community_worker"],
            community=world.community_a,
            donor_name="某公司",
            donor_kind=DonorKind.ENTERPRISE,
            amount=100,
            idempotency_key=key(),
            received_on=day,
        )

    last_year = dt.date(today().year - 1, 1, 1)
    assert record(last_year).received_on == last_year
    with pytest.raises(Exception, match="去年以来"):
        record(dt.date(today().year - 2, 12, 31))
    assert Donation.objects.count() == 1


@HOSTILE
@given(text=hostile_text())
def test_donor_name_is_stored_as_shown_or_refused(world, text):
    donation, error = attempt(
        lambda: donation_record(
            actor=world["community_worker"],
            community=world.community_a,
            donor_name=text,
            donor_kind=DonorKind.ENTERPRISE,
            amount=100,
            idempotency_key=key(),
        ),
        count=Donation.objects.count,
    )
    if error is None:
        stored_as_shown(text, donation.donor_name, max_length=100)


@HOSTILE
@given(text=hostile_text())
def test_award_memo_is_stored_as_shown_or_refused(world, text):
    if not PointRule.objects.filter(code="observer").exists():
        rule("observer", points=30)
    txn, error = attempt(
        lambda: points_award_by_staff(
            actor=world["community_worker"],
            user=world["resident"],
            rule_code="observer",
            idempotency_key=key(),
            memo=text,
        ),
        count=Transaction.objects.count,
    )
    if error is None and text.strip():
        stored_as_shown(text, txn.memo, max_length=200)


@HOSTILE
@given(service=hostile_text(), note=hostile_text(long=400))
def test_time_request_texts_are_stored_as_shown_or_refused(world, service, note):
    give_time(world, world["volunteer"], 120)
    request, error = attempt(
        lambda: service_request_create(
            actor=world["volunteer"],
            service=service,
            minutes=30,
            idempotency_key=key(),
            note=note,
        ),
        count=ServiceRequest.objects.count,
    )
    if error is None:
        stored_as_shown(service, request.service, max_length=100)
        stored_as_shown(note, request.note, max_length=300)
