"""Data for the issue-18 tests, written by `manage.py shell -c` inside the app's database."""

from typing import Any

from linli.testing.world import World, build_world


def _world(roles: list[str]) -> tuple[World, dict[str, str]]:
    from linli.accounts.services import api_token_create
    from linli.casework.services.categories import categories_ensure_defaults

    world = build_world()
    categories_ensure_defaults(actor=None)
    tokens = {r: api_token_create(actor=world[r], user=world[r], name="live")[1] for r in roles}
    return world, tokens


def world_with_tokens(*, roles: list[str]) -> dict[str, Any]:
    """The test world, the default case categories and a bearer token per role."""
    return {"tokens": _world(roles)[1]}


def pooled_world() -> dict[str, Any]:
    """The world with tokens, a care home (gateway token, meter serials) and ledger accounts
    funded from an issuer, for the PgBouncer test."""
    from linli.care.tests.ingest_helpers import make_home
    from linli.ledger.choices import Book
    from linli.ledger.services.posting import account_system, transaction_post

    world, tokens = _world(["resident"])
    home = make_home(world, gateway_name="gw-pool")
    issuer = account_system(key="issuer:pool", book=Book.POINTS, name="发行", min_balance=None)
    accounts = [
        account_system(key=f"pool:{i}", book=Book.POINTS, name=f"账户{i}") for i in range(4)
    ]
    transaction_post(
        actor=None,
        idempotency_key="pool-fund",
        kind="pool.fund",
        memo="",
        legs=[(issuer, -4000), *[(a, 1000) for a in accounts]],
    )
    return {
        "tokens": tokens,
        "gateway": home.token,
        "serials": [home.serial("water"), home.serial("electricity")],
        "accounts": [a.pk for a in accounts],
    }


def ledger_transfers(*, worker: int, count: int, accounts: list[int]) -> dict[str, Any]:
    """`count` transfers round the accounts, each with its own request key."""
    from linli.ledger.models import Account
    from linli.ledger.services.posting import transaction_post

    rows = {a.pk: a for a in Account.objects.filter(pk__in=accounts)}
    for i in range(count):
        src, dst = rows[accounts[i % 4]], rows[accounts[(i + 1 + worker) % 4]]
        if src.pk == dst.pk:
            dst = rows[accounts[(i + 2) % 4]]
        transaction_post(
            actor=None,
            idempotency_key=f"pool-{worker}-{i}",
            kind="pool.transfer",
            memo="转账",
            legs=[(src, -1), (dst, 1)],
        )
    return {"posted": count}
