"""Fault injection on `manage.py casework_sweep` (PostgreSQL only): the sweep's database
connection is terminated (pg_terminate_backend) in the middle of a run — after its warn and
overdue steps committed, while the escalation step holds its changes uncommitted — then the
sweep runs again. Together the two runs must do exactly what one clean run does, once: each
case warned / marked overdue / escalated / followed up once, one timeline event each, one
message per person per step, one task per SMS. Runs the real command against a database of
its own (see linli/core/tests/fault_harness.py)."""

import pytest

from linli.core.tests.fault_harness import (  # noqa: F401  (fixtures)
    FaultDB,
    fault_db,
    fault_template,
    on_postgres,
    wait_until,
)

pytestmark = pytest.mark.skipif(not on_postgres(), reason="pg_terminate_backend: PostgreSQL only")

PER_PLAN, FOLLOW_UPS = 200, 20
KINDS = {"warned": "warned", "overdue": "overdue", "escalated": "escalated", "follow_ups": "note"}
TASKS = "django_tasks_database_dbtaskresult"


def _done(db: FaultDB) -> dict[str, int]:
    """What the sweep has committed, read from the cases themselves."""
    row = db.rows(
        "SELECT count(warned_at), count(*) FILTER (WHERE overdue), count(escalated_at), "
        "count(*) FILTER (WHERE status = 'closed' AND follow_up_due IS NULL) FROM casework_case"
    )[0]
    return dict(zip(KINDS, row, strict=True))


def _events(db: FaultDB) -> dict[str, tuple[int, int]]:
    """(events, distinct cases) per step: equal when no case got a step twice."""
    rows = db.rows(
        "SELECT kind, count(*), count(DISTINCT case_id) FROM casework_caseevent GROUP BY kind"
    )
    by_kind = {kind: (n, cases) for kind, n, cases in rows}
    return {step: by_kind.get(kind, (0, 0)) for step, kind in KINDS.items()}


def _line(out: str) -> str:
    return out.strip().splitlines()[-1].rsplit(" (", 1)[0]


def test_sweep_killed_mid_run_is_finished_by_the_next(fault_db: FaultDB) -> None:  # noqa: F811
    db = fault_db
    clean = db.seed("cases", per_plan=PER_PLAN, follow_ups=FOLLOW_UPS)
    name = db.url.rsplit("/", 1)[1]

    # Hold inserts into core_delivery: only escalation sends SMS, so the sweep stops there,
    # inside the escalation step's transaction, with warn and overdue already committed.
    blocker = db.connect()
    blocker.autocommit = False
    blocker.execute("LOCK TABLE core_delivery IN SHARE ROW EXCLUSIVE MODE")
    try:
        sweep = db.spawn("sweep1", "casework_sweep")
        (pid,) = wait_until(
            lambda: db.rows(
                "SELECT pid FROM pg_stat_activity WHERE datname = %s AND wait_event_type = 'Lock'",
                (name,),
            ),
            timeout=60,
            what="the sweep to wait inside its escalation step",
        )[0]
        at_kill = _done(db)
        assert db.scalar("SELECT pg_terminate_backend(%s)", (pid,)) is True
    finally:
        blocker.rollback()
        blocker.close()
    assert sweep.wait(30) != 0, sweep.output()
    after_kill = _done(db)

    second = _line(db.ok("casework_sweep"))
    third = _line(db.ok("casework_sweep"))
    done, events = _done(db), _events(db)
    titles = db.rows(
        "SELECT left(title, 4), recipient_id, count(*) FROM core_notification "
        "GROUP BY left(title, 4), recipient_id"
    )
    sms = db.scalar("SELECT count(*) FROM core_delivery")
    sms_tasks = db.scalar(f"SELECT count(*) FROM {TASKS} WHERE task_path LIKE %s", ("%deliver%",))  # noqa: S608
    counts = {
        "clean_run": clean,
        "at_kill": at_kill,
        "after_kill": after_kill,
        "second": second,
        "third": third,
        "done": done,
        "events": events,
        "messages": sorted(titles),
        "sms": sms,
        "sms_tasks": sms_tasks,
    }
    print(f"\nfault sweep: {counts} timings={db.timings}")
    assert "terminat" in sweep.output(), counts
    # Killed mid-run: the first two steps had committed, escalation had not.
    assert at_kill == after_kill == {**clean, "escalated": 0, "follow_ups": 0}, counts
    assert second == (
        f"warned=0 overdue=0 escalated={clean['escalated']} "
        f"follow_ups={clean['follow_ups']} whistle_calls=0"
    ), counts
    assert third == "warned=0 overdue=0 escalated=0 follow_ups=0 whistle_calls=0", counts
    assert done == clean, counts
    assert events == {step: (n, n) for step, n in clean.items()}, counts
    assert titles and all(n == 1 for _, _, n in titles), f"a message sent twice: {counts}"
    assert sms > 0 and sms_tasks == sms, counts
