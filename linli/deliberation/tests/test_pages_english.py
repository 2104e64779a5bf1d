"""The deliberation pages in English: nothing left in Chinese but what people wrote
(questions, names, homes, rule names stored as data)."""

import datetime as dt

import pytest

from linli.deliberation.services import results, votes
from linli.deliberation.tests.helpers import assembly, delib_world, opened
from linli.testing.english import as_user, english, text

DATA = (
    "甲社区",
    "甲社区户主大会",
    "是否同意加装电梯",
    "1幢1单元101",
    "2幢",
    "1幢",
    "王秀英",
    "住户0-1",
    "1单元101",
)


@pytest.fixture
def dw(world):
    return delib_world(world)


def test_resident_and_staff_pages_in_english(dw, clock):
    vote = opened(dw, assembly(dw))
    resident = as_user(dw["resident"])
    html = english(text(resident.get("/deliberation/")), DATA)
    assert "Voting now" in html and "Vote" in html
    html = english(text(resident.get(f"/deliberation/{vote.pk}/")), DATA)
    assert "with one tap" in html and "Abstain" in html
    votes.ballot_cast(actor=dw["resident"], vote=vote, choice="yes")
    staff = as_user(dw["secretary"])
    html = english(text(staff.get(f"/deliberation/{vote.pk}/?q=王秀英")), DATA)
    assert "Enter a paper ballot" in html and "Photo of the ballot" in html
    html = english(text(staff.get("/deliberation/new/")), DATA)
    assert "Save as draft" in html
    clock.shift(dt.timedelta(hours=1))
    results.vote_publish(actor=dw["secretary"], vote=vote)
    html = english(text(resident.get(f"/deliberation/{vote.pk}/")), DATA)
    assert "Turnout" in html and "Result notice (PDF)" in html
    html = english(text(resident.get("/deliberation/topics/")), DATA)
    assert "Raise a topic" in html


def test_errors_in_english(dw):
    vote = opened(dw, assembly(dw))
    votes.ballot_cast(actor=dw.adults[dw.homes[1].pk][0], vote=vote, choice="yes")
    other = as_user(dw.adults[dw.homes[1].pk][1])
    r = other.post(f"/deliberation/{vote.pk}/cast/", {"choice": "no"}, follow=True)
    html = english(text(r), DATA)
    assert "it cannot vote again" in html
