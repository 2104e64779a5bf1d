"""CARE-5 under real concurrency (PostgreSQL): sweeps on several workers at once open each
alert once — a sweep that finds another one running steps aside — and the database keeps
one open alert per household and rule even against writers that bypass the sweep."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection, connections, transaction

from linli.care.models import Alert, CareDefaults, DeviceKind, Rule
from linli.care.scheduled import care_sweep
from linli.care.services.alerts import alert_open
from linli.care.tests.rules_helpers import at, make_home

W, D, M = DeviceKind.WATER, DeviceKind.DOOR, DeviceKind.MOTION


def _needs_postgres() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; real parallel sweeps need PostgreSQL")


@pytest.fixture
def silent_home(live_world):
    home = make_home(live_world)
    home.water(at(0), at(13), uses={at(1): 0.02})
    home.events(M, at(1))
    home.beats(M, at(0), at(13))
    home.beats(D, at(0), at(13))
    return home


@pytest.mark.django_db(transaction=True)
def test_parallel_sweeps_open_the_alert_once(silent_home):
    _needs_postgres()

    def work(_: int) -> tuple[int, bool]:
        try:
            r = care_sweep(now=at(13, minutes=3))
            return r.opened, r.skipped
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(work, range(8)))
    assert sum(opened for opened, _ in results) == 1
    assert Alert.objects.filter(rule=Rule.NO_WATER).count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_sweep_steps_aside_while_another_runs(silent_home):
    _needs_postgres()
    care_sweep(now=at(0))  # creates the defaults row
    with transaction.atomic():
        CareDefaults.objects.select_for_update().get(pk=1)  # "another sweep" holds the lock

        def other() -> bool:
            try:
                return care_sweep(now=at(13, minutes=3)).skipped
            finally:
                connections.close_all()

        with ThreadPoolExecutor(max_workers=1) as pool:
            assert pool.submit(other).result(timeout=30) is True
    assert not Alert.objects.exists()
    assert care_sweep(now=at(13, minutes=3)).opened == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_openers_keep_one_open_alert(silent_home):
    _needs_postgres()

    def work(_: int) -> bool:
        try:
            alert = alert_open(
                household=silent_home.household, rule=Rule.CALL, evidence={}, now=at(5)
            )
            return alert is not None
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=6) as pool:
        opened = list(pool.map(work, range(12)))
    assert sum(opened) == 1
    assert Alert.objects.filter(rule=Rule.CALL).count() == 1
