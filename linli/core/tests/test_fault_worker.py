"""Fault injection on the task worker: `db_worker` processes are SIGKILLed while each holds a
claimed notification delivery (mid-send), then the worker is restarted. Every delivery must
go out exactly once, counted twice: Delivery rows SENT in the database and lines the sender
actually wrote. django_tasks_db leaves a killed worker's task RUNNING for ever, so the restart
includes `manage.py tasks_recover`. Runs the real commands against a database of their own
(see fault_harness)."""

from collections import Counter

from linli.core.tests.fault_harness import (  # noqa: F401  (fixtures)
    FaultDB,
    fault_db,
    fault_template,
    wait_until,
)

NOTIFICATIONS = 20  # × SMS and e-mail = 40 deliveries
HOLD_AFTER = 5  # each killed worker has sent this many, and holds the next one
TASKS = "django_tasks_database_dbtaskresult"
SENDER = "linli.core.tests.fault_sender.AppendingSender"


def _tasks(db: FaultDB) -> dict[str, int]:
    return dict(db.rows(f"SELECT status, count(*) FROM {TASKS} GROUP BY status"))  # noqa: S608


def _deliveries(db: FaultDB) -> dict[str, int]:
    return dict(db.rows("SELECT status, count(*) FROM core_delivery GROUP BY status"))


def test_killed_workers_lose_no_delivery_and_send_none_twice(fault_db: FaultDB) -> None:  # noqa: F811
    db = fault_db
    total = db.seed("deliveries", notifications=NOTIFICATIONS)["deliveries"]
    assert total == 2 * NOTIFICATIONS and _tasks(db) == {"READY": total}
    sent_file = db.var_dir / "sent.txt"
    env = {
        "LINLI_SMS_SENDER": SENDER,
        "LINLI_EMAIL_SENDER": SENDER,
        "LINLI_FAULT_SENT": str(sent_file),
    }
    worker = ("db_worker", "--no-reload", "--no-startup-delay", "--interval", "0.05")

    def sent() -> list[str]:
        return sent_file.read_text().split() if sent_file.exists() else []

    # Two workers, each stuck in its 6th send: two tasks claimed (RUNNING), not sent.
    holding = db.var_dir / "sent.txt.holding"
    procs = [
        db.spawn(
            f"w{i}",
            *worker,
            "--worker-id",
            f"fault-w{i}",
            env={**env, "LINLI_FAULT_HOLD_AFTER": str(HOLD_AFTER)},
        )
        for i in (1, 2)
    ]
    wait_until(
        lambda: holding.exists() and len(holding.read_text().splitlines()) == 2,
        timeout=60,
        what="both workers to hold a delivery mid-send",
    )
    for p in procs:
        assert p.kill() == -9
    tasks_at_kill = _tasks(db)
    at_kill = {"sent": len(sent()), "tasks": tasks_at_kill, "deliveries": _deliveries(db)}
    assert at_kill["sent"] == 2 * HOLD_AFTER, at_kill
    assert tasks_at_kill.get("RUNNING") == 2, at_kill

    # Restart as django_tasks_db ships it: the killed workers' tasks stay RUNNING.
    db.ok(*worker, "--batch", env=env)
    after_plain_restart = {"tasks": _tasks(db), "deliveries": _deliveries(db)}
    assert after_plain_restart["tasks"] == {"SUCCESSFUL": total - 2, "RUNNING": 2}, (
        f"django_tasks_db changed how it treats a dead worker's tasks: {after_plain_restart}"
    )
    assert after_plain_restart["deliveries"] == {"sent": total - 2, "pending": 2}

    # A worker killed after its delivery committed but before the task was marked done:
    # the task is RUNNING with the delivery SENT. Its retry must not send again.
    (done_id,) = db.rows(
        f"SELECT id FROM {TASKS} WHERE status = 'SUCCESSFUL' ORDER BY finished_at LIMIT 1"  # noqa: S608
    )[0]
    db.execute(f"UPDATE {TASKS} SET status = 'RUNNING' WHERE id = %s", (done_id,))  # noqa: S608

    recovered = db.ok("tasks_recover", "--stale-after", "0").strip()
    db.ok(*worker, "--batch", env=env)

    lines = sent()
    keys = {f"{n}:{c}" for n, c in db.rows("SELECT notification_id, channel FROM core_delivery")}
    counts = {
        "recover": recovered,
        "deliveries": _deliveries(db),
        "tasks": _tasks(db),
        "sender_lines": len(lines),
        "sender_distinct": len(set(lines)),
        "sent_twice": [k for k, n in Counter(lines).items() if n > 1],
    }
    print(
        f"\nfault worker: total={total} at_kill={at_kill} restart={after_plain_restart} {counts} timings={db.timings}"
    )
    assert recovered == "requeued=3 failed=0", counts
    assert counts["deliveries"] == {"sent": total}, counts
    assert counts["tasks"] == {"SUCCESSFUL": total}, counts
    assert len(lines) == total and set(lines) == keys, counts
    # The two held deliveries were tried once each (the kill came before the count was saved).
    assert db.scalar("SELECT sum(attempts) FROM core_delivery") == total
