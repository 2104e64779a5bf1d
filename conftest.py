import os

import pytest
from django.test import Client

from linli.core.testing.world import PERSONA_PASSWORD, World, build_world

IN_CI = bool(os.environ.get("CI"))


@pytest.fixture
def world(db: None) -> World:
    return build_world()


def _client_for(world: World, role: str) -> Client:
    client = Client()
    client.force_login(world[role])
    return client


@pytest.fixture
def login(world: World):  # type: ignore[no-untyped-def]
    """login("grid_worker") → a test client with that persona's session."""
    return lambda role: _client_for(world, role)


@pytest.fixture
def persona_password() -> str:
    return PERSONA_PASSWORD
