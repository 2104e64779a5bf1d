"""Data for the issue-18 tests, written by `manage.py shell -c` inside the app's database."""

from typing import Any

from linli.testing.world import build_world


def world_with_tokens(*, roles: list[str]) -> dict[str, Any]:
    """The test world, the default case categories and a bearer token per role."""
    from linli.accounts.services import api_token_create
    from linli.casework.services.categories import categories_ensure_defaults

    world = build_world()
    categories_ensure_defaults(actor=None)
    tokens = {r: api_token_create(actor=world[r], user=world[r], name="live")[1] for r in roles}
    return {"tokens": tokens}
