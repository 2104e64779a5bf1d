"""EVAL-1: the monthly community survey — staff open it, a resident answers once (a DB
constraint, also under parallel submits), staff enter answers for residents without a phone,
results are public with their answer count; the satisfaction rate enters the registry."""

import datetime as dt
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections
from django.utils import timezone

from linli.core.audit.models import AuditEntry
from linli.core.errors import ApplicationError, Conflict, PermissionDenied, ValidationFailed
from linli.evaluation import metrics, surveys
from linli.evaluation.metrics import Figure
from linli.evaluation.models import Survey, SurveyResponse
from linli.geo.models import Building, Household
from linli.people.models import Resident
from linli.testing.parallel import needs_postgres

pytestmark = pytest.mark.clock("2026-03-11 10:00")


@pytest.fixture
def survey(world):
    return surveys.survey_open(actor=world["community_worker"], community=world.community_a)


def test_open_once_a_month_by_the_community_staff_only(world, survey):
    assert survey.month == dt.date(2026, 3, 1) and len(survey.questions) == 3
    with pytest.raises(Conflict):
        surveys.survey_open(actor=world["secretary"], community=world.community_a)
    with pytest.raises(PermissionDenied):  # not their community
        surveys.survey_open(actor=world["community_worker"], community=world.community_b)
    with pytest.raises(PermissionDenied):
        surveys.survey_open(actor=world["resident"], community=world.community_b)
    assert Survey.objects.count() == 1


def test_resident_answers_once_and_staff_enter_for_others(world, survey):
    surveys.survey_answer(actor=world["resident"], survey=survey, answers=[5, 4, 2])
    with pytest.raises(Conflict) as second:
        surveys.survey_answer(actor=world["resident"], survey=survey, answers=[1, 1, 1])
    assert second.value.code == "already_answered"
    wang = Resident.objects.get(user=world["resident"])
    with pytest.raises(Conflict):  # staff cannot answer again for her either
        surveys.survey_answer(
            actor=world["community_worker"], survey=survey, answers=[3, 3, 3], resident_id=wang.pk
        )
    li = Resident.objects.create(
        household=Household.objects.get(), full_name="李大爷", sex="M", birth_year=1940
    )
    staff_entry = surveys.survey_answer(
        actor=world["community_worker"], survey=survey, answers=[4, 4, 4], resident_id=li.pk
    )
    assert staff_entry.entered_by == world["community_worker"]
    count, results = surveys.survey_results(survey)
    assert count == 2
    assert [(r.average, r.satisfied) for r in results] == [(4.5, 100.0), (4.0, 100.0), (3.0, 50.0)]


@pytest.mark.parametrize("answers", [[5, 4], [5, 4, 6], [5, 4, 0], [True, 4, 4], ["5", 4, 4], None])
def test_bad_answers_are_refused_and_nothing_stored(world, survey, answers):
    with pytest.raises(ValidationFailed):
        surveys.survey_answer(actor=world["resident"], survey=survey, answers=answers)
    assert not SurveyResponse.objects.exists()


def test_wrong_people_and_closed_survey(world, survey):
    with pytest.raises(PermissionDenied):  # a volunteer without a resident record
        surveys.survey_answer(actor=world["volunteer"], survey=survey, answers=[5, 5, 5])
    wang = Resident.objects.get(user=world["resident"])
    with pytest.raises(PermissionDenied):  # staff of nowhere near
        surveys.survey_answer(
            actor=world["street_admin"], survey=survey, answers=[5, 5, 5], resident_id=wang.pk
        )
    Survey.objects.filter(pk=survey.pk).update(closes_at=timezone.now() - dt.timedelta(minutes=1))
    survey.refresh_from_db()
    with pytest.raises(Conflict):
        surveys.survey_answer(actor=world["resident"], survey=survey, answers=[5, 5, 5])
    assert not SurveyResponse.objects.exists()


def test_survey_satisfaction_metric(world, survey):
    surveys.survey_answer(actor=world["resident"], survey=survey, answers=[5, 4, 2])
    figs = metrics.compute("survey_satisfaction", dt.date(2026, 3, 1), "community")
    assert figs == {str(world.community_a.pk): Figure(2, 3, 66.67)}


def test_pages_answer_staff_entry_and_public_board(world, login, survey):
    resident = login("resident")
    url = f"/evaluation/surveys/{survey.pk}/"
    page = resident.get(url).content.decode()
    assert 'name="q0"' in page and "resident_id" not in page
    bad = resident.post(url, {"q0": "5", "q1": "4"})
    assert bad.status_code == 400 and "请回答每一个问题" in bad.content.decode()
    assert resident.post(url, {"q0": "5", "q1": "4", "q2": "4"}).status_code == 302
    assert 'data-testid="done"' in resident.get(url).content.decode()
    staff = login("community_worker")
    assert 'name="resident_number"' in staff.get(url).content.decode()
    bad = staff.post(url, {"resident_number": "999999", "q0": "5", "q1": "4", "q2": "4"})
    assert bad.status_code == 400
    assert login("secretary").get("/evaluation/surveys/").status_code == 200
    # Another community's staff and residents do not see it.
    assert login("street_admin").get(url).status_code == 403  # not an answering role
    board = login("volunteer").get(f"/evaluation/board/{world.community_a.pk}/")
    assert board.status_code == 200
    from django.test import Client

    public = Client().get(f"/evaluation/board/{world.community_a.pk}/").content.decode()
    assert "1 份回答" in public and "100.0%" in public
    assert Client().get("/evaluation/board/999999/").status_code == 404
    assert Client().get(url).status_code in (302, 401, 403)


@pytest.mark.django_db(transaction=True)
def test_parallel_submits_leave_one_answer(live_world):
    needs_postgres("the parallel survey answer test")
    survey = surveys.survey_open(
        actor=live_world["community_worker"], community=live_world.community_a
    )
    wang = Resident.objects.get(user=live_world["resident"])
    parallel = 20
    start = threading.Barrier(parallel)

    def answer(i: int) -> str:
        try:
            start.wait()
            if i % 2:
                surveys.survey_answer(
                    actor=live_world["resident"], survey=survey, answers=[5, 5, 5]
                )
            else:
                surveys.survey_answer(
                    actor=live_world["secretary"],
                    survey=survey,
                    answers=[3, 3, 3],
                    resident_id=wang.pk,
                )
            return "ok"
        except ApplicationError as exc:
            return str(exc.code)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(parallel) as pool:
        got = list(pool.map(answer, range(parallel)))
    assert got.count("ok") == 1, got
    assert got.count("already_answered") == parallel - 1, got
    assert SurveyResponse.objects.filter(survey=survey).count() == 1


def test_home_tile_for_residents_until_they_answer(world, login, survey):
    assert "本月满意度调查" in login("resident").get("/").content.decode()
    surveys.survey_answer(actor=world["resident"], survey=survey, answers=[5, 5, 5])
    assert "本月满意度调查" not in login("resident").get("/").content.decode()
    assert "发起调查" in login("community_worker").get("/").content.decode()


def test_staff_pick_the_resident_by_name_building_room_or_phone(world, login, survey):
    """The staff entry picker searches the survey's community through people's audited
    briefs: part of the name, the building, the room, or the phone's last four digits."""
    wang = Resident.objects.get(full_name="王秀英")
    Resident.objects.filter(pk=wang.pk).update(phone_masked="138****5678")
    other = Household.objects.create(
        building=Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.27, lon=120.13),
        unit="1单元",
        room="901",
    )
    Resident.objects.create(household=other, full_name="王建国", sex="M", birth_year=1950)
    staff = login("community_worker")
    url = f"/evaluation/surveys/{survey.pk}/"
    for q in ("秀英", "1幢", "101", "5678", "王"):
        page = staff.get(url, {"q": q}).content.decode()
        assert 'data-testid="resident-picker"' in page and "王秀英" in page, q
        assert "王建国" not in page  # community B: not this survey's, not this worker's
    assert 'data-testid="no-match"' in staff.get(url, {"q": "张"}).content.decode()
    listed = AuditEntry.objects.filter(
        action="resident.listed", actor_id=world["community_worker"].pk
    )
    assert listed.count() == 5 and listed.first().data["purpose"] == "代填满意度调查"
    r = staff.post(url, {"resident_id": str(wang.pk), "q0": "4", "q1": "4", "q2": "5"})
    assert r.status_code == 302
    assert SurveyResponse.objects.get().entered_by == world["community_worker"]
