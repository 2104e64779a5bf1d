"""One-key calls (CARE-6). Placeholder: C3 replaces this module."""

import datetime as dt
from typing import Any


def button_pressed(*, device_id: int, at: dt.datetime) -> Any:
    raise NotImplementedError("one-key calls are being built")
