"""Property test of the ledger (LEDGER-5): any sequence of postings, spends, reversals, repeats
and bad requests keeps every book summing to zero, every cached balance equal to its entries,
no account below its limit; a refused request changes nothing."""

from dataclasses import dataclass, field
from typing import Any

import pytest
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from linli.core.errors import Conflict, ValidationFailed
from linli.ledger.choices import Book
from linli.ledger.models import Account, Entry, Transaction
from linli.ledger.selectors import ledger_verify
from linli.ledger.services.posting import (
    account_for_user,
    account_set_limit,
    account_system,
    transaction_post,
    transaction_reverse,
)
from linli.ledger.tests.factories import person

pytestmark = pytest.mark.django_db

# (holder, book, lowest balance allowed)
HOLDERS = [
    ("alice", Book.TIME, 0),
    ("bob", Book.TIME, -120),  # a rule lets bob's time account run 2 hours into credit
    ("alice", Book.POINTS, 0),
    ("bob", Book.POINTS, 0),
    ("alice", Book.MONEY, 0),
    ("carol", Book.MONEY, 0),
]
N = len(HOLDERS)
account_index = st.integers(0, N - 1)
amount = st.integers(1, 300)
pick = st.integers(0, 40)
operation = st.one_of(
    st.tuples(st.just("issue"), account_index, amount),
    st.tuples(st.just("transfer"), account_index, account_index, amount),
    st.tuples(st.just("spend"), account_index, amount),
    st.tuples(st.just("reverse"), pick),
    st.tuples(st.just("repeat"), pick, st.booleans()),
    st.tuples(st.just("bad"), account_index, st.sampled_from(["unbalanced", "float", "zero"])),
)


@dataclass
class Posted:
    key: str
    kind: str
    legs: list[tuple[Account, int]]
    pk: int
    is_reversal: bool = False
    reversed: bool = False


@dataclass
class World:
    accounts: list[Account]
    issuers: dict[Any, Account]
    sinks: dict[Any, Account]
    balances: dict[int, int] = field(default_factory=dict)
    posted: list[Posted] = field(default_factory=list)

    def fits(self, legs: list[tuple[Account, int]]) -> bool:
        return all(
            amt > 0 or acct.min_balance is None or self.balances[acct.pk] + amt >= acct.min_balance
            for acct, amt in legs
        )

    def apply(self, legs: list[tuple[Account, int]]) -> None:
        for acct, amt in legs:
            self.balances[acct.pk] += amt


def _build() -> World:
    people = {name: person(name) for name in ("alice", "bob", "carol")}
    accounts = []
    for holder, book, floor in HOLDERS:
        acct = account_for_user(user=people[holder], book=book)
        if floor:
            account_set_limit(actor=None, account=acct, min_balance=floor)
        accounts.append(acct)
    issuers = {
        b: account_system(key=f"issuer:{b}", book=b, name="发行", min_balance=None) for b in Book
    }
    sinks = {b: account_system(key=f"merchant:{b}", book=b, name="商家") for b in Book}
    every = [*accounts, *issuers.values(), *sinks.values()]
    return World(accounts, issuers, sinks, balances={a.pk: 0 for a in every})


def _snapshot() -> tuple[Any, ...]:
    balances = tuple(Account.objects.order_by("pk").values_list("pk", "balance"))
    return Transaction.objects.count(), Entry.objects.count(), balances


def _step(w: World, i: int, op: tuple[Any, ...]) -> None:
    """Run one operation; the model predicts success or the exact refusal."""
    key = f"op-{i}"
    legs: list[tuple[Account, Any]]
    expect: type[Exception] | None
    if op[0] in ("issue", "spend", "transfer", "bad"):
        acct = w.accounts[op[1]]
        if op[0] == "issue":
            legs, expect = [(w.issuers[acct.book], -op[2]), (acct, op[2])], None
        elif op[0] == "spend":
            legs, expect = [(acct, -op[2]), (w.sinks[acct.book], op[2])], None
        elif op[0] == "transfer":
            dest = w.accounts[op[2]]
            legs = [(acct, -op[3]), (dest, op[3])]
            expect = ValidationFailed if dest.book != acct.book or dest.pk == acct.pk else None
        else:
            bad = {"unbalanced": (-5, 4), "float": (-1.0, 1.0), "zero": (0, 0)}[op[2]]
            legs = [(acct, bad[0]), (w.sinks[acct.book], bad[1])]
            expect = ValidationFailed
        if expect is None and not w.fits(legs):
            expect = ValidationFailed
        _run(w, expect, legs, lambda: _post(key, op[0], legs), key=key, kind=op[0])
    elif op[0] == "reverse" and w.posted:
        target = w.posted[op[1] % len(w.posted)]
        legs = [(a, -amt) for a, amt in target.legs]
        if target.is_reversal:
            expect = ValidationFailed
        elif target.reversed:
            expect = Conflict
        else:
            expect = None if w.fits(legs) else ValidationFailed
        txn = Transaction.objects.get(pk=target.pk)
        done = _run(
            w,
            expect,
            legs,
            lambda: transaction_reverse(actor=None, transaction=txn, idempotency_key=key),
            key=key,
            kind=f"{target.kind}.reversal",
        )
        if done:
            target.reversed = True
            w.posted[-1].is_reversal = True
    elif op[0] == "repeat" and w.posted:
        target = w.posted[op[1] % len(w.posted)]
        if target.is_reversal:
            return
        before = _snapshot()
        if op[2]:
            assert _post(target.key, target.kind, target.legs).pk == target.pk
        else:
            with pytest.raises(Conflict):
                _post(target.key, target.kind, [(a, amt * 2) for a, amt in target.legs])
        assert _snapshot() == before


def _post(key: str, kind: str, legs: list[tuple[Account, Any]]) -> Transaction:
    return transaction_post(actor=None, idempotency_key=key, kind=kind, memo="", legs=legs)


def _run(w: World, expect: Any, legs: Any, call: Any, *, key: str, kind: str) -> bool:
    if expect is not None:
        before = _snapshot()
        with pytest.raises(expect):
            call()
        assert _snapshot() == before, "a refused request changed the ledger"
        return False
    txn = call()
    w.apply(legs)
    w.posted.append(Posted(key=key, kind=kind, legs=legs, pk=txn.pk))
    return True


def _check_invariants(w: World) -> None:
    cached = dict(Account.objects.values_list("pk", "balance"))
    assert cached == w.balances
    sums = dict(Entry.objects.values_list("account").annotate(total=Sum("amount")))
    assert all(cached[pk] == sums.get(pk, 0) for pk in cached)
    per_book = Entry.objects.values_list("book").annotate(total=Sum("amount"))
    assert all(total == 0 for _book, total in per_book)
    for acct in Account.objects.exclude(min_balance=None):
        assert acct.balance >= acct.min_balance  # type: ignore[operator]
    result = ledger_verify()
    assert result.ok, result.breaks


@settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=st.lists(operation, min_size=1, max_size=25))
def test_any_sequence_keeps_the_ledger_whole(ops):
    with transaction.atomic():
        w = _build()
        for i, op in enumerate(ops):
            _step(w, i, op)
            assert dict(Account.objects.values_list("pk", "balance")) == w.balances
        _check_invariants(w)
        transaction.set_rollback(True)
