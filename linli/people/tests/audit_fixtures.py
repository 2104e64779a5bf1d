"""Shared set-up of the audit report tests: a small town of residents, a clock for placing
audit entries in time, and helpers. Entries are written by the real services; only the clock
is set, by patching django.utils.timezone.now around the call that writes them."""

import datetime as dt
import io
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from linli.accounts.choices import MembershipKind
from linli.accounts.models import Membership
from linli.core.audit.models import AuditEntry
from linli.core.roles import Role
from linli.geo.models import Building, Household
from linli.people.models import Resident
from linli.people.reports.audit import (
    CHAIN_CACHE_KEY,
    AuditReport,
    audit_report_for,
)
from linli.people.services.records import resident_read
from linli.testing.world import World, make_user

TZ = timezone.get_default_timezone()
WEDNESDAY = dt.datetime(2026, 3, 4, 10, 0, tzinfo=TZ)  # an ordinary working day
WEEK = {"since": "2026-03-02", "until": "2026-03-08"}
SECRET_NAMES = ("甲居民", "乙居民", "王秀英")  # resident names: never in any report output


@pytest.fixture(autouse=True)
def fresh_chain_status() -> Iterator[None]:
    """Pages reuse a chain check for 10 minutes (in the process's cache): start each test
    without one."""
    cache.delete(CHAIN_CACHE_KEY)
    yield
    cache.delete(CHAIN_CACHE_KEY)


@contextmanager
def clock(when: dt.datetime) -> Iterator[None]:
    """Entries written inside get `when` as their time (audit_record stamps timezone.now())."""
    with mock.patch("django.utils.timezone.now", return_value=when):
        yield


def read_at(when: dt.datetime, actor: Any, resident_id: int, **extra: Any) -> None:
    with clock(when):
        resident_read(actor=actor, resident_id=resident_id, **extra)


def make_residents(building: Building, prefix: str, n: int) -> list[Resident]:
    households = Household.objects.bulk_create(
        [Household(building=building, unit="1单元", room=f"{i + 1:03d}") for i in range(n)]
    )
    return Resident.objects.bulk_create(
        [
            Resident(household=h, full_name=f"{prefix}{i:03d}", sex="F", birth_year=1950)
            for i, h in enumerate(households)
        ]
    )


@pytest.fixture
def town(world: World) -> dict[str, Any]:
    """45 residents in grid a1 and 10 in a2 (community 甲), 10 in b1 (乙); a secretary for 乙."""
    a1 = Building.objects.create(grid=world.grid_a1, name="3幢", lat=30.2725, lon=120.1225)
    a2 = Building.objects.create(grid=world.grid_a2, name="5幢", lat=30.2725, lon=120.1275)
    b1 = Building.objects.create(grid=world.grid_b1, name="9幢", lat=30.2725, lon=120.1325)
    secretary_b = make_user("secretary_b", Role.SECRETARY, full_name="乙书记")
    Membership.objects.create(
        user=secretary_b, kind=MembershipKind.SECRETARY, community=world.community_b
    )
    return {
        "a1": make_residents(a1, "甲居民", 45),
        "a2": make_residents(a2, "甲居民二", 10),
        "b1": make_residents(b1, "乙居民", 10),
        "secretary_b": secretary_b,
    }


def report_for(actor: Any, since: str = WEEK["since"], until: str = WEEK["until"]) -> AuditReport:
    return audit_report_for(actor=actor, since=since, until=until)


def flags_of(report: AuditReport, username: str, kind: str | None = None) -> list[Any]:
    return [f for f in report.flags if f.username == username and kind in (None, f.kind)]


def row_of(report: AuditReport, username: str) -> Any:
    return next(u for u in report.users if u.username == username)


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("people_audit_report", *args, stdout=out)
    except SystemExit as exc:
        return int(exc.code or 0), out.getvalue()
    return 0, out.getvalue()


def tamper_last_entry() -> None:
    """Change a stored entry the way someone with database access would: past the app and
    its trigger (inside the test's transaction, so the trigger comes back afterwards)."""
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry is not None
    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER core_auditentry_no_update")
        else:
            cursor.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
        cursor.execute(f"UPDATE {table} SET actor_label = %s WHERE seq = %s", ["x", entry.seq])  # noqa: S608
