"""A sender for the fault tests (LINLI_SMS_SENDER / LINLI_EMAIL_SENDER): each send appends one
line "<notification id>:<channel>" to the file named by LINLI_FAULT_SENT, so the test counts
what really went out. With LINLI_FAULT_HOLD_AFTER=K, the process's (K+1)th send blocks for
ever before sending, after noting "<pid> <key>" in LINLI_FAULT_SENT + ".holding": the worker
is then known to hold a claimed task, mid-send, when the test kills it."""

import os
import threading

from linli.core.senders import OutboundMessage

_sent_here = 0


class AppendingSender:
    def send(self, message: OutboundMessage) -> None:
        global _sent_here
        path = os.environ["LINLI_FAULT_SENT"]
        key = f"{message.notification_id}:{message.channel}"
        hold = os.environ.get("LINLI_FAULT_HOLD_AFTER")
        if hold is not None and _sent_here >= int(hold):
            with open(path + ".holding", "a", encoding="utf-8") as f:
                f.write(f"{os.getpid()} {key}\n")
            threading.Event().wait()  # until SIGKILL
        with open(path, "a", encoding="utf-8") as f:
            f.write(key + "\n")
        _sent_here += 1
