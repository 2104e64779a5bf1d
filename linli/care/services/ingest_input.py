"""Readings as gateways send them (JSON objects), turned into ReadingIn one by one so that
a malformed reading is refused on its own and the rest of the batch still goes in (CARE-2).

A reading: {"serial": "W-1", "at": "2025-03-01T08:00:00+08:00", "value": 12.345,
"battery": 87}. `at` is ISO 8601 or Unix seconds; a time without an offset is Beijing time.
"""

import datetime as dt
import gc
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.utils import timezone

from linli.care.models.devices import Gateway
from linli.care.services.ingest import IngestResult, ReadingIn, Rejected, readings_ingest

SERIAL_MAX = 64
# Unix seconds before 2001 are a gateway whose clock was never set.
EPOCH_MIN = 1_000_000_000
BAD_TIME = "时间格式无效,应为 ISO 8601(如 2025-03-01T08:00:00+08:00)或 Unix 秒数。"


def _time(raw: Any) -> dt.datetime | None:
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int | float):
        if not EPOCH_MIN <= raw < 10_000_000_000:
            return None
        return dt.datetime.fromtimestamp(raw, tz=dt.UTC)
    if not isinstance(raw, str) or len(raw) > 40:
        return None
    try:
        at = dt.datetime.fromisoformat(raw)
    except ValueError:
        return None
    return timezone.make_aware(at) if at.tzinfo is None else at


def reading_parse(raw: Any) -> ReadingIn | tuple[str, str, str]:
    """A ReadingIn, or (serial, code, Chinese message) when the object is malformed."""
    if not isinstance(raw, dict):
        return "", "malformed", "每条读数应是一个 JSON 对象。"
    serial = raw.get("serial")
    if not isinstance(serial, str) or not serial.strip() or len(serial) > SERIAL_MAX:
        return "", "malformed", "缺少设备编号(serial)或格式不对。"
    serial = serial.strip()
    at = _time(raw.get("at"))
    if at is None:
        return serial, "bad_time", BAD_TIME
    value = raw.get("value")
    if isinstance(value, bool) or not isinstance(value, int | float):
        return serial, "not_number", "读数(value)应为数字。"
    battery = raw.get("battery")
    if battery is not None:
        if isinstance(battery, bool) or not isinstance(battery, int | float):
            return serial, "bad_battery", "电量(battery)应为 0 到 100 的整数。"
        if battery != int(battery):
            return serial, "bad_battery", "电量(battery)应为 0 到 100 的整数。"
        battery = int(battery)
    return ReadingIn(serial=serial, at=at, value=value, battery=battery)


def readings_ingest_raw(
    *,
    items: list[Any],
    gateway: Gateway | None,
    source: str,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Parse each item and ingest the well-formed ones; every refusal carries the item's
    index in `items`."""
    with _gc_paused():
        return _ingest_raw(items, gateway=gateway, source=source, now=now)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """A batch makes tens of thousands of short-lived, acyclic objects (freed by reference
    counting); without this they trigger cyclic collections that walk the whole heap of a
    web worker many times per request, which cost more than the ingest itself."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _ingest_raw(
    items: list[Any], *, gateway: Gateway | None, source: str, now: dt.datetime | None
) -> IngestResult:
    parsed: list[ReadingIn] = []
    positions: list[int] = []
    refused: list[Rejected] = []
    for index, raw in enumerate(items):
        got = reading_parse(raw)
        if isinstance(got, ReadingIn):
            parsed.append(got)
            positions.append(index)
        else:
            refused.append(Rejected(index, *got))
    if parsed:
        result = readings_ingest(readings=parsed, gateway=gateway, source=source, now=now)
    else:
        result = IngestResult(accepted=0, duplicates=0, rejected=[])
    for r in result.rejected:
        r.index = positions[r.index]
    result.rejected = sorted(result.rejected + refused, key=lambda r: r.index)
    return result
