"""The read-replica routing (linli/core/replica.py) in process: which alias each read asks
for, who is pinned to the primary and for how long. The real replica is in
test_replica_streaming.py (PostgreSQL pass)."""

import datetime as dt
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.test import RequestFactory

from linli.accounts.models import User
from linli.casework.models import Case
from linli.core import replica
from linli.core.replica import (
    REPLICA,
    ReplicaPinMiddleware,
    ReplicaRouter,
    lag_tolerant,
    replica_reads,
)
from linli.core.replica_models import ReplicaPin

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture
def configured(monkeypatch: pytest.MonkeyPatch, settings) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """A replica as far as the decorator knows (the router itself is not installed, so the
    reads still reach the one test database)."""
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    settings.LINLI_REPLICA_PIN_SECONDS = 5
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "linli.core.replica.ReplicaPinMiddleware"]
    yield


@lag_tolerant
def where(request: HttpRequest) -> HttpResponse:
    """A lag-tolerant view that says which alias its read of cases would use."""
    return JsonResponse({"db": ReplicaRouter().db_for_read(Case)})


def _db(response: HttpResponse) -> str:
    return str(json.loads(response.content)["db"])


def _through_middleware(request: HttpRequest) -> HttpResponse:
    return ReplicaPinMiddleware(where)(request)


def test_router_sends_only_marked_reads_outside_transactions_to_the_replica(db: None) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Case) == "default"
    with replica_reads():
        assert router.db_for_read(Case) == REPLICA
        with transaction.atomic():  # a read inside a write sees that write
            assert router.db_for_read(Case) == "default"
        for model in (Session, User):  # logins, sessions, tokens: where they were written
            assert router.db_for_read(model) == "default"
        assert router.db_for_write(Case) == "default"
    assert router.db_for_read(Case) == "default"
    assert router.allow_migrate("default", "casework") and not router.allow_migrate(
        REPLICA, "casework"
    )


def test_without_a_replica_the_decorator_changes_nothing(db: None) -> None:
    response = where(RequestFactory().get("/x"))
    assert _db(response) == "default"


def test_a_session_caller_reads_its_own_writes_until_the_pin_expires(
    db: None, configured: None, clock
) -> None:  # type: ignore[no-untyped-def]
    rf = RequestFactory()
    assert _db(_through_middleware(rf.get("/x"))) == REPLICA
    # Unsafe methods never read from the replica, and pin the caller.
    wrote = _through_middleware(rf.post("/x"))
    assert _db(wrote) == "default"
    cookie = wrote.cookies[replica.PIN_COOKIE]
    assert cookie["max-age"] == 5 and cookie["httponly"]
    pinned = rf.get("/x")
    pinned.COOKIES[replica.PIN_COOKIE] = cookie.value
    assert _db(_through_middleware(pinned)) == "default"
    # A GET does not renew the pin; after it expires the replica answers again.
    assert replica.PIN_COOKIE not in _through_middleware(pinned).cookies
    clock.shift(dt.timedelta(seconds=6))
    assert _db(_through_middleware(pinned)) == REPLICA
    # A forged pin cookie is ignored (and does no harm: it would only read the primary).
    forged = rf.get("/x")
    forged.COOKIES[replica.PIN_COOKIE] = "1"
    assert _db(_through_middleware(forged)) == REPLICA


def test_a_token_caller_without_cookies_is_pinned_by_its_user(
    world, configured: None, clock
) -> None:  # type: ignore[no-untyped-def]
    """The pin of a bearer caller is a row on the primary, so the next request finds it
    whichever web process (or machine) serves it; only an authenticated token pins."""
    rf = RequestFactory()

    def call(method: str, user: object, token: str = "Bearer x") -> HttpResponse:  # noqa: S107
        request = getattr(rf, method)("/x", HTTP_AUTHORIZATION=token)
        request.user = user  # as BearerRoleAuth leaves it
        return _through_middleware(request)

    mine, other = world["resident"], world["grid_worker"]
    call("post", mine)
    assert ReplicaPin.objects.filter(user_id=mine.pk).count() == 1
    assert _db(call("get", mine)) == "default"
    assert _db(call("get", other)) == REPLICA
    # An unknown token (nobody authenticated) adds no row and is not pinned.
    call("post", AnonymousUser(), "Bearer not-a-token")
    assert ReplicaPin.objects.count() == 1
    clock.shift(dt.timedelta(seconds=6))
    assert _db(call("get", mine)) == REPLICA
    call("post", mine)  # the same row moves on
    assert ReplicaPin.objects.count() == 1
    assert _db(call("get", mine)) == "default"


def test_marked_views_check_access_on_the_primary_first(
    db: None, configured: None, login, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    """The real marked views: anonymous and wrong callers are refused before any replica
    read; a right caller's list is read inside the replica block."""
    entered: list[str] = []
    real = replica.replica_reads

    def spy():  # type: ignore[no-untyped-def]
        entered.append("replica")
        return real()

    monkeypatch.setattr(replica, "replica_reads", spy)
    from django.test import Client

    assert Client().get("/api/cases").status_code == 401
    assert Client().get("/cases/queue/").status_code == 302  # to the login page
    assert login("resident").get("/cases/queue/").status_code == 403
    assert entered == []
    assert login("resident").get("/api/cases").status_code == 200
    assert login("grid_worker").get("/cases/queue/").status_code == 200
    assert Client().get("/open311/v2/services.json").status_code == 200
    assert entered == ["replica"] * 3
    # The same caller right after a write reads the primary.
    client = login("resident")
    client.post("/api/cases", {}, content_type="application/json")  # refused: still a write
    assert client.get("/api/cases").status_code == 200
    assert entered == ["replica"] * 3


def _settings(env: dict[str, str]) -> str:
    code = (
        "import django, json; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'aliases': sorted(s.DATABASES), 'routers': s.DATABASE_ROUTERS, "
        "'pin': 'linli.core.replica.ReplicaPinMiddleware' in s.MIDDLEWARE, "
        "'cursors': {a: d.get('DISABLE_SERVER_SIDE_CURSORS', False) "
        "for a, d in s.DATABASES.items()}}))"
    )
    drop = {"DATABASE_REPLICA_URL", "DB_TRANSACTION_POOLING", "DATABASE_URL"}
    clean = {k: v for k, v in os.environ.items() if k not in drop}
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DEBUG": "1", "DJANGO_SETTINGS_MODULE": "linli.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()[-1]


def test_settings_add_the_replica_and_pooling_only_when_asked() -> None:
    plain = json.loads(_settings({"DATABASE_URL": "postgres://u@127.0.0.1:5432/x"}))
    assert plain == {
        "aliases": ["default"],
        "routers": [],
        "pin": False,
        "cursors": {"default": False},
    }
    both = json.loads(
        _settings(
            {
                "DATABASE_URL": "postgres://u@127.0.0.1:6432/x",
                "DATABASE_REPLICA_URL": "postgres://u@127.0.0.1:6433/x",
                "DB_TRANSACTION_POOLING": "1",
            }
        )
    )
    assert both == {
        "aliases": ["default", "replica"],
        "routers": ["linli.core.replica.ReplicaRouter"],
        "pin": True,
        "cursors": {"default": True, "replica": True},
    }
