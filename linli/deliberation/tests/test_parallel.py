"""40 ballots at once from the adults of one household, online and on paper (VOTE-3): the
database's unique (vote, unit) leaves one; every other caller gets a clear refusal."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connections

from linli.core.errors import ApplicationError
from linli.core.roles import Role
from linli.deliberation.models import BallotBox, ElectorVoter, Participation
from linli.deliberation.services import votes
from linli.deliberation.tests.helpers import assembly, delib_world, opened, sheet_photo
from linli.people.models import Resident
from linli.testing.parallel import needs_postgres
from linli.testing.world import make_user

PARALLEL = 40
ADULTS = 10


@pytest.mark.django_db(transaction=True)
def test_forty_parallel_ballots_of_one_household_give_one(live_world):
    needs_postgres("the parallel ballot test")
    dw = delib_world(live_world, homes=1)
    home = dw.homes[1]
    adults = list(dw.adults[home.pk])
    for i in range(ADULTS - len(adults)):
        user = make_user(f"extra{i}", Role.RESIDENT)
        Resident.objects.create(household=home, full_name=f"家人{i}", birth_year=1980, user=user)
        adults.append(user)
    vote = opened(dw, assembly(dw))
    voters = list(ElectorVoter.objects.filter(vote=vote, elector__household=home))
    assert len(voters) == ADULTS
    photo = sheet_photo()
    staff = [dw["community_worker"], dw["secretary"]]
    start = threading.Barrier(PARALLEL)

    def ballot(i: int) -> str:
        try:
            start.wait()
            if i % 4 == 0:  # every fourth by paper, entered by staff
                votes.paper_enter(
                    actor=staff[i % 2],
                    vote=vote,
                    voter_id=voters[i % ADULTS].pk,
                    choice="no",
                    photo=photo,
                )
            else:
                user = next(v.user for v in voters if v.pk == voters[i % ADULTS].pk)
                votes.ballot_cast(actor=user, vote=vote, choice="yes")
            return "ok"
        except ApplicationError as exc:
            return exc.code
        finally:
            connections.close_all()

    with ThreadPoolExecutor(PARALLEL) as pool:
        answers = list(pool.map(ballot, range(PARALLEL)))
    assert answers.count("ok") == 1, answers
    assert answers.count("already_voted") == PARALLEL - 1, answers
    assert Participation.objects.filter(vote=vote).count() == 1
    one = Participation.objects.get(vote=vote)
    assert BallotBox.objects.filter(vote=vote).count() == (1 if one.counted else 0)
