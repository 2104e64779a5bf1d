"""The MQTT subscriber for care readings (CARE-2), run by `manage.py care_mqtt`.

Topics (QoS 1):
- `linli/care/<gateway>/<serial>/reading`, payload `{"at", "value", "battery"?}`
- `linli/care/<gateway>/batch`, payload `{"readings": [{"serial", "at", "value", "battery"?}]}`
Refusals are reported back on `linli/care/<gateway>/rejected` (QoS 1, best effort) and
logged.

Nothing accepted is lost: the session is persistent (MQTT 5, clean start off, session expiry
`SESSION_EXPIRY`), so the broker keeps messages while the subscriber restarts; messages are
acknowledged by hand (`manual_ack_set`) only after the batch they belong to has been
committed, in the order they arrived. A crash before that means the broker sends them again,
and ingest is idempotent per (device, time). Receive Maximum is raised so the broker keeps a
whole batch in flight instead of 20 messages.

Several subscribers can share the load (`--share GROUP`, MQTT 5 shared subscription
`$share/GROUP/linli/care/...`): the broker hands each message to one member of the group. Each
member has its own client id and persistent session and acknowledges only what it committed,
so a member killed mid-batch gets its unacknowledged messages again when it reconnects with
the same client id (mosquitto keeps them in that member's session; it does not pass them to
another member), while the others go on with the new ones.

Who may publish under `linli/care/<gateway>/` is the broker's job (a gateway's username
equal to its name, with an ACL pattern `linli/care/%u/#`); the subscriber checks that each
device belongs to the gateway named in the topic.
"""

import json
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import paho.mqtt.client as mqtt
from django.db import close_old_connections, connection, transaction
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from linli.care.services.devices import gateway_by_name
from linli.care.services.ingest_input import readings_ingest_raw

log = logging.getLogger(__name__)

PREFIX = "linli/care"
CLIENT_ID = "linli-care-ingest"
SESSION_EXPIRY = 0xFFFFFFFF  # the session (and its queued messages) never expires
RECEIVE_MAXIMUM = 65535
RETRY_SECONDS = (1, 2, 5, 10, 30)


@dataclass
class Message:
    """One received message, parsed: its readings, or why it cannot be read."""

    mid: int
    qos: int
    topic: str
    gateway: str = ""
    items: list[Any] = field(default_factory=list)
    error: str = ""


@dataclass
class FlushResult:
    messages: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    reports: dict[str, list[dict[str, Any]]] = field(default_factory=dict)


def message_parse(
    mid: int, qos: int, topic: str, payload: bytes | bytearray, *, prefix: str = PREFIX
) -> Message:
    msg = Message(mid=mid, qos=qos, topic=topic)
    parts = topic[len(prefix) + 1 :].split("/") if topic.startswith(prefix + "/") else []
    single = len(parts) == 3 and parts[2] == "reading"
    batch = len(parts) == 2 and parts[1] == "batch"
    if not (single or batch) or not parts[0]:
        msg.error = (
            "主题格式不对,应为 linli/care/<网关>/<设备编号>/reading 或 linli/care/<网关>/batch。"
        )
        return msg
    msg.gateway = parts[0]
    try:
        body = json.loads(payload)
    except (ValueError, UnicodeDecodeError):
        msg.error = "消息不是有效的 JSON。"
        return msg
    if single:
        if not isinstance(body, dict):
            msg.error = "消息应是一个 JSON 对象。"
        else:
            msg.items = [{**body, "serial": parts[1]}]
    elif not isinstance(body, dict) or not isinstance(body.get("readings"), list):
        msg.error = '批量消息应为 {"readings": [...]}。'
    else:
        msg.items = body["readings"]
    return msg


def messages_ingest(messages: list[Message]) -> FlushResult:
    """Ingest the readings of these messages in one transaction. Returns the refusals per
    message topic (as reports to send back)."""
    out = FlushResult(messages=len(messages))
    reports: dict[str, list[dict[str, Any]]] = defaultdict(list)
    by_gateway: dict[str, list[Message]] = defaultdict(list)
    for msg in messages:
        if msg.error:
            reports[msg.topic].append({"index": None, "code": "malformed", "message": msg.error})
            out.rejected += 1
        else:
            by_gateway[msg.gateway].append(msg)
    with transaction.atomic():
        for name, group in by_gateway.items():
            gateway = gateway_by_name(name)
            if gateway is None or not gateway.active:
                why = f"网关「{name}」未登记或已停用。"
                for msg in group:
                    reports[msg.topic].append(
                        {"index": None, "code": "unknown_gateway", "message": why}
                    )
                    out.rejected += len(msg.items)
                continue
            items: list[Any] = []
            origin: list[tuple[Message, int]] = []
            for msg in group:
                items.extend(msg.items)
                origin.extend((msg, i) for i in range(len(msg.items)))
            result = readings_ingest_raw(items=items, gateway=gateway, source="mqtt")
            out.accepted += result.accepted
            out.duplicates += result.duplicates
            out.rejected += len(result.rejected)
            for r in result.rejected:
                msg, index = origin[r.index]
                reports[msg.topic].append(
                    {"index": index, "serial": r.serial, "code": r.code, "message": r.message}
                )
    out.reports = dict(reports)
    return out


class CareSubscriber:
    """Receives on paho's network thread, ingests on the caller's thread (`run` / `step`),
    so the database work happens where Django's connection lives."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 1883,
        client_id: str = CLIENT_ID,
        batch_size: int = 1000,
        batch_wait: float = 0.2,
        username: str | None = None,
        password: str | None = None,
        prefix: str = PREFIX,
        share: str = "",
    ) -> None:
        """`prefix` other than linli/care only isolates tests and benchmarks; `share` names
        the shared-subscription group (empty: a plain subscription)."""
        self.host, self.port, self.prefix = host, port, prefix
        self.filter_prefix = f"$share/{share}/{prefix}" if share else prefix
        self.batch_size, self.batch_wait = batch_size, batch_wait
        self.inbox: queue.SimpleQueue[Message] = queue.SimpleQueue()
        self.connected = threading.Event()
        self.subscribed = threading.Event()
        client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
        client.manual_ack_set(True)
        if username:
            client.username_pw_set(username, password)
        client.on_connect = self._on_connect
        client.on_disconnect = self._on_disconnect
        client.on_subscribe = self._on_subscribe
        client.on_message = self._on_message
        client.reconnect_delay_set(min_delay=1, max_delay=30)
        self.client = client

    # paho callbacks (network thread)
    def _on_connect(self, client: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        if rc.is_failure:
            log.error("care_mqtt: broker refused the connection: %s", rc)
            return
        self.connected.set()
        base = self.filter_prefix
        client.subscribe([(f"{base}/+/+/reading", 1), (f"{base}/+/batch", 1)])

    def _on_disconnect(self, _c: mqtt.Client, _u: Any, _f: Any, rc: Any, _p: Any) -> None:
        self.connected.clear()
        self.subscribed.clear()
        if rc.is_failure:
            log.warning("care_mqtt: disconnected (%s); paho reconnects", rc)

    def _on_subscribe(self, _c: mqtt.Client, _u: Any, _mid: int, _rc: Any, _p: Any) -> None:
        self.subscribed.set()

    def _on_message(self, _c: mqtt.Client, _u: Any, m: mqtt.MQTTMessage) -> None:
        self.inbox.put(message_parse(m.mid, m.qos, m.topic, m.payload, prefix=self.prefix))

    # lifecycle
    def start(self, timeout: float = 10.0) -> None:
        props = Properties(PacketTypes.CONNECT)
        props.SessionExpiryInterval = SESSION_EXPIRY
        props.ReceiveMaximum = RECEIVE_MAXIMUM
        self.client.connect(self.host, self.port, 30, clean_start=False, properties=props)
        self.client.loop_start()
        if not self.subscribed.wait(timeout):
            self.stop()
            raise ConnectionError(f"care_mqtt: no subscription at {self.host}:{self.port}")

    def stop(self) -> None:
        """Disconnect without acknowledging anything pending: the broker keeps it."""
        self.client.disconnect()
        self.client.loop_stop()

    # ingest (caller's thread)
    def collect(self, timeout: float) -> list[Message]:
        """Wait up to `timeout` for a message, then gather more for up to `batch_wait`
        seconds or until `batch_size` readings."""
        try:
            first = self.inbox.get(timeout=timeout)
        except queue.Empty:
            return []
        batch, count = [first], max(1, len(first.items))
        deadline = time.monotonic() + self.batch_wait
        while count < self.batch_size:
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                msg = self.inbox.get(timeout=left)
            except queue.Empty:
                break
            batch.append(msg)
            count += max(1, len(msg.items))
        return batch

    def flush(
        self, batch: list[Message], *, sleep: Callable[[float], None] = time.sleep
    ) -> FlushResult:
        """Ingest, then acknowledge in arrival order. A database failure is retried with the
        same messages (nothing acknowledged before commit; ingest is idempotent)."""
        attempt = 0
        while True:
            try:
                if not connection.in_atomic_block:  # (tests run inside one)
                    close_old_connections()
                result = messages_ingest(batch)
                break
            except Exception:
                delay = RETRY_SECONDS[min(attempt, len(RETRY_SECONDS) - 1)]
                log.exception("care_mqtt: ingest failed; retrying in %ss", delay)
                attempt += 1
                sleep(delay)
        for msg in batch:
            self.client.ack(msg.mid, msg.qos)
        self._report(result)
        return result

    def _report(self, result: FlushResult) -> None:
        for topic, rejected in result.reports.items():
            log.warning("care_mqtt: %d refused on %s: %s", len(rejected), topic, rejected[:3])
            rest = topic[len(self.prefix) + 1 :] if topic.startswith(self.prefix + "/") else ""
            gateway = rest.split("/")[0]
            if gateway:
                body = json.dumps({"topic": topic, "rejected": rejected}, ensure_ascii=False)
                self.client.publish(f"{self.prefix}/{gateway}/rejected", body, qos=1)

    def step(self, timeout: float = 1.0) -> FlushResult | None:
        batch = self.collect(timeout)
        return self.flush(batch) if batch else None

    def run(self, stop: threading.Event, *, idle_exit: float = 0.0) -> FlushResult:
        """Ingest until `stop` is set (or, with `idle_exit`, after that many idle seconds)."""
        total = FlushResult()
        idle_since = time.monotonic()
        while not stop.is_set():
            result = self.step(timeout=0.5)
            if result is None:
                if idle_exit and time.monotonic() - idle_since >= idle_exit:
                    break
                continue
            idle_since = time.monotonic()
            total.messages += result.messages
            total.accepted += result.accepted
            total.duplicates += result.duplicates
            total.rejected += result.rejected
        return total
