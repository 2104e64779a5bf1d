"""`manage.py care_mqtt`: the MQTT subscriber feeding care ingest (CARE-2). Topic layout and
delivery guarantees: linli/care/mqtt.py and the README."""

import argparse
import gc
import os
import re
import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.care.mqtt import CLIENT_ID, PREFIX, CareSubscriber


class Command(BaseCommand):
    help = "订阅 linli/care/# 的传感器读数(QoS 1,持久会话),批量写入读数库。"

    def add_arguments(self, parser: CommandParser) -> None:
        env = os.environ.get
        parser.add_argument("--host", default=env("CARE_MQTT_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(env("CARE_MQTT_PORT", "1883")))
        parser.add_argument(
            "--client-id",
            default=env("CARE_MQTT_CLIENT_ID", CLIENT_ID),
            help="the persistent session's name: keep it the same across restarts",
        )
        parser.add_argument("--username", default=env("CARE_MQTT_USERNAME") or None)
        parser.add_argument(
            "--share",
            default=env("CARE_MQTT_SHARE", ""),
            metavar="GROUP",
            help="join the MQTT 5 shared subscription $share/GROUP/... (several subscribers "
            "share the load; give each its own --client-id)",
        )
        parser.add_argument("--prefix", default=PREFIX, help=argparse.SUPPRESS)
        parser.add_argument("--batch-size", type=int, default=1000, help="readings per commit")
        parser.add_argument(
            "--batch-wait", type=float, default=0.2, help="seconds to gather a batch"
        )
        parser.add_argument(
            "--idle-exit",
            type=float,
            default=0,
            metavar="SECONDS",
            help="stop after SECONDS without messages (default: run until stopped)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        share = options["share"]
        if share and options["client_id"] == CLIENT_ID:
            # Two members with one client id would throw each other off the broker.
            raise CommandError("使用 --share 时,每个订阅进程要有自己的 --client-id。")
        if share and not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", share):
            raise CommandError("--share 组名只能包含字母、数字、下划线和连字符。")
        subscriber = CareSubscriber(
            host=options["host"],
            port=options["port"],
            client_id=options["client_id"],
            batch_size=options["batch_size"],
            batch_wait=options["batch_wait"],
            username=options["username"],
            password=os.environ.get("CARE_MQTT_PASSWORD") or None,
            prefix=options["prefix"],
            share=share,
        )
        # Everything loaded so far lives as long as the process: keep it out of the cyclic
        # collector's way (each message makes garbage that would otherwise make it walk
        # the whole of Django again and again).
        gc.freeze()
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        try:
            subscriber.start()
        except (OSError, ConnectionError) as exc:
            raise CommandError(
                f"无法连接 MQTT 服务器 {options['host']}:{options['port']}:{exc}"
            ) from exc
        group = f" (shared group {share})" if share else ""
        self.stdout.write(f"care_mqtt: subscribed at {options['host']}:{options['port']}{group}")
        self.stdout.flush()
        try:
            total = subscriber.run(stop, idle_exit=options["idle_exit"])
        finally:
            subscriber.stop()
        self.stdout.write(
            f"care_mqtt: messages={total.messages} accepted={total.accepted} "
            f"duplicates={total.duplicates} rejected={total.rejected}"
        )
