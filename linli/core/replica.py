"""Read replicas (issue 18): reads that tolerate a second's lag go to a streaming replica.

Only views marked `@lag_tolerant` (lists, public pages, dashboards, Open311 GETs, reports)
read from the replica, and only on GET/HEAD, outside any transaction, and when the caller has
not written in the last `LINLI_REPLICA_PIN_SECONDS`: every unsafe request (POST, PUT, PATCH,
DELETE) pins its caller to the primary for that long (read-your-writes), through a signed
cookie (browsers, cookie-keeping clients) and, for authenticated bearer-token callers, a row
per user in `ReplicaPin` on the primary (shared by every web process). Everything else
(writes, reads inside a write's transaction, sessions, accounts, tasks) stays on the primary.
Without DATABASE_REPLICA_URL nothing here is active.
"""

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from linli.core.replica_models import ReplicaPin

F = TypeVar("F", bound=Callable[..., Any])

REPLICA = "replica"
PIN_COOKIE = "linli_pin"
PIN_SALT = "linli.core.replica.pin"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# Logins, sessions, tokens and the task queue: read where they were written.
PRIMARY_ONLY_APPS = frozenset({"sessions", "accounts", "auth", "django_tasks_db", "admin"})

_reads: ContextVar[bool] = ContextVar("linli_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def pin_seconds() -> int:
    return int(getattr(settings, "LINLI_REPLICA_PIN_SECONDS", 5))


@contextmanager
def replica_reads() -> Iterator[None]:
    """Reads in this block may come from the replica (the router still keeps reads inside a
    transaction and of primary-only apps on the primary)."""
    token = _reads.set(True)
    try:
        yield
    finally:
        _reads.reset(token)


def reading_from_replica() -> bool:
    return _reads.get()


def in_transaction() -> bool:
    """Inside a transaction on the primary (the test runner's wrapping one does not count:
    it stands for autocommit)."""
    conn = connections[DEFAULT_DB_ALIAS]
    return conn.in_atomic_block and any(
        not getattr(block, "_from_testcase", False) for block in conn.atomic_blocks
    )


class ReplicaRouter:
    """Installed (DATABASE_ROUTERS) only when a replica is configured."""

    def db_for_read(self, model: Any, **hints: Any) -> str:
        if not _reads.get() or model._meta.app_label in PRIMARY_ONLY_APPS:
            return DEFAULT_DB_ALIAS
        # A read inside a write's transaction must see that transaction.
        return DEFAULT_DB_ALIAS if in_transaction() else REPLICA

    def db_for_write(self, model: Any, **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        return True  # the replica holds the primary's rows

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS  # the replica gets the schema by replication


def _token_user_id(request: HttpRequest) -> int | None:
    """The user of a request authenticated by an API token (no session cookie to pin)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    user = getattr(request, "user", None)
    if scheme.lower() != "bearer" or not token.strip() or user is None:
        return None
    return int(user.pk) if user.is_authenticated else None


def pinned(request: HttpRequest) -> bool:
    """Did this caller write within the pin window? (Then it reads from the primary.)"""
    if request.get_signed_cookie(PIN_COOKIE, default=None, salt=PIN_SALT, max_age=pin_seconds()):
        return True
    user_id = _token_user_id(request)
    return (
        user_id is not None
        and ReplicaPin.objects.using(DEFAULT_DB_ALIAS)
        .filter(user_id=user_id, until__gt=timezone.now())
        .exists()
    )


def pin(request: HttpRequest, response: HttpResponse) -> None:
    """Keep this caller on the primary for the next `pin_seconds()`."""
    seconds = pin_seconds()
    response.set_signed_cookie(
        PIN_COOKIE,
        "1",
        salt=PIN_SALT,
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=settings.SESSION_COOKIE_SECURE,
    )
    user_id = _token_user_id(request)
    if user_id is not None:
        # One statement, shared by every web process: a row per user, so an unknown token
        # (not authenticated) can never add rows.
        ReplicaPin.objects.using(DEFAULT_DB_ALIAS).bulk_create(
            [ReplicaPin(user_id=user_id, until=timezone.now() + dt.timedelta(seconds=seconds))],
            update_conflicts=True,
            unique_fields=["user_id"],
            update_fields=["until"],
        )


def lag_tolerant(view: F) -> F:
    """Mark a page or API view whose reads may lag the primary by a second: on GET/HEAD from
    a caller not pinned by a recent write, its reads go to the replica. Put it under the
    access decorator (a page) or the route (an API operation), so login checks and API
    authentication read the primary."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if (
            not replica_configured()
            or request.method not in ("GET", "HEAD")
            or pinned(request)
            or in_transaction()
        ):
            return view(request, *args, **kwargs)
        with replica_reads():
            response = view(request, *args, **kwargs)
            render = getattr(response, "render", None)
            if render is not None and not getattr(response, "is_rendered", True):
                render()  # a TemplateResponse's queries run here, not after the block
        return response

    wrapper.linli_replica = True  # type: ignore[attr-defined]
    return wrapper  # type: ignore[return-value]


class ReplicaPinMiddleware:
    """Pins the caller of every unsafe request to the primary for a few seconds."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.method not in SAFE_METHODS:
            pin(request, response)
        return response
