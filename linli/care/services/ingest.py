"""One ingest service for every path readings come in by (CARE-2): the HTTP batch endpoint,
the MQTT subscriber and the simulator all call `readings_ingest`.

- Idempotent per (device, reading time): the same reading again is a duplicate, not an
  error; the same time with another value is refused.
- Malformed or impossible readings are refused one by one with a Chinese message; the rest
  of the batch is accepted.
- Late and out-of-order readings are stored; the device's state is re-folded from stored
  readings and, after commit, C2's `alerts_recheck` re-examines open alerts of devices whose
  use or activity time moved because of readings that came late.
- Accepted readings are inserted in bulk inside one transaction with the state update, under
  a row lock per device state, so an accepted reading is never lost and never doubled.

Ingest records no audit entry per batch: readings are data, append-only and stamped with
their source and arrival time, and one audit row per batch would serialise every gateway on
the audit chain's head.
"""

import datetime as dt
import logging
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from functools import lru_cache, partial
from operator import attrgetter
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from linli.care.models.devices import METER_KINDS, DeviceKind, Gateway
from linli.care.services import ingest_store as store
from linli.care.services.alerts import alerts_recheck
from linli.care.services.calls import button_pressed
from linli.care.services.ingest_state import (
    DeviceInfo,
    State,
    Timeline,
    advance,
    check_against,
    conflict_message,
    recompute,
    step_problem,
)
from linli.care.services.partitions import retention_horizon

log = logging.getLogger(__name__)

FUTURE_SLACK = dt.timedelta(minutes=5)
SOURCE = re.compile(r"[a-z0-9_-]{0,8}")
# A reading that arrives this long after its time was held up somewhere (gateway offline):
# it may show use that an alert opened on missing data did not know about.
LATE_DELIVERY = dt.timedelta(minutes=30)


@dataclass
class ReadingIn:
    serial: str
    at: dt.datetime
    value: float
    battery: int | None = None


@dataclass
class Rejected:
    index: int
    serial: str
    code: str
    message: str  # Chinese, shown to the gateway's operator


@dataclass
class IngestResult:
    accepted: int
    duplicates: int
    rejected: list[Rejected]
    late: int = 0  # accepted readings older than their device's latest reading
    recheck_device_ids: list[int] = field(default_factory=list)


@dataclass(slots=True)
class _Item:
    index: int
    at: dt.datetime
    value: float
    battery: int | None


@dataclass
class _Plan:
    rows: list[tuple[int, dt.datetime, float]] = field(default_factory=list)
    states: list[State] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    duplicates: int = 0
    late: int = 0
    recheck: list[int] = field(default_factory=list)
    presses: list[tuple[int, dt.datetime]] = field(default_factory=list)
    seen: dict[int, tuple[dt.datetime, int | None]] = field(default_factory=dict)


def _reading_problem(
    r: ReadingIn, horizon: dt.datetime, kept_from: dt.datetime | None
) -> tuple[str, str] | None:
    if isinstance(r.value, bool) or not isinstance(r.value, int | float):
        return "not_number", "读数应为数字。"
    if not math.isfinite(r.value):
        return "not_finite", "读数不是有效数字(NaN 或无穷大)。"
    if r.value < 0:
        return "negative", "读数不能为负数。"
    if r.battery is not None and not 0 <= r.battery <= 100:
        return "bad_battery", "电量应在 0 到 100 之间。"
    if r.at > horizon:
        return "future", "时间在未来:读数时间比服务器时间晚 5 分钟以上,请检查网关时钟。"
    if kept_from is not None and r.at < kept_from:
        # Raw readings this old are dropped by retention; storing it would undo that.
        return "expired", "读数时间早于原始读数的保留期限,不再入库。"
    return None


@lru_cache(maxsize=4096)
def _day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day`, Beijing time."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))


def _device_problem(
    r: ReadingIn, info: DeviceInfo | None, gateway: Gateway | None
) -> tuple[str, str] | None:
    if info is None:
        return "unknown_device", f"设备编号「{r.serial}」未登记。"
    if gateway is not None and info.gateway_id != gateway.pk:
        return "wrong_gateway", f"设备「{r.serial}」不属于网关「{gateway.name}」。"
    if not info.active:
        return "inactive_device", f"设备「{r.serial}」已停用。"
    if r.at < _day_start(info.installed_on):
        return "before_install", "读数时间早于设备安装日期,请检查网关时钟。"
    if info.kind not in METER_KINDS and r.value != int(r.value):
        return "not_integer", "门磁、人体感应和呼叫器的读数是事件次数,应为整数。"
    if info.kind in METER_KINDS and info.register_max and r.value >= info.register_max:
        return "over_range", f"读数超出表计量程({info.register_max:g})。"
    return None


def _in_order(info: DeviceInfo, state: State, items: list[_Item], plan: _Plan) -> list[_Item]:
    """The common case, every reading newer than the state: each is checked against the one
    before it only, and folded into `state`."""
    accepted: list[_Item] = []
    meter, rmax = info.kind in METER_KINDS, info.register_max
    prev = None if state.last_at is None or state.last_value is None else state.last_at
    prev_value = state.last_value
    for item in items:
        problem = None
        if prev is not None and item.at == prev:  # earlier in this batch
            if item.value == prev_value:
                plan.duplicates += 1
                continue
            problem = ("conflict", conflict_message(prev_value or 0.0))
        elif meter and prev is not None and prev_value is not None:
            problem = step_problem(info.kind, (prev, prev_value), (item.at, item.value), rmax)
        if problem:
            plan.rejected.append(Rejected(item.index, info.serial, *problem))
            continue
        accepted.append(item)
        advance(state, item.at, item.value, rmax)
        prev, prev_value = item.at, item.value
    return accepted


def _plan(
    groups: dict[int, list[_Item]],
    devices: dict[int, DeviceInfo],
    states: dict[int, State],
    *,
    now: dt.datetime,
    trust_state: bool,
) -> _Plan:
    """Decide, without writing, which readings go in and what each state becomes. With
    `trust_state` a device whose new readings are all newer than its state needs no stored
    readings; otherwise (late readings, or the retry after a conflict) they are loaded."""
    plan = _Plan()
    windows: dict[int, tuple[dt.datetime, dt.datetime | None]] = {}
    for device_id, items in groups.items():
        state = states[device_id]
        if not trust_state or (state.last_at is not None and items[0].at <= state.last_at):
            meter = devices[device_id].kind in METER_KINDS
            start = items[0].at - store.RECOMPUTE_WINDOW if meter else items[0].at
            windows[device_id] = (start, None)
    meters = {d for d in windows if devices[d].kind in METER_KINDS}
    stored = store.stored_around(windows, meters=meters)
    delayed_before = now - LATE_DELIVERY
    for device_id, items in groups.items():
        info, old = devices[device_id], states[device_id]
        in_order = device_id not in windows
        if in_order:
            new = old.copy()
            accepted = _in_order(info, new, items, plan)
        else:
            line = Timeline(stored[device_id])
            accepted = []
            for item in items:
                problem = check_against(info.kind, line, item.at, item.value, info.register_max)
                if problem is None:
                    accepted.append(item)
                elif problem[0] == "duplicate":
                    plan.duplicates += 1
                else:
                    plan.rejected.append(Rejected(item.index, info.serial, *problem))
        if not accepted:
            continue
        if not in_order:
            events = [i.at for i in accepted if i.value > 0]
            new = recompute(old, line.points(), events, info.register_max)
            plan.late += sum(1 for i in accepted if old.last_at and i.at <= old.last_at)
        plan.rows.extend((device_id, i.at, i.value) for i in accepted)
        plan.states.append(new)
        moved = (old.use_mark_at is not None and new.use_mark_at != old.use_mark_at) or (
            old.last_event_at is not None and new.last_event_at != old.last_event_at
        )
        came_late = not in_order or accepted[0].at < delayed_before
        if moved and came_late:
            plan.recheck.append(device_id)
        if info.kind == DeviceKind.BUTTON:
            plan.presses.extend((device_id, i.at) for i in accepted if i.value > 0)
        newest = max(accepted, key=lambda i: i.at)
        with_battery = [i for i in accepted if i.battery is not None]
        battery = None
        if with_battery:
            latest = max(with_battery, key=lambda i: i.at)
            if info.last_seen_at is None or latest.at >= info.last_seen_at:
                battery = latest.battery
        plan.seen[device_id] = (newest.at, battery)
    return plan


def _after_commit(plan: _Plan) -> None:
    if plan.recheck:
        transaction.on_commit(partial(alerts_recheck, device_ids=plan.recheck), robust=True)
    for device_id, at in plan.presses:
        transaction.on_commit(partial(button_pressed, device_id=device_id, at=at), robust=True)


@transaction.atomic
def readings_ingest(
    *,
    readings: list[ReadingIn],
    gateway: Gateway | None,
    source: str,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Store the acceptable readings; report each refused one by its index in `readings`.

    `gateway` None skips the gateway check (trusted internal callers: the simulator);
    `now` is the server clock (the simulator passes its simulated one)."""
    if not SOURCE.fullmatch(source):
        raise ValueError(f"source must match {SOURCE.pattern}")
    now = now or timezone.now()
    horizon = now + FUTURE_SLACK
    kept_from = retention_horizon(now)
    rejected: list[Rejected] = []
    candidates: list[tuple[int, ReadingIn]] = []
    for index, r in enumerate(readings):
        if r.at.tzinfo is None:
            r.at = timezone.make_aware(r.at)
        problem = _reading_problem(r, horizon, kept_from)
        if problem:
            rejected.append(Rejected(index, r.serial, *problem))
        else:
            candidates.append((index, r))
    by_serial = store.devices_by_serial(r.serial for _, r in candidates)
    groups: dict[int, list[_Item]] = defaultdict(list)
    for index, r in candidates:
        info = by_serial.get(r.serial)
        problem = _device_problem(r, info, gateway)
        if problem or info is None:
            rejected.append(Rejected(index, r.serial, *(problem or ("unknown_device", ""))))
            continue
        groups[info.id].append(_Item(index, r.at, float(r.value), r.battery))
    for items in groups.values():
        items.sort(key=attrgetter("at"))  # stable: same time keeps the sent order
    devices = {info.id: info for info in by_serial.values() if info.id in groups}
    states = store.states_lock(list(devices.values()))
    plan = _plan(groups, devices, states, now=now, trust_state=True)
    try:
        with transaction.atomic():
            store.readings_insert(plan.rows, received_at=now, source=source)
    except IntegrityError:
        # Stored readings the state did not know about (written around ingest): check
        # every reading against what is stored instead of trusting the state.
        log.warning("care ingest: device state behind stored readings; re-checking batch")
        plan = _plan(groups, devices, states, now=now, trust_state=False)
        store.readings_insert(plan.rows, received_at=now, source=source)
    store.states_write(plan.states, plan.seen)
    _after_commit(plan)
    rejected.extend(plan.rejected)
    rejected.sort(key=lambda r: r.index)
    return IngestResult(
        accepted=len(plan.rows),
        duplicates=plan.duplicates,
        rejected=rejected,
        late=plan.late,
        recheck_device_ids=plan.recheck,
    )


def ingest_summary(result: IngestResult) -> dict[str, Any]:
    """The JSON answer both transports give a gateway."""
    return {
        "accepted": result.accepted,
        "duplicates": result.duplicates,
        "rejected": [
            {"index": r.index, "serial": r.serial, "code": r.code, "message": r.message}
            for r in result.rejected
        ],
    }
