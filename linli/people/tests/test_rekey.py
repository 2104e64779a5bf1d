"""PEOPLE-2 key rotation: `manage.py people_rekey` re-encrypts every encrypted column under
the primary key (batched, resumable, idempotent, printing counts and never values), and
`--reindex` recomputes the ID-number hashes after the index key changed."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from linli.core.audit.models import AuditEntry
from linli.core.crypto import key_ring, new_key
from linli.geo.models import Household
from linli.people.models import Contact, CorrectionRequest, Resident
from linli.people.selectors import resident_by_id_number
from linli.people.services.records import contact_add, resident_create
from linli.people.services.rekey import encrypted_columns
from linli.people.validation import id_check_digit

OLD, NEW, INDEX_OLD, INDEX_NEW = new_key(), new_key(), new_key(), new_key()


def make_id(birth: str, seq: str) -> str:
    return "330106" + birth + seq + id_check_digit("330106" + birth + seq)


PEOPLE = [
    ("陆阿婆", "F", 1937, make_id("19370304", "022"), "13957155501", "高血压"),
    ("陆伯伯", "M", 1935, make_id("19351111", "031"), "13957155502", "慢阻肺"),
    ("陆小红", "F", 1990, make_id("19900707", "048"), "13957155503", ""),
]
PLAIN = [v for p in PEOPLE for v in p[3:] if v] + ["13957155509", "请把电话改成13957155510"]


@pytest.fixture
def use_keys(monkeypatch):
    def use(data: str, index: str = INDEX_OLD) -> None:
        monkeypatch.setenv("LINLI_DATA_KEYS", data)
        monkeypatch.setenv("LINLI_INDEX_KEY", index)
        key_ring.cache_clear()

    yield use
    key_ring.cache_clear()


@pytest.fixture
def records(world, use_keys):
    """Residents, a contact and a correction request, all encrypted under the key "old"."""
    use_keys(f"old:{OLD}")
    household = Household.objects.get(room="101")
    made = []
    for name, sex, year, id_number, phone, health in PEOPLE:
        r = resident_create(
            actor=world["community_worker"],
            household=household,
            values={
                "full_name": name,
                "sex": sex,
                "birth_year": year,
                "id_number": id_number,
                "phone": phone,
                "health_conditions": health,
            },
        )
        made.append(r)
    contact_add(
        actor=world["community_worker"],
        resident_id=made[0].pk,
        name="陆建平",
        relation="儿子",
        phone="13957155509",
    )
    CorrectionRequest.objects.create(
        resident=made[0],
        requested_by=world["resident"],
        field="phone",
        message="请把电话改成13957155510",
    )
    return made


def raw_tokens() -> list[str]:
    """Every non-empty stored value of every encrypted column, read raw."""
    out = []
    with connection.cursor() as cursor:
        for col in encrypted_columns():
            table, column = col.model._meta.db_table, col.field.column
            cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" <> %s', [""])  # noqa: S608
            out += [v for (v,) in cursor.fetchall()]
    return out


def rekey(*args: str) -> str:
    out = StringIO()
    call_command("people_rekey", *args, stdout=out)
    return out.getvalue()


def values() -> list[tuple]:
    residents = [
        (r.id_number, r.phone, r.health_conditions) for r in Resident.objects.order_by("pk")
    ]
    return (
        residents
        + [(c.phone,) for c in Contact.objects.all()]
        + [(c.message,) for c in CorrectionRequest.objects.all()]
    )


def test_the_columns_are_found_generically():
    labels = {c.label for c in encrypted_columns()}
    assert {
        "people.resident.phone",
        "people.resident.id_number",
        "people.resident.health_notes",
        "people.contact.phone",
        "people.correctionrequest.message",
    } <= labels


def test_rotate_to_a_new_key_then_drop_the_old_one(records, use_keys):
    before = values()
    tokens = raw_tokens()
    assert len(tokens) == 3 + 3 + 2 + 1 + 1 and all(t.startswith("v1:old:") for t in tokens)
    use_keys(f"new:{NEW},old:{OLD}")
    output = rekey("--batch", "2")
    assert "people.resident.phone: 需要重新加密 3 行" in output
    assert "people.contact.phone: 需要重新加密 1 行" in output
    assert "完成:共更新 10 行。" in output
    assert not [v for v in PLAIN if v in output]  # counts, never values
    after = raw_tokens()
    assert len(after) == 10 and all(t.startswith("v1:new:") for t in after)
    assert values() == before
    entry = AuditEntry.objects.filter(action="data.rekeyed").get()
    assert entry.data["primary"] == "new" and sum(entry.data["rows"].values()) == 10
    # Idempotent: a second run finds nothing and rewrites nothing.
    again = rekey()
    assert "完成:共更新 0 行。" in again and raw_tokens() == after
    assert AuditEntry.objects.filter(action="data.rekeyed").count() == 1
    # The old key can go; everything still reads.
    use_keys(f"new:{NEW}")
    assert values() == before


def test_an_interrupted_run_resumes_with_what_is_left(records, use_keys):
    use_keys(f"new:{NEW},old:{OLD}")
    # As if a run had stopped after one row: that row already carries the new key.
    Resident.objects.get(pk=records[0].pk).save()
    output = rekey("--dry-run")
    assert "people.resident.phone: 需要重新加密 2 行" in output
    assert "试运行:共有 7 行需要处理,未做任何修改。" in output
    assert sum(t.startswith("v1:old:") for t in raw_tokens()) == 7
    assert "完成:共更新 7 行。" in rekey("--batch", "1")
    assert all(t.startswith("v1:new:") for t in raw_tokens())


def test_a_value_under_a_lost_key_stops_the_run_naming_the_row(records, use_keys):
    stray = Contact.objects.get()
    use_keys(f"lost:{new_key()}")
    stray.save()  # now encrypted under a key nobody has any more
    use_keys(f"new:{NEW},old:{OLD}")
    with pytest.raises(CommandError) as exc:
        rekey()
    assert f"people.contact.phone 第 id={stray.pk} 行无法解密" in str(exc.value)
    assert "13957155509" not in str(exc.value)


def test_reindex_after_the_index_key_changed(records, world, use_keys):
    worker = world["community_worker"]
    number = PEOPLE[0][3]
    assert resident_by_id_number(actor=worker, id_number=number) == records[0]
    use_keys(f"old:{OLD}", index=INDEX_NEW)
    assert resident_by_id_number(actor=worker, id_number=number) is None
    output = rekey("--reindex", "--batch", "2")
    assert "people.resident.id_number_hash" in output and "完成:共更新 3 行。" in output
    assert resident_by_id_number(actor=worker, id_number=number) == records[0]
    assert "完成:共更新 0 行。" in rekey("--reindex")


def test_batch_must_be_positive(records):
    with pytest.raises(CommandError, match="--batch"):
        rekey("--batch", "0")
