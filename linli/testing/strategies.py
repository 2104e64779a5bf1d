"""Hostile text for the services' tests (issue 12): every free-text input a service takes is
tried with what a careless client or an attacker sends. The property checked is PLAT-4's:
the service stores the text exactly as it will show it, or refuses it with an
ApplicationError and writes nothing; never a database error."""

from collections.abc import Callable
from typing import Any

from django.db import transaction
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from linli.core.errors import ApplicationError

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ request.user }}{% debug %}",
    "'; DROP TABLE accounts_user; --",
]
RTL = ["\u202e", "\u200f", "\u061c"]  # right-to-left override, mark, Arabic letter mark


def hostile_text(*, long: int = 10_000) -> st.SearchStrategy[str]:
    """Ordinary text with NUL, lone surrogates, RTL controls, markup mixed in, or one very
    long run; plus blank and ordinary Chinese, so acceptance is tested too."""
    ordinary = st.text(
        alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=40
    )
    poison = st.sampled_from(["\x00", "\ud800", "\udfff", *RTL, *MARKUP])
    mixed = st.tuples(ordinary, poison, ordinary).map("".join)
    return st.one_of(
        mixed,
        st.just("楼下垃圾堆了三天"),
        st.sampled_from(["", "   ", "\n\t"]),
        st.integers(min_value=1, max_value=3).map(lambda n: "长" * (long * n // 2)),
        st.characters(categories=["Cs"]).map(lambda c: "正常" + c),
        ordinary,
    )


# One example per call: the database is rolled back between examples by `attempt`.
HOSTILE = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


class _RollBack(Exception):
    pass


def attempt(call: Callable[[], Any], *, count: Callable[[], int]) -> tuple[Any, Any]:
    """(result, error) of `call`, run in a transaction that is then rolled back. A refusal
    must be an ApplicationError that changed nothing (`count` rows before and after); any
    other exception fails the test."""
    outcome: list[Any] = [None, None]
    try:
        with transaction.atomic():
            before = count()
            try:
                outcome[0] = call()
            except ApplicationError as exc:
                outcome[1] = exc
                assert count() == before, "a refusal wrote something"
            raise _RollBack
    except _RollBack:
        pass
    return outcome[0], outcome[1]


def stored_as_shown(value: str, stored: str, *, max_length: int) -> None:
    """What was kept is the input with its ends trimmed, within the field's length, and
    holds nothing no database can hold."""
    assert stored == value.strip(), (value[:40], stored[:40])
    assert len(stored) <= max_length
    assert "\x00" not in stored
    assert not any("\ud800" <= c <= "\udfff" for c in stored)
