import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from linli.core.audit.models import AppendOnlyError, AuditEntry
from linli.core.audit.services import audit_record, audit_verify

pytestmark = pytest.mark.django_db


def _fill(n: int = 5) -> list[AuditEntry]:
    return [
        audit_record(actor=None, action="test.event", object_type="x", object_id=i, data={"i": i})
        for i in range(n)
    ]


def _raw(sql: str, params: list | None = None) -> None:
    """Tamper the way someone with database access would: bypass the app and its trigger."""
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("ALTER TABLE core_auditentry DISABLE TRIGGER core_auditentry_no_update")
        else:
            cur.execute("DROP TRIGGER IF EXISTS core_auditentry_no_update")
        cur.execute(sql, params or [])


def test_intact_chain_verifies_and_command_exits_zero(capsys):
    entries = _fill(5)
    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[1].prev_hash == entries[0].hash
    result = audit_verify()
    assert result.ok and result.checked == 5
    call_command("audit_verify")
    assert "5 entries" in capsys.readouterr().out


def test_changed_entry_is_named():
    _fill(5)
    _raw("UPDATE core_auditentry SET action = %s WHERE seq = 3", ["forged"])
    result = audit_verify()
    assert not result.ok
    assert result.bad_seq == 3
    with pytest.raises(CommandError, match="entry 3"):
        call_command("audit_verify")


def test_changed_data_is_caught():
    _fill(4)
    _raw("UPDATE core_auditentry SET data = %s WHERE seq = 2", ['{"i": 99}'])
    assert audit_verify().bad_seq == 2


def test_deleted_middle_entry_is_caught():
    _fill(5)
    _raw("DELETE FROM core_auditentry WHERE seq = 2")
    result = audit_verify()
    assert not result.ok and result.bad_seq == 2 and "missing" in result.reason


def test_deleted_last_entry_is_caught():
    _fill(5)
    _raw("DELETE FROM core_auditentry WHERE seq = 5")
    result = audit_verify()
    assert not result.ok and result.bad_seq == 5


def test_entries_swapped_out_of_order_are_caught():
    _fill(4)
    # Move entry 3 to the end and renumber: the chain link no longer matches.
    _raw("UPDATE core_auditentry SET seq = 100 WHERE seq = 3")
    _raw("UPDATE core_auditentry SET seq = 3 WHERE seq = 4")
    _raw("UPDATE core_auditentry SET seq = 4 WHERE seq = 100")
    result = audit_verify()
    assert not result.ok and result.bad_seq == 3


def test_app_cannot_edit_or_delete():
    entry = _fill(1)[0]
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.filter(pk=entry.pk).update(action="changed")
    with pytest.raises(AppendOnlyError):
        AuditEntry.objects.all().delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.event"


def test_database_refuses_update_even_bypassing_the_app():
    entry = _fill(1)[0]
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute("UPDATE core_auditentry SET action = 'x' WHERE id = %s", [entry.pk])
    assert audit_verify().ok


def test_entry_rolls_back_with_its_transaction():
    _fill(2)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_record(actor=None, action="will.rollback")
        raise RuntimeError("service failed after auditing")
    assert AuditEntry.objects.filter(action="will.rollback").count() == 0
    assert audit_verify().ok
    assert audit_record(actor=None, action="next").seq == 3


def test_non_json_values_are_stored_as_text():
    import datetime as dt
    import decimal

    entry = audit_record(
        actor=None, action="t", data={"when": dt.date(2026, 10, 1), "n": decimal.Decimal("1.5")}
    )
    assert AuditEntry.objects.get(pk=entry.pk).data == {"when": "2026-10-01", "n": "1.5"}
    assert audit_verify().ok


def test_admin_shows_the_log_read_only(world, login):
    entry = audit_record(actor=world["sysadmin"], action="t", obj=world["resident"])
    admin = login("sysadmin")
    page = admin.get(f"/admin/core/auditentry/{entry.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert (
        admin.post(f"/admin/core/auditentry/{entry.pk}/change/", {"action": "x"}).status_code == 403
    )
    assert (
        admin.post(f"/admin/core/auditentry/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert admin.get("/admin/core/auditentry/add/").status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "t"


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    """Writers in parallel threads (one connection each) never fork or break the chain."""
    from concurrent.futures import ThreadPoolExecutor

    from django.db import connections

    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers itself; real parallel writers need PostgreSQL")

    def write(worker: int) -> None:
        try:
            for i in range(25):
                with transaction.atomic():
                    audit_record(actor=None, action="parallel", object_id=f"{worker}-{i}")
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(write, range(4)))
    assert AuditEntry.objects.filter(action="parallel").count() == 100
    result = audit_verify()
    assert result.ok and result.checked == 100
