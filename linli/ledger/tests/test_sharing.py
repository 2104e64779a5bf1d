"""LEDGER-4 闲置共享: 5% of each rental to the welfare fund, 30% of community-economy income
to the public fund, both in whole fen (half up) with legs that sum exactly."""

from decimal import ROUND_HALF_UP, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from linli.core.errors import NotFound, ValidationFailed
from linli.ledger.choices import Book
from linli.ledger.models import CommunityLedgerSettings, ItemKind, Rental, Transaction
from linli.ledger.services.common import economy_account, public_fund, welfare_account
from linli.ledger.services.sharing import (
    economy_income_record,
    rental_record,
    share_item_create,
    share_item_set_active,
    split,
)
from linli.ledger.tests.programme_helpers import (
    assert_ledger_ok,
    balance,
    key,
    resident_user,
    worker_of_b,
)


def reference(amount: int, percent: str) -> int:
    return int((Decimal(amount) * Decimal(percent) / 100).quantize(Decimal(1), ROUND_HALF_UP))


@given(st.integers(min_value=1, max_value=10**12), st.sampled_from([500, 3000, 1, 9999]))
@settings(max_examples=300, deadline=None)
def test_split_is_half_up_and_exact(amount, bp):
    share, rest = split(amount, bp)
    assert share + rest == amount and share >= 0 and rest >= 0
    assert share == reference(amount, str(Decimal(bp) / 100))


def item(world, owner=None, price=101):
    return share_item_create(
        actor=owner or world["resident"], kind=ItemKind.TOOL, title="电钻", price=price
    )


def rent(world, thing, days=1, renter=None, **extra):
    return rental_record(
        actor=renter or world["volunteer"],
        item=thing,
        days=days,
        idempotency_key=extra.pop("idempotency_key", key()),
    )


def welfare(world):
    account = welfare_account(world.community_a)
    account.refresh_from_db()
    return account.balance


@pytest.mark.parametrize(
    ("price", "days", "commission"),
    [
        (101, 1, 5),  # 5.05 → 5
        (10, 1, 1),  # 0.5 → 1 (half up)
        (30, 1, 2),  # 1.5 → 2
        (29, 1, 1),  # 1.45 → 1
        (1, 1, 0),  # 0.05 → 0: the owner gets it all, no zero leg
        (333, 3, 50),  # 999 × 5% = 49.95 → 50
    ],
)
def test_commission_is_exact_for_odd_amounts(world, price, days, commission):
    rental = rent(world, item(world, price=price), days=days)
    amount = price * days
    assert rental.amount == amount and rental.commission == commission
    assert welfare(world) == commission
    assert balance(world["resident"], Book.MONEY) == amount - commission
    legs = sorted(rental.transaction.entries.values_list("amount", flat=True))
    assert sum(legs) == 0 and 0 not in legs
    assert_ledger_ok()


def test_commission_rate_is_configuration(world):
    CommunityLedgerSettings.objects.create(community=world.community_a, commission_bp=1000)
    rental = rent(world, item(world, price=1000))
    assert rental.commission == 100


def test_rental_is_idempotent(world):
    thing, k = item(world, price=200), key()
    first = rent(world, thing, days=2, idempotency_key=k)
    again = rent(world, thing, days=2, idempotency_key=k)
    assert first.pk == again.pk and Rental.objects.count() == 1
    assert welfare(world) == 20


def test_bad_rentals_change_nothing(world):
    thing = item(world)
    with pytest.raises(ValidationFailed, match="自己"):
        rent(world, thing, renter=world["resident"])
    with pytest.raises(ValidationFailed):
        rent(world, thing, days=0)
    share_item_set_active(actor=world["resident"], item=thing, active=False)
    with pytest.raises(ValidationFailed, match="暂不出租"):
        rent(world, thing)
    outsider = resident_user(world, "b_res", grid=world.grid_b1)
    share_item_set_active(actor=world["resident"], item=thing, active=True)
    with pytest.raises(NotFound):
        rent(world, thing, renter=outsider)
    with pytest.raises(NotFound):  # only the owner pauses an item
        share_item_set_active(actor=world["volunteer"], item=thing, active=False)
    assert not Rental.objects.exists() and welfare(world) == 0


@pytest.mark.parametrize(("amount", "public"), [(333, 100), (1, 0), (5, 2), (100_000, 30_000)])
def test_thirty_percent_of_economy_income_to_the_public_fund(world, amount, public):
    income = economy_income_record(
        actor=world["community_worker"],
        community=world.community_a,
        source="活动室场地租赁",
        amount=amount,
        idempotency_key=key(),
    )
    assert income.public_share == public
    pf, op = public_fund(world.community_a), economy_account(world.community_a)
    pf.refresh_from_db()
    op.refresh_from_db()
    assert (pf.balance, op.balance) == (public, amount - public)
    assert_ledger_ok()


def test_economy_income_is_scoped_to_the_community(world):
    with pytest.raises(NotFound):
        economy_income_record(
            actor=worker_of_b(world),
            community=world.community_a,
            source="场地租赁",
            amount=100,
            idempotency_key=key(),
        )
    assert not Transaction.objects.filter(kind="sharing.economy").exists()


def test_listing_needs_a_community_and_a_price(world):
    with pytest.raises(ValidationFailed):
        share_item_create(actor=world["resident"], kind=ItemKind.BOOK, title="旧书", price=0)
    with pytest.raises(ValidationFailed):  # no home, no grid: no community to list in
        share_item_create(actor=world["partner"], kind=ItemKind.BOOK, title="旧书", price=100)
