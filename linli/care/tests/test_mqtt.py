"""CARE-2 over MQTT, against the real broker at 127.0.0.1:1883: single and batch topics,
refusals reported back, persistent session across a restart, redelivery of what was never
acknowledged. Each test uses its own topic prefix and client id, so runs never see each
other's messages."""

import io
import json
import os
import socket
import time
import uuid
from collections.abc import Callable, Iterator

import paho.mqtt.client as mqtt
import pytest
from django.core.management import call_command
from paho.mqtt.enums import CallbackAPIVersion

from linli.care.models import DeviceState, Reading
from linli.care.mqtt import CareSubscriber, message_parse, messages_ingest
from linli.care.tests.ingest_helpers import ago, make_home

HOST, PORT = os.environ.get("CARE_MQTT_HOST", "127.0.0.1"), 1883


def _broker_up() -> bool:
    try:
        socket.create_connection((HOST, PORT), timeout=1).close()
    except OSError:
        return False
    return True


@pytest.fixture(autouse=True)
def broker() -> None:
    if not _broker_up():
        if os.environ.get("CI"):
            pytest.fail(f"MQTT broker not reachable at {HOST}:{PORT}: CI must run mosquitto")
        pytest.skip("MQTT broker is not running")


@pytest.fixture
def prefix() -> str:
    return f"test-{uuid.uuid4().hex[:10]}/linli/care"


@pytest.fixture
def client_id() -> str:
    return f"care-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def home(world):
    return make_home(world)


class Publisher:
    def __init__(self) -> None:
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.received: list[mqtt.MQTTMessage] = []
        self.client.on_message = lambda _c, _u, m: self.received.append(m)
        self.subacks: set[int] = set()
        self.client.on_subscribe = lambda _c, _u, mid, _r, _p: self.subacks.add(mid)
        self.client.connect(HOST, PORT)
        self.client.loop_start()

    def send(self, topic: str, payload: object) -> None:
        raw = payload if isinstance(payload, bytes) else json.dumps(payload)
        self.client.publish(topic, raw, qos=1).wait_for_publish(5)

    def subscribe(self, *topics: str, timeout: float = 5) -> None:
        """Subscribe and wait for the broker's acknowledgements (instead of sleeping)."""
        mids = {self.client.subscribe(topic, qos=1)[1] for topic in topics}
        deadline = time.monotonic() + timeout
        while not mids <= self.subacks:
            assert time.monotonic() < deadline, "timed out waiting for SUBACK"
            time.sleep(0.01)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    pub = Publisher()
    yield pub
    pub.close()


def subscriber(prefix: str, client_id: str, **kw: object) -> CareSubscriber:
    sub = CareSubscriber(host=HOST, port=PORT, client_id=client_id, prefix=prefix, **kw)  # type: ignore[arg-type]
    sub.start()
    return sub


def pump(sub: CareSubscriber, until: Callable[[], bool], timeout: float = 10) -> None:
    deadline = time.monotonic() + timeout
    while not until():
        assert time.monotonic() < deadline, "timed out waiting for MQTT messages"
        sub.step(timeout=0.2)


def drop_session(prefix: str, client_id: str) -> None:
    """Tests leave no persistent session behind on the broker."""
    c = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    c.connect(HOST, PORT, clean_start=True)
    c.disconnect()


def test_single_and_batch_messages_are_ingested(home, prefix, client_id, publisher):
    sub = subscriber(prefix, client_id)
    try:
        gw, w, d = home.gateway.name, home.serial("water"), home.serial("door")
        t0, t1, t2 = ago(hours=3), ago(hours=2), ago(hours=1)
        publisher.send(f"{prefix}/{gw}/{w}/reading", {"at": t0.isoformat(), "value": 2.0})
        publisher.send(
            f"{prefix}/{gw}/batch",
            {
                "readings": [
                    {"serial": w, "at": t1.isoformat(), "value": 2.05, "battery": 77},
                    {"serial": d, "at": t2.isoformat(), "value": 1},
                ]
            },
        )
        pump(sub, lambda: Reading.objects.count() == 3)
    finally:
        sub.stop()
        drop_session(prefix, client_id)
    assert set(Reading.objects.values_list("source", flat=True)) == {"mqtt"}
    water = DeviceState.objects.get(device=home.devices["water"])
    assert (water.last_at, water.last_value, water.use_mark_at) == (t1, 2.05, t1)
    assert DeviceState.objects.get(device=home.devices["door"]).last_event_at == t2
    home.devices["water"].refresh_from_db()
    assert home.devices["water"].battery == 77


def test_refusals_are_reported_back_to_the_gateway(home, prefix, client_id, publisher, world):
    other = make_home(world, gateway_name="gw-other", prefix="X", room="102")
    gw = home.gateway.name
    publisher.subscribe(f"{prefix}/{gw}/rejected", f"{prefix}/nobody/rejected")
    sub = subscriber(prefix, client_id)
    try:
        publisher.send(
            f"{prefix}/{gw}/batch",
            {
                "readings": [
                    {"serial": home.serial("water"), "at": ago(hours=1).isoformat(), "value": -1},
                    {"serial": other.serial("door"), "at": ago(hours=1).isoformat(), "value": 1},
                    {"serial": home.serial("door"), "at": ago(hours=1).isoformat(), "value": 1},
                ]
            },
        )
        publisher.send(f"{prefix}/{gw}/{home.serial('door')}/reading", b"{not json")
        publisher.send(f"{prefix}/nobody/batch", {"readings": []})
        pump(sub, lambda: len(publisher.received) >= 3)
    finally:
        sub.stop()
        drop_session(prefix, client_id)
    reports = {m.topic: json.loads(m.payload) for m in publisher.received}
    batch = reports[f"{prefix}/{gw}/rejected"]
    by_topic: dict[str, list[dict]] = {}
    for m in publisher.received:
        body = json.loads(m.payload)
        by_topic.setdefault(body["topic"], []).extend(body["rejected"])
    assert [(r["index"], r["code"]) for r in by_topic[f"{prefix}/{gw}/batch"]] == [
        (0, "negative"),
        (1, "wrong_gateway"),
    ]
    assert by_topic[f"{prefix}/{gw}/{home.serial('door')}/reading"][0]["message"] == (
        "消息不是有效的 JSON。"
    )
    assert by_topic[f"{prefix}/nobody/batch"][0]["code"] == "unknown_gateway"
    assert batch["rejected"]
    assert list(Reading.objects.values_list("device__serial", flat=True)) == [home.serial("door")]


def test_messages_sent_while_the_subscriber_is_down_arrive_after_restart(
    home, prefix, client_id, publisher
):
    first = subscriber(prefix, client_id)
    first.stop()  # the persistent session stays on the broker
    gw, m = home.gateway.name, home.serial("motion")
    times = [ago(minutes=5 * i) for i in range(1, 201)]
    for at in times:
        publisher.send(f"{prefix}/{gw}/{m}/reading", {"at": at.isoformat(), "value": 1})
    again = subscriber(prefix, client_id)
    try:
        pump(again, lambda: Reading.objects.count() == len(times))
        time.sleep(0.3)
        again.step(timeout=0.2)
    finally:
        again.stop()
        drop_session(prefix, client_id)
    assert Reading.objects.count() == len(times)
    assert set(Reading.objects.values_list("at", flat=True)) == set(times)


def test_messages_not_acknowledged_are_delivered_again(home, prefix, client_id, publisher):
    """Crash before commit (nothing stored, nothing acked) and crash after commit but before
    the acknowledgement: either way the broker redelivers, and nothing is lost or doubled."""
    sub = subscriber(prefix, client_id)
    gw, d, e = home.gateway.name, home.serial("door"), home.serial("electricity")
    publisher.send(f"{prefix}/{gw}/{d}/reading", {"at": ago(hours=2).isoformat(), "value": 1})
    publisher.send(f"{prefix}/{gw}/{e}/reading", {"at": ago(hours=2).isoformat(), "value": 80})
    got = []
    deadline = time.monotonic() + 10
    while len(got) < 2 and time.monotonic() < deadline:
        got += sub.collect(timeout=0.5)
    assert len(got) == 2
    messages_ingest(got[:1])  # committed, never acknowledged
    sub.stop()  # "crash"
    assert Reading.objects.count() == 1
    again = subscriber(prefix, client_id)
    try:
        pump(again, lambda: Reading.objects.count() == 2)
        time.sleep(0.3)
        while again.step(timeout=0.3) is not None:  # the redelivered committed one
            pass
    finally:
        again.stop()
        drop_session(prefix, client_id)
    assert Reading.objects.count() == 2
    # and once acknowledged, nothing comes a third time
    third = subscriber(prefix, client_id)
    try:
        assert third.collect(timeout=1.0) == []
    finally:
        third.stop()
        drop_session(prefix, client_id)


def test_care_mqtt_command_ingests_what_is_queued(home, prefix, client_id, publisher):
    subscriber(prefix, client_id).stop()  # create the session
    gw, w = home.gateway.name, home.serial("water")
    batch = [{"serial": w, "at": ago(hours=h).isoformat(), "value": 9 - h * 0.1} for h in (3, 2, 1)]
    publisher.send(f"{prefix}/{gw}/batch", {"readings": batch})
    out = io.StringIO()
    try:
        call_command("care_mqtt", prefix=prefix, client_id=client_id, idle_exit=1.0, stdout=out)
    finally:
        drop_session(prefix, client_id)
    assert "accepted=3" in out.getvalue()
    assert Reading.objects.count() == 3


def test_topic_layout_is_checked():
    bad = message_parse(1, 1, "linli/care/gw/only-three", b"{}")
    assert bad.error.startswith("主题格式不对")
    single = message_parse(1, 1, "linli/care/gw-1/W-9/reading", b'{"at": 1, "value": 2}')
    assert (single.gateway, single.items) == ("gw-1", [{"at": 1, "value": 2, "serial": "W-9"}])
    batch = message_parse(1, 1, "linli/care/gw-1/batch", b'{"rows": []}')
    assert "readings" in batch.error
