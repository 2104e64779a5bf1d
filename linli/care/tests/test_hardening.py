"""Hostile input on care (issue 12): away periods have a range (a year ahead at most, years
2000-2099), so no date can break the lists that read them; free texts are stored as shown
or refused."""

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone
from hypothesis import given

from linli.care.models import AwayPeriod, HomeService, ServiceKind
from linli.care.services.handling import away_set
from linli.care.services.homecare import home_service_record
from linli.care.tests.care_helpers import make_care
from linli.testing import english
from linli.testing.strategies import HOSTILE, attempt, hostile_text, stored_as_shown

JSON = "application/json"


@pytest.fixture
def care(world):
    return make_care(world)


def as_user(user) -> Client:
    return english.as_user(user, lang=None)


@pytest.mark.parametrize(
    ("starts", "ends", "field"),
    [
        ("2026-12-01T00:00:00+08:00", "9999-12-31T23:59:59-12:00", "ends"),
        ("9999-12-30T00:00:00+08:00", "9999-12-31T00:00:00+08:00", "starts"),
        ("2300-01-01T00:00:00+08:00", "2300-01-05T00:00:00+08:00", "starts"),
    ],
)
def test_far_away_periods_are_refused_and_lists_stay_up(care, world, starts, ends, field):
    body = {
        "household_id": care.household.pk,
        "starts": starts,
        "ends": ends,
        "reason": "hospital",
    }
    response = as_user(care.family).post("/api/care/away", body, content_type=JSON)
    assert response.status_code == 400 and response.json()["error"]["field"] == field
    assert not AwayPeriod.objects.exists()
    for role in ("community_worker", "grid_worker", "secretary"):
        assert as_user(world[role]).get("/api/care/away").status_code == 200


def test_an_away_period_may_start_within_a_year(care):
    now = timezone.now()

    def set_away(starts):
        return away_set(
            actor=care.family,
            household_id=care.household.pk,
            starts=starts,
            ends=starts + dt.timedelta(days=3),
            reason="hospital",
        )

    assert set_away(now + dt.timedelta(days=300)).pk
    with pytest.raises(Exception, match="一年"):
        set_away(now + dt.timedelta(days=400))


@HOSTILE
@given(text=hostile_text(long=400))
def test_away_note_is_stored_as_shown_or_refused(care, text):
    now = timezone.now()
    away, error = attempt(
        lambda: away_set(
            actor=care.family,
            household_id=care.household.pk,
            starts=now,
            ends=now + dt.timedelta(days=2),
            reason="hospital",
            note=text,
        ),
        count=AwayPeriod.objects.count,
    )
    if error is None:
        stored_as_shown(text, away.note, max_length=200)


@HOSTILE
@given(provider=hostile_text(), note=hostile_text(long=1000))
def test_home_service_texts_are_stored_as_shown_or_refused(care, world, provider, note):
    service, error = attempt(
        lambda: home_service_record(
            actor=world["grid_worker"],
            resident_id=care.resident.pk,
            kind=ServiceKind.BATHING,
            provided_at=timezone.now() - dt.timedelta(hours=1),
            provider=provider,
            note=note,
        ),
        count=HomeService.objects.count,
    )
    if error is None:
        stored_as_shown(provider, service.provider_name, max_length=100)
        stored_as_shown(note, service.note, max_length=300)
