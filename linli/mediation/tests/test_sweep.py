"""The mediation sweep: warn, overdue (mediators and the secretary told), once each; the
follow-up due reminder; the day-20 court-confirmation reminder."""

import datetime as dt

import pytest

from linli.core.notifications.models import Notification
from linli.mediation.choices import Status
from linli.mediation.models import Dispute
from linli.mediation.scheduled import mediation_sweep
from linli.mediation.services import agreement as agreements
from linli.mediation.services import disputes as steps
from linli.mediation.tests.helpers import drive, mediation_world, register


@pytest.fixture
def mw(world):
    return mediation_world(world)


def _titles(user):
    return list(Notification.objects.filter(recipient=user).values_list("title", flat=True))


@pytest.mark.clock("2026-12-07 10:00")  # a Monday: accept due at the end of Thursday
def test_accept_deadline_warns_then_marks_overdue_once(mw, clock):
    dispute = register(mw)
    assert mediation_sweep().warned == 0
    clock.move_to("2026-12-10 09:00")  # less than a quarter of the window left
    result = mediation_sweep()
    assert (result.warned, result.overdue) == (1, 0)
    assert any("临近期限" in t for t in _titles(mw["mediator"]))
    assert mediation_sweep().warned == 0  # once
    clock.move_to("2026-12-11 00:00")
    result = mediation_sweep()
    assert result.overdue == 1 and Dispute.objects.get(pk=dispute.pk).overdue
    assert any("已超过期限" in t for t in _titles(mw["secretary"]))
    assert mediation_sweep().overdue == 0
    # Accepting starts the 30-working-day deadline afresh.
    accepted = steps.dispute_accept(actor=mw["mediator"], dispute=dispute)
    assert not accepted.overdue and accepted.warned_at is None


@pytest.mark.clock("2026-12-07 10:00")
def test_follow_up_and_court_reminders(mw, clock):
    dispute = drive(mw, register(mw), Status.AGREED)
    agreement = dispute.agreement
    agreement.court_confirmation = True
    agreement.save()
    agreements.agreement_sign(actor=mw["mediator"], dispute=dispute, scan=b"\x89PNG\r\n\x1a\nscan")
    clock.shift(dt.timedelta(days=19))
    assert mediation_sweep().court_reminders == 0
    clock.shift(dt.timedelta(days=1, minutes=1))
    assert mediation_sweep().court_reminders == 1
    assert any("司法确认" in t for t in _titles(mw["resident"]))  # 王秀英 is a party
    assert mediation_sweep().court_reminders == 0
    clock.shift(dt.timedelta(days=10))
    assert mediation_sweep().follow_ups_due == 1  # the 30-day visit
    assert mediation_sweep().follow_ups_due == 0
