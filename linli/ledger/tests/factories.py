"""Small builders for ledger tests: people, issuers, funded accounts."""

import itertools
from typing import Any

from linli.accounts.models import User
from linli.ledger.choices import Book
from linli.ledger.models import Account, Transaction
from linli.ledger.services.posting import account_for_user, account_system, transaction_post

_seq = itertools.count(1)


def person(name: str = "") -> User:
    n = next(_seq)
    return User.objects.create(username=f"ledger-p{n}", full_name=name or f"居民{n}")


def issuer(book: str = Book.POINTS) -> Account:
    return account_system(key=f"issuer:{book}", book=book, name="发行账户", min_balance=None)


def sink(book: str = Book.POINTS) -> Account:
    return account_system(key=f"merchant:{book}", book=book, name="兑换商家")


def fund(account: Account, amount: int, *, actor: Any = None) -> Transaction:
    """Credit `account` from its book's issuer."""
    return transaction_post(
        actor=actor,
        idempotency_key=f"fund-{account.pk}-{next(_seq)}",
        kind="test.fund",
        memo="发放",
        legs=[(issuer(account.book), -amount), (account, amount)],
    )


def funded(amount: int, book: str = Book.POINTS, *, user: User | None = None) -> Account:
    account = account_for_user(user=user or person(), book=book)
    fund(account, amount)
    account.refresh_from_db()
    return account
