"""Hostile input on resident records (issue 12): names and relations are stored as shown or
refused; record pages and the record API are never cached."""

from hypothesis import given

from linli.geo.models import Household
from linli.people.models import AccessGrant, Resident
from linli.people.services.grants import grant_request
from linli.people.services.records import resident_create
from linli.testing.strategies import HOSTILE, attempt, hostile_text, stored_as_shown


def _create(world, **values):
    household = Household.objects.get(room="101")
    return resident_create(
        actor=world["community_worker"],
        household=household,
        values={"full_name": "陈阿姨", "sex": "F", "birth_year": 1949, **values},
    )


@HOSTILE
@given(text=hostile_text())
def test_resident_name_is_stored_as_shown_or_refused(world, text):
    resident, error = attempt(
        lambda: Resident.objects.get(pk=_create(world, full_name=text).pk),  # read back
        count=Resident.objects.count,
    )
    if error is None:
        stored_as_shown(text, resident.full_name, max_length=50)


@HOSTILE
@given(text=hostile_text())
def test_relation_is_stored_as_shown_or_refused(world, text):
    resident, error = attempt(
        lambda: Resident.objects.get(pk=_create(world, relation_to_head=text).pk),
        count=Resident.objects.count,
    )
    if error is None:
        stored_as_shown(text, resident.relation_to_head, max_length=20)


@HOSTILE
@given(text=hostile_text())
def test_grant_purpose_is_stored_as_shown_or_refused(world, text):
    resident = Resident.objects.filter(household__room="101").first()
    grant, error = attempt(
        lambda: grant_request(
            actor=world["grid_worker"], resident_id=resident.pk, tiers=["health"], purpose=text
        ),
        count=AccessGrant.objects.count,
    )
    if error is None:
        stored_as_shown(text, grant.purpose, max_length=200)


def test_record_pages_and_api_are_private_and_never_stored(world, login, client):
    resident = Resident.objects.filter(household__room="101").first()
    worker = login("community_worker")
    for url in ("/people/", f"/people/{resident.pk}/", f"/api/people/residents/{resident.pk}"):
        response = worker.get(url)
        assert response.status_code == 200, url
        cache = response.headers["Cache-Control"]
        assert "private" in cache and "no-store" in cache, (url, cache)
    public = client.get("/cases/public/")
    assert "no-store" not in public.headers.get("Cache-Control", "")


def test_a_huge_id_in_a_record_url_is_a_field_error(world, login):
    response = login("community_worker").get("/api/people/residents/100000000000000000000")
    assert response.status_code == 400
