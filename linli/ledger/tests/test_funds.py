"""LEDGER-3 社区发展基金: donations, government 1:1 matching up to the yearly cap, approved
projects paid never beyond the fund or the budget; each community manages only its own."""

import datetime as dt

import pytest

from linli.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from linli.core.roles import Role
from linli.ledger.models import (
    Disbursement,
    Donation,
    DonorKind,
    MatchingCap,
    Project,
    ProjectStatus,
    Transaction,
)
from linli.ledger.services.common import fund_account, government_source
from linli.ledger.services.funds import (
    donation_record,
    matching_cap_set,
    project_decide,
    project_disburse,
    project_propose,
)
from linli.ledger.tests.programme_helpers import assert_ledger_ok, key, today, worker_of_b


def donate(world, amount, *, actor=None, anonymous=False, name="西溪科技公司", **extra):
    return donation_record(
        actor=actor or world["community_worker"],
        community=world.community_a,
        donor_name=name,
        donor_kind=extra.pop("kind", DonorKind.ENTERPRISE),
        amount=amount,
        anonymous=anonymous,
        idempotency_key=extra.pop("idempotency_key", key()),
        **extra,
    )


def fund_balance(world):
    return fund_account(world.community_a).balance


def cap(world, fen, year=None):
    return matching_cap_set(
        actor=world["street_admin"],
        community=world.community_a,
        year=year or today().year,
        cap=fen,
    )


def test_donation_without_a_cap_is_not_matched(world):
    donation = donate(world, 50_000)
    assert donation.matched == 0 and donation.match_transaction is None
    assert fund_balance(world) == 50_000


def test_matching_is_one_to_one_and_stops_at_the_cap(world):
    cap(world, 100_000)
    first = donate(world, 60_000)
    second = donate(world, 60_000)  # only 40,000 of room left: partial matching
    third = donate(world, 10_000, kind=DonorKind.RESIDENT, name="张阿姨")
    assert (first.matched, second.matched, third.matched) == (60_000, 40_000, 0)
    assert fund_balance(world) == 130_000 + 100_000
    gov = government_source(world.community_a)
    gov.refresh_from_db()
    assert gov.balance == -100_000
    # Matching is its own transaction from the government account.
    assert Transaction.objects.filter(kind="fund.matching").count() == 2
    assert Transaction.objects.filter(kind="fund.donation").count() == 3
    assert_ledger_ok()


def test_matching_caps_are_per_year(world):
    this_year = today().year
    cap(world, 10_000, this_year - 1)
    last_year = donate(world, 30_000, received_on=dt.date(this_year - 1, 6, 1))
    now = donate(world, 30_000)
    assert (last_year.matched, now.matched) == (10_000, 0)


def test_only_the_street_office_sets_the_cap(world):
    with pytest.raises(PermissionDenied):
        matching_cap_set(actor=world["secretary"], community=world.community_a, year=2026, cap=1)
    assert not MatchingCap.objects.exists()


def test_donation_is_idempotent(world):
    cap(world, 100_000)
    k = key()
    first = donate(world, 20_000, idempotency_key=k)
    again = donate(world, 20_000, idempotency_key=k)
    assert first.pk == again.pk and Donation.objects.count() == 1
    assert fund_balance(world) == 40_000


@pytest.mark.parametrize(("field", "value"), [("amount", 0), ("amount", -5), ("donor_name", " ")])
def test_bad_donations_change_nothing(world, field, value):
    kwargs = {"amount": 100, "name": "某公司"}
    kwargs["amount" if field == "amount" else "name"] = value
    with pytest.raises(ValidationFailed):
        donate(world, kwargs["amount"], name=kwargs["name"])
    assert not Donation.objects.exists() and fund_balance(world) == 0


def test_future_donation_date_is_refused(world):
    with pytest.raises(ValidationFailed) as exc:
        donate(world, 100, received_on=today() + dt.timedelta(days=3))
    assert exc.value.field == "received_on"


def test_a_worker_of_another_community_cannot_touch_this_fund(world):
    b_worker = worker_of_b(world)
    with pytest.raises(NotFound):
        donate(world, 100, actor=b_worker)
    project = project_propose(
        actor=world["community_worker"],
        community=world.community_a,
        name="加装电梯",
        budget=10_000,
        idempotency_key=key(),
    )
    with pytest.raises(NotFound):
        project_decide(actor=worker_of_b(world, Role.SECRETARY), project=project, approve=True)
    with pytest.raises(NotFound):
        project_disburse(actor=b_worker, project=project, amount=1, memo="x", idempotency_key=key())
    assert not Donation.objects.exists()


def propose(world, budget):
    return project_propose(
        actor=world["community_worker"],
        community=world.community_a,
        name="楼道照明改造",
        budget=budget,
        idempotency_key=key(),
    )


def test_secretary_approves_up_to_the_threshold_street_office_above(world):
    small, big = propose(world, 5_000_000), propose(world, 5_000_001)
    with pytest.raises(PermissionDenied):  # community workers propose, never approve
        project_decide(actor=world["community_worker"], project=small, approve=True)
    project_decide(actor=world["secretary"], project=small, approve=True)
    with pytest.raises(PermissionDenied, match="街道办"):
        project_decide(actor=world["secretary"], project=big, approve=True)
    project_decide(actor=world["street_admin"], project=big, approve=True)
    assert set(Project.objects.values_list("status", flat=True)) == {ProjectStatus.APPROVED}
    with pytest.raises(Conflict):
        project_decide(actor=world["street_admin"], project=big, approve=False)


def test_disbursement_needs_approval_balance_and_budget(world):
    donate(world, 30_000)
    project = propose(world, 25_000)
    with pytest.raises(Conflict, match="批准"):
        project_disburse(
            actor=world["community_worker"],
            project=project,
            amount=100,
            memo="材料",
            idempotency_key=key(),
        )
    project_decide(actor=world["secretary"], project=project, approve=True)
    project_disburse(
        actor=world["community_worker"],
        project=project,
        amount=20_000,
        memo="首期",
        idempotency_key=key(),
    )
    with pytest.raises(ValidationFailed, match="剩余预算") as exc:
        project_disburse(
            actor=world["community_worker"],
            project=project,
            amount=5_001,
            memo="二期",
            idempotency_key=key(),
        )
    assert exc.value.field == "amount"
    assert fund_balance(world) == 10_000


def test_disbursement_beyond_the_fund_balance_is_refused(world):
    donate(world, 10_000)
    project = propose(world, 50_000)
    project_decide(actor=world["secretary"], project=project, approve=True)
    with pytest.raises(ValidationFailed, match="基金余额不足") as exc:
        project_disburse(
            actor=world["community_worker"],
            project=project,
            amount=10_001,
            memo="施工",
            idempotency_key=key(),
        )
    assert exc.value.code == "insufficient"
    project.refresh_from_db()
    assert project.disbursed == 0 and not Disbursement.objects.exists()
    assert fund_balance(world) == 10_000
    k = key()
    project_disburse(
        actor=world["community_worker"],
        project=project,
        amount=10_000,
        memo="施工",
        idempotency_key=k,
    )
    project_disburse(
        actor=world["community_worker"],
        project=project,
        amount=10_000,
        memo="施工",
        idempotency_key=k,
    )
    assert fund_balance(world) == 0 and Disbursement.objects.count() == 1
    assert_ledger_ok()


def test_anonymous_donor_name_is_not_in_the_ledger(world):
    donate(world, 500, anonymous=True, name="王秀英", kind=DonorKind.RESIDENT)
    memos = list(Transaction.objects.values_list("memo", flat=True))
    assert memos and all("王秀英" not in m for m in memos)
    assert any("匿名" in m for m in memos)


@pytest.mark.django_db(transaction=True)
def test_parallel_donations_never_match_beyond_the_cap():
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("parallel sessions need PostgreSQL (SQLite serialises all writers)")
    from linli.testing.world import build_world

    world = build_world()
    cap(world, 100_000)
    barrier = threading.Barrier(8)

    def give():
        try:
            barrier.wait()
            donate(world, 30_000)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=give) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    matched = sorted(Donation.objects.values_list("matched", flat=True))
    assert sum(matched) == 100_000 and matched == [0] * 4 + [10_000] + [30_000] * 3
    assert fund_balance(world) == 8 * 30_000 + 100_000
    assert_ledger_ok()
