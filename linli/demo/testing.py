"""The demo city for tests: built once per test module inside a transaction that is rolled
back afterwards (argon2 and thousands of residents make a build too slow per test)."""

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from linli.demo import names as catalog
from linli.demo.services import DemoSummary, demo_build

PASSWORD = "demo-test-pass"  # noqa: S105


@contextmanager
def demo_rolled_back(django_db_blocker: Any) -> Iterator[DemoSummary]:
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield demo_build(seed=catalog.DEFAULT_SEED, password=PASSWORD)
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
