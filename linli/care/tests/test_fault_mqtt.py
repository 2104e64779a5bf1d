"""Fault injection on `manage.py care_mqtt`: SIGKILL while it ingests a stream of QoS 1
readings (messages received, some batches committed, the rest in flight and unacknowledged),
more readings published while it is down, then a restart. Every reading must be stored once:
N rows, N distinct (device, time). Runs the real command against a database of its own (see
linli/core/tests/fault_harness.py) and the broker at 127.0.0.1:1883 (failing in CI when it is
missing, as test_mqtt does)."""

import datetime as dt
import json
import re
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from linli.care.tests.test_mqtt import HOST, PORT, broker, drop_session  # noqa: F401  (fixture)
from linli.core.tests.fault_harness import (  # noqa: F401  (fixtures)
    FaultDB,
    fault_db,
    fault_template,
    wait_until,
)

HALF = 300  # per phase; both phases together stay under mosquitto's 1,000 queued messages
KILL_AT = 40  # readings stored when the subscriber is killed


def _publish(client: mqtt.Client, topic: str, times: list[dt.datetime]) -> None:
    infos = [
        client.publish(topic, json.dumps({"at": at.isoformat(), "value": 1}), qos=1) for at in times
    ]
    for info in infos:
        info.wait_for_publish(10)  # the broker has it (PUBACK)
        assert info.is_published()


def _stored(db: FaultDB) -> int:
    return int(db.scalar("SELECT count(*) FROM care_reading"))


def test_killed_subscriber_loses_and_doubles_nothing(fault_db: FaultDB) -> None:  # noqa: F811
    db = fault_db
    tag = uuid.uuid4().hex[:10]
    prefix, client_id = f"fault-{tag}/linli/care", f"care-fault-{tag}"
    home = db.seed("care_home", gateway=f"gw-{tag}")
    topic = f"{prefix}/{home['gateway']}/{home['motion']}/reading"
    # Whole seconds, a minute apart, all in the last ten hours: N distinct valid readings.
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=10)
    times = [start + dt.timedelta(minutes=i) for i in range(2 * HALF)]
    command = ["care_mqtt", "--host", HOST, "--port", str(PORT), "--prefix", prefix]
    command += ["--client-id", client_id, "--batch-size", "20", "--batch-wait", "0.05"]

    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    pub.connect(HOST, PORT)
    pub.loop_start()
    try:
        first = db.spawn("mqtt1", *command)
        wait_until(
            lambda: "subscribed" in first.output(), timeout=30, what="care_mqtt to subscribe"
        )
        _publish(pub, topic, times[:HALF])
        wait_until(lambda: _stored(db) >= KILL_AT, timeout=30, what=f"{KILL_AT} readings stored")
        assert first.kill() == -9
        at_kill = _stored(db)
        # While it is down: the rest goes to its persistent session on the broker.
        _publish(pub, topic, times[HALF:])
        second = db.spawn("mqtt2", *command, "--idle-exit", "2")
        assert second.wait(60) == 0, second.output()
    finally:
        pub.disconnect()
        pub.loop_stop()
        drop_session(prefix, client_id)

    summary = re.search(r"messages=\d+ accepted=\d+ duplicates=\d+ rejected=\d+", second.output())
    stored = db.rows("SELECT at FROM care_reading")
    found = {_epoch(at) for (at,) in stored}
    counts = {
        "published": len(times),
        "stored_at_kill": at_kill,
        "stored": len(stored),
        "distinct": len(found),
        "restart": summary and summary.group(0),
    }
    print(f"\nfault mqtt: {counts} timings={db.timings}")
    assert 0 < at_kill < HALF, f"the kill was not mid-stream: {counts}"
    assert len(stored) == len(times) and found == {int(t.timestamp()) for t in times}, counts
    assert summary and "rejected=0" in summary.group(0), counts


def _epoch(at: object) -> int:
    """A stored time in whole seconds: a datetime (PostgreSQL) or UTC text (SQLite)."""
    if isinstance(at, str):
        at = dt.datetime.fromisoformat(at).replace(tzinfo=dt.UTC)
    assert isinstance(at, dt.datetime)
    return int(at.timestamp())
