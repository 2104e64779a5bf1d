"""LEDGER-1 时间银行: hours count only once confirmed by the person served (or their grid
worker), credits are redeemed for services and can be given to family."""

import datetime as dt

import pytest

from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.ledger.choices import Book
from linli.ledger.models import (
    PointRule,
    RecordStatus,
    RequestStatus,
    ServiceRecord,
    ServiceRequest,
    Transaction,
)
from linli.ledger.services.common import time_hold, time_issuer
from linli.ledger.services.timebank import (
    service_record_confirm,
    service_record_create,
    service_record_dispute,
)
from linli.ledger.services.timebank_spend import (
    family_link_accept,
    family_link_request,
    service_request_cancel,
    service_request_create,
    time_gift,
)
from linli.ledger.tests.programme_helpers import (
    assert_ledger_ok,
    balance,
    elder_without_phone,
    give_time,
    key,
    resident_user,
    today,
)
from linli.people.models import Resident


def wang(world):
    return Resident.objects.get(user=world["resident"])


def record_for(world, resident=None, minutes=60, **extra):
    return service_record_create(
        actor=world["volunteer"],
        resident=resident or wang(world),
        served_on=today(),
        minutes=minutes,
        service="陪同就医",
        idempotency_key=extra.pop("idempotency_key", key()),
        **extra,
    )


def test_unconfirmed_hours_deposit_nothing(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        record = record_for(world, minutes=90)
    assert record.status == RecordStatus.PENDING
    assert balance(world["volunteer"], Book.TIME) == 0
    assert not Transaction.objects.filter(kind="timebank.deposit").exists()
    # The person served is told to confirm.
    assert world["resident"].notifications.filter(title__contains="请确认").exists()


def test_resident_confirms_and_credits_arrive_once(world):
    record = record_for(world, minutes=90)
    service_record_confirm(actor=world["resident"], record=record)
    service_record_confirm(actor=world["resident"], record=record)  # double tap
    record.refresh_from_db()
    assert record.status == RecordStatus.CONFIRMED and record.decided_by == world["resident"]
    assert balance(world["volunteer"], Book.TIME) == 90
    assert Transaction.objects.filter(kind="timebank.deposit").count() == 1
    issuer = time_issuer(world.community_a)
    issuer.refresh_from_db()
    assert issuer.balance == -90  # minted by the community's issuer
    assert_ledger_ok()


def test_grid_worker_confirms_for_an_elder_without_a_phone(world):
    elder = elder_without_phone(world)
    record = record_for(world, resident=elder, minutes=120)
    # Nobody else of another grid or role can act on it: "not found".
    other = resident_user(world, "neighbour")
    with pytest.raises(NotFound):
        service_record_confirm(actor=other, record=record)
    service_record_confirm(actor=world["grid_worker"], record=record)
    assert balance(world["volunteer"], Book.TIME) == 120


def test_grid_worker_of_another_grid_cannot_confirm(world):
    from linli.accounts.choices import MembershipKind
    from linli.accounts.models import Membership
    from linli.core.roles import Role
    from linli.testing.world import make_user

    gw_a2 = make_user("gw_a2", Role.GRID_WORKER)
    Membership.objects.create(user=gw_a2, kind=MembershipKind.GRID_WORKER, grid=world.grid_a2)
    record = record_for(world, resident=elder_without_phone(world))
    with pytest.raises(NotFound):
        service_record_confirm(actor=gw_a2, record=record)
    assert balance(world["volunteer"], Book.TIME) == 0


def test_volunteer_cannot_confirm_own_hours(world):
    record = record_for(world)
    with pytest.raises(NotFound):
        service_record_confirm(actor=world["volunteer"], record=record)


def test_disputed_hours_deposit_nothing_and_cannot_be_confirmed_later(
    world, django_capture_on_commit_callbacks
):
    record = record_for(world)
    with pytest.raises(ValidationFailed):
        service_record_dispute(actor=world["resident"], record=record, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        service_record_dispute(actor=world["resident"], record=record, reason="那天没有来")
    with pytest.raises(Conflict, match="异议"):
        service_record_confirm(actor=world["resident"], record=record)
    assert balance(world["volunteer"], Book.TIME) == 0
    assert world["volunteer"].notifications.filter(title__contains="异议").exists()


def test_volunteer_may_only_record_for_residents_of_their_grids(world):
    outsider = resident_user(world, "b_resident", grid=world.grid_b1)
    with pytest.raises(NotFound):
        record_for(world, resident=Resident.objects.get(user=outsider))
    with pytest.raises(PermissionDenied):
        service_record_create(
            actor=world["resident"],
            resident=wang(world),
            served_on=today(),
            minutes=60,
            service="买菜",
            idempotency_key=key(),
        )
    assert not ServiceRecord.objects.exists()


@pytest.mark.parametrize(
    ("minutes", "served_on", "field"),
    [
        (0, dt.date.today(), "minutes"),
        (721, dt.date.today(), "minutes"),
        (60, dt.date.today() + dt.timedelta(days=2), "served_on"),
        (60, dt.date.today() - dt.timedelta(days=90), "served_on"),
    ],
)
def test_bad_records_are_refused(world, minutes, served_on, field):
    with pytest.raises(ValidationFailed) as exc:
        service_record_create(
            actor=world["volunteer"],
            resident=wang(world),
            served_on=served_on,
            minutes=minutes,
            service="买菜",
            idempotency_key=key(),
        )
    assert exc.value.field == field
    assert not ServiceRecord.objects.exists()


def test_recording_is_idempotent_and_needs_a_key(world):
    k = key()
    first = record_for(world, idempotency_key=k)
    again = record_for(world, idempotency_key=k)
    assert first.pk == again.pk and ServiceRecord.objects.count() == 1
    with pytest.raises(ValidationFailed) as exc:
        record_for(world, idempotency_key="")
    assert exc.value.field == "idempotency_key"


def test_confirmed_hours_also_earn_points_when_the_rule_is_on(world):
    PointRule.objects.create(code="volunteer_hour", name="志愿服务每小时", points=10)
    record = record_for(world, minutes=150)
    service_record_confirm(actor=world["resident"], record=record)
    assert balance(world["volunteer"], Book.POINTS) == 20  # two full hours


def test_request_paid_with_credits_goes_to_the_volunteer_rest_comes_back(world):
    resident = world["resident"]
    give_time(world, resident, 120)
    request = service_request_create(
        actor=resident, service="陪同就医", minutes=90, idempotency_key=key()
    )
    assert balance(resident, Book.TIME) == 30  # 90 held
    record = service_record_create(
        actor=world["volunteer"],
        request=request,
        served_on=today(),
        minutes=60,
        service="陪同就医",
        idempotency_key=key(),
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.TAKEN and record.served_user == resident
    with pytest.raises(Conflict):
        service_request_cancel(actor=resident, request=request)
    service_record_confirm(actor=resident, record=record)
    assert balance(world["volunteer"], Book.TIME) == 60
    assert balance(resident, Book.TIME) == 60  # 30 left + 30 unused returned
    hold = time_hold(world.community_a)
    hold.refresh_from_db()
    assert hold.balance == 0
    request.refresh_from_db()
    assert request.status == RequestStatus.DONE
    # Paid by the requester: the issuer minted nothing for this service.
    assert Transaction.objects.filter(kind="timebank.pay").count() == 1
    assert_ledger_ok()


def test_request_beyond_the_balance_changes_nothing(world):
    resident = world["resident"]
    give_time(world, resident, 30)
    with pytest.raises(ValidationFailed, match="余额不足") as exc:
        service_request_create(
            actor=resident, service="打扫卫生", minutes=60, idempotency_key=key()
        )
    assert exc.value.code == "insufficient"
    assert not ServiceRequest.objects.exists()
    assert balance(resident, Book.TIME) == 30


def test_cancelling_an_open_request_returns_the_credits(world):
    resident = world["resident"]
    give_time(world, resident, 60)
    request = service_request_create(
        actor=resident, service="读报", minutes=60, idempotency_key=key()
    )
    assert balance(resident, Book.TIME) == 0
    service_request_cancel(actor=resident, request=request)
    service_request_cancel(actor=resident, request=request)  # twice: once
    assert balance(resident, Book.TIME) == 60
    with pytest.raises(NotFound):
        service_request_cancel(actor=world["volunteer"], request=request)


def test_volunteer_cannot_record_more_than_was_held(world):
    give_time(world, world["resident"], 60)
    request = service_request_create(
        actor=world["resident"], service="读报", minutes=60, idempotency_key=key()
    )
    with pytest.raises(ValidationFailed) as exc:
        service_record_create(
            actor=world["volunteer"],
            request=request,
            served_on=today(),
            minutes=90,
            service="读报",
            idempotency_key=key(),
        )
    assert exc.value.field == "minutes"


def test_gift_to_family_needs_an_accepted_link(world):
    volunteer, mother = world["volunteer"], resident_user(world, "mother")
    give_time(world, volunteer, 180)
    with pytest.raises(NotFound):
        time_gift(actor=volunteer, to_user=mother, minutes=60, idempotency_key=key())
    link = family_link_request(actor=volunteer, username="mother", relation="母亲")
    with pytest.raises(NotFound):  # not accepted yet
        time_gift(actor=volunteer, to_user=mother, minutes=60, idempotency_key=key())
    with pytest.raises(NotFound):  # only the named relative accepts
        family_link_accept(actor=world["resident"], link_id=link.pk)
    family_link_accept(actor=mother, link_id=link.pk)
    k = key()
    first = time_gift(actor=volunteer, to_user=mother, minutes=120, idempotency_key=k)
    again = time_gift(actor=volunteer, to_user=mother, minutes=120, idempotency_key=k)
    assert first.pk == again.pk
    assert balance(volunteer, Book.TIME) == 60 and balance(mother, Book.TIME) == 120
    with pytest.raises(ValidationFailed, match="余额不足"):
        time_gift(actor=volunteer, to_user=mother, minutes=120, idempotency_key=key())
    assert balance(volunteer, Book.TIME) == 60
    # Same key, different amount: a conflict, nothing moves.
    with pytest.raises(Conflict):
        time_gift(actor=volunteer, to_user=mother, minutes=60, idempotency_key=k)
    assert_ledger_ok()


def test_family_link_to_unknown_account_or_self(world):
    with pytest.raises(NotFound):
        family_link_request(actor=world["volunteer"], username="nobody", relation="母亲")
    with pytest.raises(ValidationFailed):
        family_link_request(actor=world["volunteer"], username="volunteer", relation="自己")


@pytest.mark.django_db(transaction=True)
def test_parallel_confirmations_deposit_once():
    """The person served and their grid worker tap "confirm" at the same moment."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("parallel sessions need PostgreSQL (SQLite serialises all writers)")
    from linli.testing.world import build_world

    world = build_world()
    record = record_for(world, minutes=60)
    barrier = threading.Barrier(6)

    def confirm(actor):
        try:
            barrier.wait()
            service_record_confirm(actor=actor, record=record)
        finally:
            connections.close_all()

    actors = [world["resident"], world["grid_worker"]] * 3
    threads = [threading.Thread(target=confirm, args=(a,)) for a in actors]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert balance(world["volunteer"], Book.TIME) == 60
    assert Transaction.objects.filter(kind="timebank.deposit").count() == 1
    assert_ledger_ok()
