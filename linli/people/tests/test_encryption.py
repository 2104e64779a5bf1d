"""PEOPLE-2 "must show": after residents are created (through the services, the API and the
import), no ID number, phone, health, disability or assistance value is in clear text in any
column of any table, in any SQL statement sent, or in the logs; yet all of it reads back
through the model. And the same for `manage.py demo` against a real database file."""

import io
import json
import logging
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from linli.core.crypto import new_key
from linli.people.models import Contact, Resident
from linli.people.services.importing import residents_import
from linli.people.services.records import contact_add, resident_create, resident_update
from linli.people.validation import id_check_digit

ROOT = Path(__file__).resolve().parents[3]


def make_id(birth: str, seq: str) -> str:
    first17 = "330106" + birth + seq
    return first17 + id_check_digit(first17)


def forms(value: str) -> list[str]:
    """The value as text, and as it looks inside JSON with \\u escapes (the audit log)."""
    escaped = json.dumps(value)[1:-1]
    return [value] if escaped == value else [value, escaped]


def all_cells() -> tuple[list[str], list[tuple[str, str]]]:
    """The tables, and (table, text) of every cell of every one of them, read raw."""
    out: list[tuple[str, str]] = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        value = bytes(value).decode("utf-8", "replace")
                    out.append((table, str(value)))
    return tables, out


def find(values: list[str], haystacks: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(where, v) for v in values for where, text in haystacks for f in forms(v) if f in text]


SERVICE_ID = make_id("19440612", "027")
API_ID = make_id("19510203", "046")
IMPORT_ID = make_id("19380930", "011")
LOOKUP_ID = make_id("19600101", "055")  # looked up, never stored
SECRETS = {
    "id_numbers": [SERVICE_ID, API_ID, IMPORT_ID, LOOKUP_ID],
    "phones": ["13957123401", "13957123402", "13957123403", "13957123404", "13957123405"],
    "health": ["房室传导阻滞", "帕金森综合征", "类风湿关节炎"],
    "disability": ["言语残疾三级", "精神残疾二级"],
    "assistance": ["残疾人两项补贴", "临时救助金"],
    "finance": ["家庭月收入约一千二百元"],
}
PLAINTEXTS = [v for values in SECRETS.values() for v in values]


def _sheet() -> io.BytesIO:
    book = Workbook()
    ws = book.active
    ws.append(["姓名", "身份证号", "联系电话", "楼栋", "单元", "房号", "健康状况", "残疾情况"])
    ws.append(
        ["方桂英", IMPORT_ID, "13957123404", "1幢", "1单元", "501", "类风湿关节炎", "精神残疾二级"]
    )
    ws.append(["方小军", "", "", "1幢", "1单元", "501"])  # no ID: sex and birth year needed
    ws.cell(row=3, column=9, value="男")
    ws.cell(row=1, column=9, value="性别")
    ws.cell(row=1, column=10, value="出生年份")
    ws.cell(row=3, column=10, value=1985)
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    return buf


def test_no_sensitive_value_in_clear_anywhere_in_the_database(world, login, caplog):
    from linli.geo.models import Household

    caplog.set_level(logging.DEBUG)
    household = Household.objects.get(room="101")
    worker = world["community_worker"]
    with CaptureQueriesContext(connection) as sent:
        r = resident_create(
            actor=worker,
            household=household,
            values={
                "full_name": "郑国梁",
                "sex": "M",
                "birth_year": 1944,
                "id_number": SERVICE_ID,
                "phone": "13957123401",
                "health_conditions": "房室传导阻滞",
                "disability": "言语残疾三级",
                "assistance": "残疾人两项补贴",
                "finance_note": "家庭月收入约一千二百元",
            },
            tags=["disabled"],
        )
        contact_add(
            actor=worker, resident_id=r.pk, name="郑敏", relation="女儿", phone="13957123402"
        )
        resident_update(actor=worker, resident_id=r.pk, values={"phone": "13957123405"})
        api = login("community_worker").post(
            "/api/people/residents",
            {
                "household_id": household.pk,
                "full_name": "何美娟",
                "sex": "F",
                "birth_year": 1951,
                "id_number": API_ID,
                "phone": "13957123403",
            },
            content_type="application/json",
        )
        assert api.status_code == 201, api.content
        residents_import(actor=worker, file=_sheet(), filename="台账.xlsx")
        found = login("community_worker").post("/people/", {"id_number": LOOKUP_ID})
        assert "没有找到" in found.content.decode()
        client = login("community_worker")
        assert client.post("/people/", {"id_number": SERVICE_ID}).status_code == 302
        # Health data written through a grant-free path above; put more through the model.
        Resident.objects.filter(pk=r.pk).update(health_conditions="帕金森综合征")
        Contact.objects.filter(resident=r).update(phone="13957123402")
        Resident.objects.filter(full_name="何美娟").update(assistance="临时救助金")

    tables, cells = all_cells()
    assert len(tables) > 40 and {"people_resident", "people_contact", "core_auditentry"} <= {
        t for t, _ in cells
    }
    assert find(PLAINTEXTS, cells) == []
    sql = [(q["sql"][:40], q["sql"]) for q in sent.captured_queries]
    assert len(sql) > 50 and find(PLAINTEXTS, sql) == []
    assert find(PLAINTEXTS, [("log", caplog.text)]) == []
    # Non-sensitive columns are plain: the scan would have seen a clear value.
    assert find(["郑国梁", "139****3405"], cells)

    # And everything comes back through the model.
    r = Resident.objects.get(pk=r.pk)
    assert (r.id_number, r.phone, r.health_conditions) == (
        SERVICE_ID,
        "13957123405",
        "帕金森综合征",
    )
    assert (r.disability, r.assistance) == ("言语残疾三级", "残疾人两项补贴")
    assert r.finance_note == "家庭月收入约一千二百元"
    assert r.contacts.get().phone == "13957123402"
    api_r = Resident.objects.get(full_name="何美娟")
    assert (api_r.id_number, api_r.phone, api_r.assistance) == (API_ID, "13957123403", "临时救助金")
    imported = Resident.objects.get(full_name="方桂英")
    assert (imported.id_number, imported.phone) == (IMPORT_ID, "13957123404")
    assert (imported.health_conditions, imported.disability) == ("类风湿关节炎", "精神残疾二级")


# ---------------------------------------------------------------- manage.py demo, for real

DEMO_SCRIPT = """
import logging, sys
import django
django.setup()
handler = logging.StreamHandler(sys.stderr)
handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
logging.getLogger().addHandler(handler)
for name in ("", "django", "django.db.backends", "linli"):
    logging.getLogger(name).setLevel(logging.DEBUG)
from django.core.management import call_command
call_command("migrate", verbosity=2)
call_command("demo")
logging.getLogger().removeHandler(handler)

# The plaintexts, read back through the model, go to a file, not to the captured output.
import json
from linli.people.models import Contact, Resident
rows = list(Resident.objects.all())
words = sorted({w for r in rows for w in r.health_conditions.split("、") if w})
out = open(sys.argv[1], "w", encoding="utf-8")
out.write(json.dumps({
    "residents": len(rows),
    "names": [r.full_name for r in rows[:50]],
    "id_numbers": [r.id_number for r in rows if r.id_number],
    "phones": [r.phone for r in rows if r.phone] + [c.phone for c in Contact.objects.all()],
    "health": words,
    "disability": sorted({r.disability for r in rows if r.disability}),
}))
out.close()
"""


def _python(
    script: str, env: dict[str, str], *args: str, timeout: float = 300
) -> subprocess.CompletedProcess:
    return subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        timeout=timeout,
        check=False,
    )


def test_demo_database_file_dump_and_logs_hold_no_clear_values(tmp_path: Path) -> None:
    """`migrate` + `demo` in a subprocess against a fresh SQLite file with its own keys, SQL
    and every logger at DEBUG; then the raw file, its SQL dump and the logs are searched for
    every resident's ID number, phone and health condition (read back through the model)."""
    db = tmp_path / "demo.sqlite3"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "PYTEST", "DATABASE_URL", "LINLI_"))
    }
    env.update(
        DATABASE_URL=f"sqlite:///{db}",
        DEBUG="1",
        DJANGO_SETTINGS_MODULE="linli.settings",
        LOG_LEVEL="DEBUG",
        LINLI_DATA_KEYS=f"demo1:{new_key()}",
        LINLI_INDEX_KEY=new_key(),
    )
    plain_file = tmp_path / "plain.json"
    built = _python(DEMO_SCRIPT, env, str(plain_file))
    logs = built.stdout + built.stderr
    assert built.returncode == 0, logs.decode()[-3000:]
    assert b'INSERT INTO "people_resident"' in logs  # SQL logging really was on
    assert "名居民".encode() in logs  # the demo's own summary
    plain: dict[str, Any] = json.loads(plain_file.read_text(encoding="utf-8"))
    assert plain["residents"] > 4000 and len(plain["id_numbers"]) == plain["residents"]
    assert len(plain["phones"]) > 3000 and len(plain["health"]) >= 4

    raw = db.read_bytes()
    for extra in (Path(f"{db}-wal"), Path(f"{db}-journal")):
        if extra.exists():
            raw += extra.read_bytes()
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert "v1:demo1:" in dump and plain["names"][0] in dump  # what is clear is found
    assert plain["names"][0].encode() in raw

    numbers = plain["id_numbers"] + plain["phones"]
    words = plain["health"] + plain["disability"]
    for name, haystack in (("database file", raw), ("dump", dump.encode()), ("logs", logs)):
        assert numbers_in(haystack, numbers) == [], name
        assert [w for w in words for f in forms(w) if f.encode() in haystack] == [], name


def numbers_in(haystack: bytes, numbers: list[str]) -> list[str]:
    """Which of the numbers occur in the haystack, as any substring of a run of digits (one
    pass per length instead of one scan per number: thousands of numbers, megabytes of text)."""
    text = haystack.decode("latin-1")  # bytes → characters one to one; digits stay digits
    found: set[str] = set()
    for length in {len(n) for n in numbers}:
        for match in re.finditer(f"[0-9X]{{{length},}}", text):
            run = match.group()
            found.update(run[i : i + length] for i in range(len(run) - length + 1))
    return sorted(set(numbers) & found)
