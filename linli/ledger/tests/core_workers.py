"""Child-process bodies for the parallel ledger tests.

Spawned pool workers, each with its own database connection to the test database. Only the
standard library is imported at module level: `init` sets Django up in the child. Every task
first waits at a shared barrier, so all workers hit the database at the same moment (a worker
blocked at the barrier cannot take a second task, so each task runs in a different process).
"""

import os
import random
from typing import Any

_barrier: Any = None


def init(database_url: str, barrier: Any) -> None:
    global _barrier
    _barrier = barrier
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DEBUG", "1")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    import django

    django.setup()


def _post(key: str, legs: list[tuple[Any, int]], kind: str = "points.redeem") -> tuple[str, Any]:
    from linli.core.errors import ApplicationError
    from linli.ledger.services.posting import transaction_post

    try:
        txn = transaction_post(actor=None, idempotency_key=key, kind=kind, memo="并发", legs=legs)
        return ("ok", txn.pk)
    except ApplicationError as exc:
        return ("refused", exc.message)
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
        return ("error", repr(exc))


def spend_many(args: tuple[int, int, int, int, int]) -> list[tuple[str, Any]]:
    """Try `tries` spends of `amount` from one account."""
    from linli.ledger.models import Account

    worker, account_id, sink_id, tries, amount = args
    account, sink = Account.objects.get(pk=account_id), Account.objects.get(pk=sink_id)
    _barrier.wait()
    return [
        _post(f"spend-{worker}-{i}", [(account, -amount), (sink, amount)]) for i in range(tries)
    ]


def same_key(args: tuple[int, int, int]) -> list[tuple[str, Any]]:
    """Post one request under a key every worker shares."""
    from linli.ledger.models import Account

    account_id, sink_id, amount = args
    account, sink = Account.objects.get(pk=account_id), Account.objects.get(pk=sink_id)
    _barrier.wait()
    return [_post("shared-key", [(account, -amount), (sink, amount)])]


def reverse_once(args: tuple[int, int]) -> list[tuple[str, Any]]:
    """Each worker tries to reverse the same transaction under its own key."""
    from linli.core.errors import ApplicationError
    from linli.ledger.models import Transaction
    from linli.ledger.services.posting import transaction_reverse

    worker, transaction_id = args
    txn = Transaction.objects.get(pk=transaction_id)
    _barrier.wait()
    try:
        rev = transaction_reverse(actor=None, transaction=txn, idempotency_key=f"undo-{worker}")
        return [("ok", rev.pk)]
    except ApplicationError as exc:
        return [("refused", type(exc).__name__)]
    except Exception as exc:  # noqa: BLE001
        return [("error", repr(exc))]


def shuffle_transfers(args: tuple[int, list[int], int]) -> list[tuple[str, Any]]:
    """Transfers between a few accounts in every direction at once."""
    from linli.ledger.models import Account

    worker, account_ids, rounds = args
    accounts = list(Account.objects.filter(pk__in=account_ids))
    rng = random.Random(worker)
    _barrier.wait()
    out = []
    for i in range(rounds):
        src, dst = rng.sample(accounts, 2)
        amount = rng.randint(1, 40)
        out.append(_post(f"shuffle-{worker}-{i}", [(src, -amount), (dst, amount)], "transfer"))
    return out
