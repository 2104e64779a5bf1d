"""Two `care_mqtt --share` subscribers, one SIGKILLed mid-stream (issue 18): the other goes
on storing its share while the first is down, the first gets its unacknowledged and queued
messages again when it comes back with the same client id, and every reading is stored
once. The short version of bench/care_mqtt_shared.py's `2kill`; real commands, a database
of its own (fault_harness), the broker at 127.0.0.1:1883 (failing in CI when missing)."""

import datetime as dt
import json
import re
import uuid

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from linli.care.tests.test_fault_mqtt import _epoch, _publish, _stored
from linli.care.tests.test_mqtt import HOST, PORT, broker, drop_session  # noqa: F401  (fixture)
from linli.core.tests.fault_harness import (  # noqa: F401  (fixtures)
    FaultDB,
    fault_db,
    fault_template,
    wait_until,
)

HALF = 300  # per phase; what waits for the killed member stays under mosquitto's 1,000
KILL_AT = 40


def test_killed_member_of_a_shared_subscription_loses_and_doubles_nothing(
    fault_db: FaultDB,  # noqa: F811
    broker: None,  # noqa: F811
) -> None:
    db = fault_db
    tag = uuid.uuid4().hex[:10]
    prefix = f"fault-{tag}/linli/care"
    ids = [f"care-fault-{tag}-1", f"care-fault-{tag}-2"]
    home = db.seed("care_home", gateway=f"gw-{tag}")
    topic = f"{prefix}/{home['gateway']}/{home['motion']}/reading"
    start = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=10)
    times = [start + dt.timedelta(minutes=i) for i in range(2 * HALF)]
    base = ["care_mqtt", "--host", HOST, "--port", str(PORT), "--prefix", prefix]
    base += ["--share", f"g{tag}", "--batch-size", "20", "--batch-wait", "0.05"]

    pub = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    pub.connect(HOST, PORT)
    pub.loop_start()
    try:
        one = db.spawn("member1", *base, "--client-id", ids[0])
        two = db.spawn("member2", *base, "--client-id", ids[1])
        for member in (one, two):
            wait_until(
                lambda m=member: "subscribed" in m.output(),  # type: ignore[misc]
                timeout=120,
                what="subscribed",
            )
        _publish(pub, topic, times[:HALF])
        wait_until(lambda: _stored(db) >= KILL_AT, timeout=120, what=f"{KILL_AT} readings stored")
        assert one.kill() == -9
        at_kill = _stored(db)
        # While member 1 is down, member 2 stores its share of the rest.
        _publish(pub, topic, times[HALF:])
        wait_until(
            lambda: _stored(db) >= at_kill + HALF // 2,
            timeout=120,
            what="member 2 going on alone",
        )
        assert _stored(db) < len(times)  # member 1's share waits in its session
        again = db.spawn("member1b", *base, "--client-id", ids[0], "--idle-exit", "2")
        assert again.wait(180) == 0, again.output()
        wait_until(lambda: _stored(db) >= len(times), timeout=120, what="every reading stored")
        two.popen.terminate()
        assert two.wait(30) == 0, two.output()
    finally:
        pub.disconnect()
        pub.loop_stop()
        for client_id in ids:
            drop_session(prefix, client_id)

    stored = db.rows("SELECT at FROM care_reading")
    found = {_epoch(at) for (at,) in stored}
    totals = [
        re.search(r"accepted=(\d+) duplicates=(\d+) rejected=(\d+)", p.output())
        for p in (again, two)
    ]
    counts = {
        "published": len(times),
        "stored_at_kill": at_kill,
        "stored": len(stored),
        "distinct": len(found),
        "after_restart": totals[0] and totals[0].group(0),
        "member2": totals[1] and totals[1].group(0),
    }
    print(f"\nfault mqtt shared: {json.dumps(counts)} timings={db.timings}")
    assert 0 < at_kill < HALF, f"the kill was not mid-stream: {counts}"
    assert len(stored) == len(times) and found == {int(t.timestamp()) for t in times}, counts
    assert all(t and t.group(3) == "0" for t in totals), counts
